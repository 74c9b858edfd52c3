import { describe, expect, it } from "vitest";
import { anonymousSession, CARDS, catalogFixture, sessionRow, testContext } from "../support/index.js";

const ctx = await testContext();

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const formHeaders = (origin: string) => ({ "content-type": "application/x-www-form-urlencoded", origin });

const payFields = {
  email: "buyer@example.com",
  name: "Ada Buyer",
  country: "US",
  cardNumber: CARDS.ok,
  cardExpiry: "12 / 34",
  cardCvc: "123",
};

describe("hosted forms posted from elsewhere", () => {
  for (const origin of ["https://evil.example", "null"]) {
    it(`refuses a checkout confirm with Origin: ${origin}, and nothing is charged`, async () => {
      const f = await catalogFixture(ctx);
      const sessionId = await anonymousSession(ctx, f);
      const res = await ctx.api("POST", `/checkout/${sessionId}/confirm`, {
        rawBody: form(payFields),
        headers: formHeaders(origin),
      });
      expect(res.status).toBe(403);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.text).toContain(`/checkout/${sessionId}`);
      const row = await sessionRow(ctx, sessionId);
      expect(row.status).toBe("open");
      expect(row.paymentId).toBeNull();
    });

    it(`refuses a purchase link post with Origin: ${origin}, and no session is made`, async () => {
      const f = await catalogFixture(ctx);
      const before = await ctx.api("GET", "/api/v1/checkout-sessions", { key: f.merchant.testKey });
      const res = await ctx.api("POST", `/price/${f.oneTimePriceId}/purchase`, {
        rawBody: form({ quantity: "1" }),
        headers: formHeaders(origin),
      });
      expect(res.status).toBe(403);
      const after = await ctx.api("GET", "/api/v1/checkout-sessions", { key: f.merchant.testKey });
      expect(after.body.total).toBe(before.body.total);
    });
  }

  it("still takes the same forms from this server's own origin", async () => {
    const f = await catalogFixture(ctx);
    const sessionId = await anonymousSession(ctx, f);
    const res = await ctx.api("POST", `/checkout/${sessionId}/confirm`, {
      rawBody: form(payFields),
      headers: formHeaders(new URL(ctx.deps.config.publicUrl).origin),
    });
    expect(res.status).toBe(303);
  });

  it("pages tell browsers to send their own origin on their own forms, and no referrer elsewhere", async () => {
    const f = await catalogFixture(ctx);
    const sessionId = await anonymousSession(ctx, f);
    const page = await ctx.api("GET", `/checkout/${sessionId}`);
    expect(page.headers.get("referrer-policy")).toBe("same-origin");
  });
});
