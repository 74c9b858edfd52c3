import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { checkoutSessions } from "../../src/db/schema/index.js";
import { catalogFixture, createSession, followFormRedirect, ok } from "../support/index.js";
import { payWithStripe, serveGladeWithStripe } from "../support/stripe.js";

const world = await serveGladeWithStripe("live");
const { ctx } = world;

/** A live pricing model, product and price, made with the merchant's live key. */
async function livePrice(key: string): Promise<string> {
  const pm = await ok(
    ctx.api("POST", "/api/v1/pricing-models", {
      key,
      body: { pricingModel: { name: "Live", isDefault: true } },
    }),
    "pricing model",
  );
  const product = await ok(
    ctx.api("POST", "/api/v1/products", {
      key,
      body: {
        product: { name: "Live Thing", pricingModelId: pm.pricingModel.id, slug: "live-thing" },
        price: { type: "single_payment", unitPrice: 500, currency: "USD", slug: "live-thing-once" },
      },
    }),
    "product",
  );
  return (await ok(ctx.api("GET", `/api/v1/products/${product.product.id}`, { key }), "read")).defaultPrice
    .id;
}

describe("live mode takes real money only", () => {
  it("refuses a live session until a live processor is connected, then sells through Stripe", async () => {
    const f = await catalogFixture(ctx);
    const key = f.merchant.liveKey;
    const priceId = await livePrice(key);
    const refused = await createSession(ctx, key, { type: "product", anonymous: true, priceId });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("UNPROCESSABLE_CONTENT");
    expect(refused.body.message).toMatch(/connect a payment processor for live mode/i);
    const none = await ctx.deps.db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.organizationId, f.merchant.organizationId));
    expect(none.filter((s) => s.livemode)).toHaveLength(0);

    await world.connect(f.merchant);
    const id = (await ok(createSession(ctx, key, { type: "product", anonymous: true, priceId }), "session"))
      .checkoutSession.id as string;
    // The page is Stripe's, never the sandbox's card form.
    const page = await ctx.api("GET", `/checkout/${id}`);
    expect(page.text).toContain('id="payment-element"');
    expect(page.text).not.toContain('name="cardNumber"');
    // A card posted to the sandbox's confirm endpoint is refused without reaching any processor.
    const posted = await ctx.api("POST", `/checkout/${id}/confirm`, {
      rawBody: new URLSearchParams({
        email: "a@b.co",
        name: "A",
        country: "US",
        cardNumber: "4242424242424242",
        cardExpiry: "12 / 34",
        cardCvc: "123",
      }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(posted.status).toBe(303);
    expect((await followFormRedirect(ctx, posted)).text).toContain("card details on the payment form only");
    await payWithStripe(world, id);
    const [paid] = await ctx.deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, id));
    expect(paid).toMatchObject({ status: "succeeded", processor: "stripe", livemode: true });
    // Still a live key cannot sell a test-mode price.
    const crossMode = await createSession(ctx, key, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
    });
    expect(crossMode.status).toBe(404);
  });

  it("a disconnected live mode shows the page without a way to pay, and refuses new sessions", async () => {
    const f = await catalogFixture(ctx);
    const key = f.merchant.liveKey;
    const priceId = await livePrice(key);
    await world.connect(f.merchant);
    const id = (await ok(createSession(ctx, key, { type: "product", anonymous: true, priceId }), "session"))
      .checkoutSession.id as string;
    expect((await ctx.api("DELETE", "/api/v1/processors/stripe", { key })).status).toBe(200);
    const page = await ctx.api("GET", `/checkout/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("cannot take payments right now");
    expect(page.text).not.toContain('name="cardNumber"');
    expect((await createSession(ctx, key, { type: "product", anonymous: true, priceId })).status).toBe(422);
  });
});
