import { describe, expect, it } from "vitest";
import { newId, randomHex, randomToken } from "../../src/lib/ids.js";

describe("ids", () => {
  it("mints prefixed base62 ids that do not repeat across pool refills", () => {
    // 20,000 ids × 22 characters draw far more than one 8 KiB pool of random bytes.
    const ids = Array.from({ length: 20_000 }, () => newId("checkoutSession"));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 200)) expect(id).toMatch(/^chckt_session_[0-9A-Za-z]{22}$/);
  });

  it("draws every base62 character about equally often", () => {
    const counts = new Map<string, number>();
    const sample = randomToken(62_000);
    expect(sample).toHaveLength(62_000);
    for (const ch of sample) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // Expected 1,000 each; a biased modulo (256 % 62) would push the first 8 characters ~25 % higher.
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(850);
      expect(n).toBeLessThan(1150);
    }
  });

  it("honours the requested length", () => {
    expect(randomToken(1)).toHaveLength(1);
    expect(randomToken(64)).toHaveLength(64);
  });

  it("draws uppercase hex of the requested size, every digit about equally often", () => {
    expect(randomHex(4)).toMatch(/^[0-9A-F]{8}$/);
    const sample = Array.from({ length: 4000 }, () => randomHex(4)).join("");
    const counts = new Map<string, number>();
    for (const c of sample) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(16);
    const expected = sample.length / 16;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.1);
  });
});
