import fc from "fast-check";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { catalogFixture, createSession, ok } from "../support/index.js";
import { serveGladeWithStripe } from "../support/stripe.js";

/**
 * The Stripe-mode page's own endpoints (the intent the pay button asks for, the return from Stripe) and
 * Stripe's webhook, under hostile input: never a 5xx, never a settled session that was not paid.
 */
const world = await serveGladeWithStripe();
const { ctx } = world;
const f = await catalogFixture(ctx);
await world.connect(f.merchant);

const text = () =>
  fc.oneof(
    fc.constantFrom("", " ", "US", "a@b.co", "%00", "<script>", "../../", "\u202e", "x".repeat(300), "𝕏"),
    fc.string({ maxLength: 30 }),
  );
const form = () =>
  fc.dictionary(
    fc.oneof(fc.constantFrom("email", "name", "country", "cardNumber", "__proto__"), text()),
    text(),
    {
      maxKeys: 6,
    },
  );
const clean = (value: string) => value.replace(/[\ud800-\udfff]/g, "");

async function newSession(): Promise<string> {
  const body = await ok(
    createSession(ctx, f.merchant.testKey, { type: "product", anonymous: true, priceId: f.oneTimePriceId }),
    "session",
  );
  return body.checkoutSession.id as string;
}

describe("Stripe-mode page endpoints under hostile input", () => {
  it("the intent endpoint and the return never answer 5xx, and nothing is paid without Stripe saying so", async () => {
    const ids: string[] = [];
    await fc.assert(
      fc.asyncProperty(form(), text(), fc.boolean(), async (fields, query, fresh) => {
        if (fresh || ids.length === 0) ids.push(await newSession());
        const id = ids[ids.length - 1] as string;
        const body = new URLSearchParams(
          Object.entries(fields).map(([k, v]) => [clean(k), clean(v)]),
        ).toString();
        const asked = await ctx.api("POST", `/checkout/${id}/intent`, {
          rawBody: body,
          headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        expect(asked.status, `intent ${body} → ${asked.text.slice(0, 200)}`).toBeLessThan(500);
        const back = await ctx.api("GET", `/checkout/${id}/return?${encodeURIComponent(clean(query))}=1`);
        expect(back.status, `return ?${query}`).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
    const settled = await Promise.all(
      ids.map(
        async (id) =>
          (await ctx.api("GET", `/api/v1/checkout-sessions/${id}`, { key: f.merchant.testKey })).body,
      ),
    );
    expect(settled.filter((s) => s.checkoutSession.status === "succeeded")).toHaveLength(0);
  }, 120_000);

  it("the webhook answers 4xx to anything unsigned or malformed, and never 5xx", async () => {
    const url = `/processors/stripe/webhook/${f.merchant.organizationId}/test`;
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), fc.boolean(), async (payload, sign) => {
        const signature = sign
          ? Stripe.webhooks.generateTestHeaderString({ payload, secret: world.webhookSecret })
          : clean(payload).slice(0, 50);
        const res = await ctx.api("POST", url, {
          rawBody: payload,
          headers: { "stripe-signature": signature, "content-type": "application/json" },
        });
        expect(res.status, `${sign ? "signed" : "unsigned"} ${JSON.stringify(payload)}`).toBeLessThan(500);
      }),
      { numRuns: 80 },
    );
  }, 120_000);
});
