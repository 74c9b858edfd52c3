import { describe, expect, it } from "vitest";
import { testContext } from "../support/index.js";

const ctx = await testContext();

describe("values Postgres cannot store", () => {
  it("answers a NUL byte in a path or a body with BAD_REQUEST, not a 500", async () => {
    const m = await ctx.merchant();
    for (const path of ["/api/v1/customers/%00", "/api/v1/checkout-sessions/%00", "/api/v1/prices/a%00b"]) {
      const res = await ctx.api("GET", path, { key: m.testKey });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.body.code).toMatch(/BAD_REQUEST|NOT_FOUND/);
    }
    const created = await ctx.api("POST", "/api/v1/customers", {
      key: m.testKey,
      body: { customer: { externalId: "nul\u0000byte", email: "nul@example.com", name: "N" } },
    });
    expect(created.status).toBe(400);
    expect(created.body.code).toBe("BAD_REQUEST");
  });
});

describe("instants beyond what a date can hold", () => {
  it("answers BAD_REQUEST, not a 500, for an expiresAt past year 9999 (a fuzz finding)", async () => {
    const m = await ctx.merchant();
    await ctx.api("POST", "/api/v1/customers", {
      key: m.testKey,
      body: { customer: { externalId: "far", email: "far@example.com", name: "Far" } },
    });
    const res = await ctx.api("POST", "/api/v1/customers/far/billing-portal-sessions", {
      key: m.testKey,
      body: { expiresAt: Number.MAX_SAFE_INTEGER },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("BAD_REQUEST");
  });
});
