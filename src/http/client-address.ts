import { BlockList, isIP } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./types.js";

/** `::ffff:1.2.3.4` (an IPv4 peer on a dual-stack socket) is 1.2.3.4. */
function plain(address: string): string {
  const lower = address.trim().toLowerCase();
  return lower.startsWith("::ffff:") && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}

/**
 * GLADE_TRUSTED_PROXIES (addresses and CIDRs) as a set to test peers against. Throws on an entry that is
 * neither, so a typo stops the start instead of silently trusting nothing or everything.
 */
export function trustedProxies(entries: string[]): BlockList {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === "") continue;
    const [address = "", bits] = entry.split("/");
    const family = isIP(address);
    if (family === 0) throw new Error(`GLADE_TRUSTED_PROXIES: ${entry} is not an IP address or CIDR`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(address, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128))
        throw new Error(`GLADE_TRUSTED_PROXIES: ${entry} has a bad prefix length`);
      list.addSubnet(address, prefix, type);
    }
  }
  return list;
}

function trusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
}

/**
 * Who is asking, for rate limits: the socket's peer, unless the peer is one of the operator's trusted proxies.
 * Then X-Forwarded-For is read from the right (each proxy appends the address it got the request from):
 * trusted hops are skipped and the first address that is not one is the client. Entries left of it were
 * written by the client and are never believed; an entry that is not an address stops the walk at the last
 * trusted hop. With no trusted proxies (the default) the header is ignored, so nobody picks their identity.
 */
export function clientAddressOf(
  peer: string | undefined,
  forwardedFor: string | undefined,
  list: BlockList,
): string {
  if (!peer) return "unknown";
  let client = plain(peer);
  if (!trusted(list, client) || !forwardedFor) return client;
  const hops = forwardedFor.split(",").map(plain).reverse();
  for (const hop of hops) {
    if (isIP(hop) === 0) return client;
    client = hop;
    if (!trusted(list, hop)) return hop;
  }
  return client;
}

/** Works the client's address out once per request, for every rate limit to read with clientAddress(c). */
export function resolveClientAddress(list: BlockList): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let peer: string | undefined;
    try {
      peer = getConnInfo(c).remote.address;
    } catch {
      // In-process requests (tests, app.request) have no socket.
      peer = undefined;
    }
    c.set("clientAddress", clientAddressOf(peer, c.req.header("x-forwarded-for"), list));
    await next();
  };
}

/** The address resolveClientAddress found ("unknown" for an in-process request). */
export function clientAddress(c: Context): string {
  return (c.get("clientAddress") as string | undefined) ?? "unknown";
}
