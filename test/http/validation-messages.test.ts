import { describe, expect, it } from "vitest";
import { testContext } from "../support/index.js";

const ctx = await testContext();

describe("validation errors say what was wrong, in the words of the request", () => {
  it("names the body field a schema refused, never 'Invalid json' for JSON that parsed", async () => {
    const m = await ctx.merchant();
    const res = await ctx.api("POST", "/api/v1/products", {
      key: m.testKey,
      body: { product: { name: "No pricing model" } },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("BAD_REQUEST");
    expect(res.body.message).not.toMatch(/json/i);
    expect(res.body.message).toMatch(/^Invalid request body: product\.pricingModelId: /);
    expect(res.body.issues[0].path).toEqual(["product", "pricingModelId"]);
  });

  it("says a body that is not JSON at all is malformed JSON", async () => {
    const m = await ctx.merchant();
    const res = await ctx.api("POST", "/api/v1/products", { key: m.testKey, rawBody: '{"product": {' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("BAD_REQUEST");
    expect(res.body.message).toMatch(/malformed JSON/i);
  });

  it("names query parameters as query parameters", async () => {
    const m = await ctx.merchant();
    const res = await ctx.api("GET", "/api/v1/customers?limit=abc", { key: m.testKey });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^Invalid query parameters: limit: /);
  });
});
