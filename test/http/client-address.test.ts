import { describe, expect, it } from "vitest";
import { clientAddressOf, trustedProxies } from "../../src/http/client-address.js";
import { loadConfig } from "../../src/lib/config.js";

describe("the client's address", () => {
  const none = trustedProxies([]);
  const proxies = trustedProxies(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);

  it("is the peer, whatever X-Forwarded-For says, when no proxy is trusted", () => {
    expect(clientAddressOf("203.0.113.5", "192.0.2.1", none)).toBe("203.0.113.5");
    expect(clientAddressOf("127.0.0.1", "192.0.2.1", none)).toBe("127.0.0.1");
    expect(clientAddressOf("::ffff:127.0.0.1", "192.0.2.1", none)).toBe("127.0.0.1");
    expect(clientAddressOf(undefined, "192.0.2.1", none)).toBe("unknown");
  });

  it("is the first untrusted hop from the right behind trusted proxies", () => {
    expect(clientAddressOf("127.0.0.1", "192.0.2.1", proxies)).toBe("192.0.2.1");
    // The client's own entries to the left are never believed.
    expect(clientAddressOf("127.0.0.1", "6.6.6.6, 192.0.2.1", proxies)).toBe("192.0.2.1");
    // Two trusted hops (loopback, then an internal balancer) are skipped.
    expect(clientAddressOf("127.0.0.1", "6.6.6.6, 192.0.2.1, 10.1.2.3", proxies)).toBe("192.0.2.1");
    expect(clientAddressOf("fd00::1", "2001:db8::7", proxies)).toBe("2001:db8::7");
    // An untrusted peer's header is ignored.
    expect(clientAddressOf("203.0.113.5", "192.0.2.1", proxies)).toBe("203.0.113.5");
    // Garbage stops the walk at the last trusted hop; no header leaves the peer.
    expect(clientAddressOf("127.0.0.1", "not-an-ip, 10.1.2.3", proxies)).toBe("10.1.2.3");
    expect(clientAddressOf("127.0.0.1", undefined, proxies)).toBe("127.0.0.1");
  });

  it("refuses a GLADE_TRUSTED_PROXIES entry that is not an address or CIDR", () => {
    expect(loadConfig({ GLADE_TRUSTED_PROXIES: " 127.0.0.1 , 10.0.0.0/8 " }).trustedProxies).toEqual([
      "127.0.0.1",
      "10.0.0.0/8",
    ]);
    expect(() => trustedProxies(["localhost"])).toThrow(/not an IP address or CIDR/);
    expect(() => trustedProxies(["10.0.0.0/33"])).toThrow(/bad prefix length/);
  });
});
