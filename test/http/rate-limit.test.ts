import { describe, expect, it } from "vitest";
import { createRateLimiter } from "../../src/http/rate-limit.js";

function limiterAt(start: number, options: { limit?: number; windowMs?: number; maxClients?: number } = {}) {
  let now = start;
  const limiter = createRateLimiter({
    limit: 3,
    windowMs: 1000,
    maxClients: 100,
    now: () => now,
    ...options,
  });
  return { limiter, advance: (ms: number) => (now += ms) };
}

describe("purchase page rate limiter", () => {
  it("allows `limit` actions per window and says when to retry", () => {
    const { limiter, advance } = limiterAt(10_000);
    for (let i = 0; i < 3; i++) expect(limiter.take("a")).toEqual({ allowed: true });
    expect(limiter.take("a")).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take("b")).toEqual({ allowed: true });
    advance(999);
    expect(limiter.take("a").allowed).toBe(false);
    advance(1);
    expect(limiter.take("a")).toEqual({ allowed: true });
  });

  it("rounds the retry hint up to whole seconds", () => {
    const { limiter, advance } = limiterAt(0, { limit: 1, windowMs: 600_000 });
    expect(limiter.take("x").allowed).toBe(true);
    advance(1_500);
    expect(limiter.take("x")).toEqual({ allowed: false, retryAfterSeconds: 599 });
  });

  it("never remembers more than maxClients, dropping expired windows before live ones", () => {
    const { limiter, advance } = limiterAt(0, { limit: 1, windowMs: 1000, maxClients: 3 });
    limiter.take("old");
    advance(2000);
    limiter.take("b");
    limiter.take("c");
    expect(limiter.size()).toBe(3);
    limiter.take("d");
    expect(limiter.size()).toBe(3);
    // "b" and "c" are still limited: only the expired "old" window was dropped.
    expect(limiter.take("b").allowed).toBe(false);
    expect(limiter.take("c").allowed).toBe(false);
    for (let i = 0; i < 50; i++) limiter.take(`flood-${i}`);
    expect(limiter.size()).toBe(3);
  });
});
