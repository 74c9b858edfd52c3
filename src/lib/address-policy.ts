import { BlockList, isIP } from "node:net";

/**
 * Which network addresses an outbound request of Glade's (a webhook POST) may reach. A merchant names the
 * URL, so without this a webhook is a way into the operator's own network: loopback services, the database,
 * cloud metadata. Everything that is not the public internet is refused unless the operator allows it
 * (GLADE_WEBHOOK_ALLOW_PRIVATE); cloud metadata is refused even then, since nothing legitimate listens there.
 */

export type AddressKind =
  | "loopback"
  | "private"
  | "link-local"
  | "shared (CGNAT)"
  | "multicast"
  | "unspecified"
  | "NAT64"
  | "reserved";

type Range = readonly [network: string, prefix: number, kind: AddressKind];

// Ordered from the most to the least specific where ranges nest (::1 inside ::/96).
const IPV4_RANGES: readonly Range[] = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared (CGNAT)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "reserved"],
  ["192.88.99.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"],
  ["198.51.100.0", 24, "reserved"],
  ["203.0.113.0", 24, "reserved"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];

const IPV6_RANGES: readonly Range[] = [
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  // IPv4-compatible (deprecated): reaches an IPv4 host on some stacks.
  ["::", 96, "reserved"],
  ["64:ff9b::", 96, "NAT64"],
  ["64:ff9b:1::", 48, "NAT64"],
  ["100::", 64, "reserved"],
  // Teredo and 6to4 tunnel to an IPv4 address written inside them.
  ["2001::", 32, "reserved"],
  ["2001:db8::", 32, "reserved"],
  ["2002::", 16, "reserved"],
  ["fc00::", 7, "private"],
  ["fe80::", 10, "link-local"],
  ["fec0::", 10, "private"],
  ["ff00::", 8, "multicast"],
];

const rangeLists = (ranges: readonly Range[], type: "ipv4" | "ipv6") =>
  ranges.map(([network, prefix, kind]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, type);
    return { list, kind };
  });
const V4 = rangeLists(IPV4_RANGES, "ipv4");
const V6 = rangeLists(IPV6_RANGES, "ipv6");

/** Cloud metadata services (AWS, ECS, GCP, Azure, Oracle, Alibaba): never a webhook destination. */
const METADATA_ADDRESSES = ["169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"];
const METADATA_HOSTS = new Set([
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
]);

/** The 8 hextets of an IPv6 address (a trailing dotted IPv4 included); the zone (`%eth0`) is dropped. */
function hextets(address: string): number[] {
  const text = address.split("%")[0] ?? "";
  const dotted = text.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  let body = text;
  if (dotted?.[1] && dotted[2]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[2].split(".").map(Number);
    body = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = body.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((h) => Number.parseInt(h, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}

/**
 * An address as the socket will reach it: `::ffff:127.0.0.1` (IPv4-mapped) is 127.0.0.1, so the IPv4
 * rules and allowances apply to it. `[::1]` from a URL loses its brackets. Lower case.
 */
export function plainAddress(address: string): string {
  const bare = address.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (isIP(bare) !== 6) return bare;
  const h = hextets(bare);
  const mapped = h.slice(0, 5).every((x) => x === 0) && h[5] === 0xffff;
  if (!mapped) return bare;
  const [hi = 0, lo = 0] = h.slice(6);
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join(".");
}

const familyOf = (address: string) => (isIP(address) === 4 ? "ipv4" : "ipv6");

/** What sort of non-public address this is, or null for a public one. Expects a plain address. */
export function addressKind(address: string): AddressKind | null {
  const family = isIP(address);
  if (family === 0) return "reserved";
  const lists = family === 4 ? V4 : V6;
  const type = familyOf(address);
  return lists.find(({ list }) => list.check(address, type))?.kind ?? null;
}

const METADATA = (() => {
  const list = new BlockList();
  for (const address of METADATA_ADDRESSES) list.addAddress(address, familyOf(address));
  return list;
})();

export function isMetadataAddress(address: string): boolean {
  const plain = plainAddress(address);
  return isIP(plain) !== 0 && METADATA.check(plain, familyOf(plain));
}

/** A hostname as compared: lower case, without brackets or the root's trailing dot. */
export const plainHost = (hostname: string) =>
  hostname
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "")
    .toLowerCase();

export function isMetadataHost(hostname: string): boolean {
  const host = plainHost(hostname);
  return METADATA_HOSTS.has(host) || isMetadataAddress(host);
}

/** The operator's exceptions: `*`, hostnames, addresses and CIDRs (GLADE_WEBHOOK_ALLOW_PRIVATE). */
export type AllowList = {
  readonly everything: boolean;
  readonly hosts: ReadonlySet<string>;
  readonly networks: BlockList;
  /** As configured, for messages and the start-up line. */
  readonly entries: readonly string[];
};

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*$/;

/** Throws on an entry that is none of those, naming it, so a typo stops the start instead of allowing nothing. */
export function parseAllowList(entries: readonly string[], variable: string): AllowList {
  const networks = new BlockList();
  const hosts = new Set<string>();
  let everything = false;
  const kept: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    kept.push(entry);
    if (entry === "*") {
      everything = true;
      continue;
    }
    const [address = "", bits, ...rest] = entry.split("/");
    const plain = plainAddress(address);
    const family = isIP(plain);
    if (family === 0) {
      if (bits !== undefined || !HOSTNAME.test(plainHost(entry))) {
        throw new Error(`${variable}: ${raw.trim()} is not a hostname, an IP address or a CIDR`);
      }
      hosts.add(plainHost(entry));
      continue;
    }
    const max = family === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : Number(bits);
    if (rest.length > 0 || bits === "" || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw new Error(`${variable}: ${raw.trim()} has a bad prefix length`);
    }
    networks.addSubnet(plain, prefix, familyOf(plain));
  }
  return { everything, hosts, networks, entries: kept };
}

export const EMPTY_ALLOW_LIST: AllowList = parseAllowList([], "");

/** Why `address` (reached for `hostname`) may not be contacted, or null when it may. */
export function refusalOf(hostname: string, address: string, allow: AllowList): string | null {
  const host = plainHost(hostname);
  const plain = plainAddress(address);
  const shown =
    host === plain ? plain : isIP(host) ? `${host} (${plain})` : `${host} resolves to ${plain}, which`;
  if (isMetadataHost(host) || isMetadataAddress(plain)) {
    return `destination ${shown} is a cloud metadata address; webhooks are never sent there`;
  }
  const kind = addressKind(plain);
  if (kind === null) return null;
  if (allow.everything || allow.hosts.has(host) || allow.networks.check(plain, familyOf(plain))) return null;
  const article = /^[aeiou]/i.test(kind) ? "an" : "a";
  return `destination ${shown} is ${article} ${kind} address; set GLADE_WEBHOOK_ALLOW_PRIVATE to allow it`;
}
