import { describe, expect, it } from "vitest";
import {
  addressKind,
  EMPTY_ALLOW_LIST,
  parseAllowList,
  plainAddress,
  refusalOf,
} from "../../src/lib/address-policy.js";
import { loadConfig } from "../../src/lib/config.js";

describe("the webhook address policy", () => {
  it("knows each non-public range, and public addresses as public", () => {
    const kinds: [string, string | null][] = [
      ["127.0.0.1", "loopback"],
      ["127.255.0.9", "loopback"],
      ["::1", "loopback"],
      ["10.1.2.3", "private"],
      ["172.16.0.1", "private"],
      ["172.31.255.255", "private"],
      ["192.168.0.1", "private"],
      ["fd12::1", "private"],
      ["169.254.0.1", "link-local"],
      ["fe80::1", "link-local"],
      ["100.64.0.1", "shared (CGNAT)"],
      ["100.127.255.255", "shared (CGNAT)"],
      ["224.0.0.1", "multicast"],
      ["ff02::1", "multicast"],
      ["0.0.0.0", "unspecified"],
      ["::", "unspecified"],
      ["64:ff9b::a00:1", "NAT64"],
      ["2002:7f00:1::", "reserved"],
      ["255.255.255.255", "reserved"],
      ["172.32.0.1", null],
      ["100.128.0.1", null],
      ["8.8.8.8", null],
      ["2606:4700:4700::1111", null],
    ];
    for (const [address, kind] of kinds) expect(addressKind(address), address).toBe(kind);
  });

  it("treats an IPv4-mapped IPv6 address as the IPv4 address it reaches", () => {
    expect(plainAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(plainAddress("[::ffff:7f00:1]")).toBe("127.0.0.1");
    expect(plainAddress("0:0:0:0:0:ffff:a00:1")).toBe("10.0.0.1");
    expect(plainAddress("::1")).toBe("::1");
    const loopback = parseAllowList(["127.0.0.0/8"], "X");
    expect(refusalOf("::ffff:7f00:1", "::ffff:7f00:1", loopback)).toBeNull();
    expect(refusalOf("::ffff:7f00:1", "::ffff:7f00:1", EMPTY_ALLOW_LIST)).toContain("loopback");
  });

  it("allows by CIDR, address, hostname or *, but never cloud metadata", () => {
    const allow = parseAllowList([" 10.1.0.0/16 ", "::1", "Hooks.Internal.", ""], "X");
    expect(allow.entries).toEqual(["10.1.0.0/16", "::1", "hooks.internal."]);
    expect(refusalOf("10.1.2.3", "10.1.2.3", allow)).toBeNull();
    expect(refusalOf("10.2.0.1", "10.2.0.1", allow)).toContain("10.2.0.1 is a private address");
    expect(refusalOf("::1", "::1", allow)).toBeNull();
    expect(refusalOf("hooks.internal", "192.168.1.1", allow)).toBeNull();
    expect(refusalOf("other.internal", "192.168.1.1", allow)).toBe(
      "destination other.internal resolves to 192.168.1.1, which is a private address; set GLADE_WEBHOOK_ALLOW_PRIVATE to allow it",
    );
    const everything = parseAllowList(["*"], "X");
    expect(refusalOf("10.9.9.9", "10.9.9.9", everything)).toBeNull();
    expect(refusalOf("169.254.169.254", "169.254.169.254", everything)).toContain("cloud metadata");
    expect(refusalOf("x.test", "fd00:ec2::254", everything)).toContain("cloud metadata");
    expect(refusalOf("metadata.google.internal", "8.8.8.8", everything)).toContain("cloud metadata");
    expect(refusalOf("hooks.example.com", "93.184.215.14", EMPTY_ALLOW_LIST)).toBeNull();
  });

  it("GLADE_WEBHOOK_ALLOW_PRIVATE: none with Postgres, loopback for the embedded quickstart, a typo stops the start", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://x/y" }).webhookAllowPrivate.entries).toEqual([]);
    expect(loadConfig({}).webhookAllowPrivate.entries).toEqual(["localhost", "127.0.0.0/8", "::1/128"]);
    expect(loadConfig({ GLADE_WEBHOOK_ALLOW_PRIVATE: "" }).webhookAllowPrivate.entries).toEqual([]);
    const set = loadConfig({
      DATABASE_URL: "postgres://x/y",
      GLADE_WEBHOOK_ALLOW_PRIVATE: "10.0.0.0/8, hooks.lan",
    });
    expect(set.webhookAllowPrivate.entries).toEqual(["10.0.0.0/8", "hooks.lan"]);
    expect(() => loadConfig({ GLADE_WEBHOOK_ALLOW_PRIVATE: "10.0.0.0/33" })).toThrow(
      "Invalid configuration: GLADE_WEBHOOK_ALLOW_PRIVATE: 10.0.0.0/33 has a bad prefix length",
    );
    expect(() => loadConfig({ GLADE_WEBHOOK_ALLOW_PRIVATE: "http://10.0.0.1" })).toThrow(
      "GLADE_WEBHOOK_ALLOW_PRIVATE: http://10.0.0.1 is not a hostname, an IP address or a CIDR",
    );
  });
});
