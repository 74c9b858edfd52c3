import { describe, expect, it } from "vitest";
import { testContext } from "../support/index.js";

const ctx = await testContext();

describe("HTTP foundation", () => {
  it("answers an unknown API route with the Flowglad error shape", async () => {
    const m = await ctx.merchant();
    const res = await ctx.api("GET", "/api/v1/no-such-thing", { key: m.testKey });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      code: "NOT_FOUND",
      message: expect.any(String),
      error: expect.any(String),
    });
    expect(res.body.request_id).toMatch(/^req_/);
    expect(res.headers.get("x-should-retry")).toBe("false");
    expect(res.headers.get("content-type")).toContain("application/json");
  });

  it("rejects missing, malformed, unknown and Bearer-less keys correctly", async () => {
    const m = await ctx.merchant();
    expect((await ctx.api("GET", "/api/v1/no-such-thing")).body.code).toBe("UNAUTHORIZED");
    expect((await ctx.api("GET", "/api/v1/no-such-thing", { key: "nonsense" })).status).toBe(401);
    expect((await ctx.api("GET", "/api/v1/no-such-thing", { key: `sk_test_${"x".repeat(32)}` })).status).toBe(
      401,
    );
    // The raw key (as the official client sends it) and a Bearer key both authenticate.
    expect((await ctx.api("GET", "/api/v1/no-such-thing", { key: m.testKey })).status).toBe(404);
    expect((await ctx.api("GET", "/api/v1/no-such-thing", { key: `Bearer ${m.testKey}` })).status).toBe(404);
  });

  it("caps the request body size", async () => {
    const m = await ctx.merchant();
    const big = JSON.stringify({ pad: "x".repeat(ctx.deps.config.maxBodyBytes + 10) });
    const res = await ctx.api("POST", "/api/v1/customers", { key: m.testKey, rawBody: big });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("serves the OpenAPI document and a docs page", async () => {
    const spec = await ctx.api("GET", "/api/openapi.json");
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toBe("3.1.0");
    const docs = await ctx.api("GET", "/api/docs");
    expect(docs.status).toBe(200);
    expect(docs.text).toContain("Glade API");
  });
});
