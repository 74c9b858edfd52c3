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
