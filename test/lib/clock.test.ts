import { describe, expect, it } from "vitest";
import { renewSubscription } from "../../src/subscriptions/index.js";
import {
  createCustomer,
  createPricingModel,
  createWebhook,
  ok,
  openSession,
  ownDatabase,
  payCheckout,
  settableClock,
  testContext,
  writtenAt,
} from "../support/index.js";

/**
 * One clock: every row and event an operation writes carries `deps.now()`, never the machine's time. Each
 * operation runs with the clock fixed to its own instant, years away from the real one; whatever it wrote
 * (a diff of every table) must carry exactly that instant in created_at/updated_at, and no timestamp it set
 * may be the real time. A service that goes back to `new Date()` (or to a column's `default now()`) fails.
 */

const clock = settableClock();
// Sweeping every table needs a database no other test file writes to meanwhile.
const ctx = await testContext({ now: clock.now }, { databaseUrl: await ownDatabase() });

/** Runs `operation` at `at`; every row it wrote must say so. Returns the tables it wrote. */
async function atInstant(at: Date, operation: () => Promise<unknown>): Promise<Set<string>> {
  const { tables, problems } = await writtenAt(ctx.deps.db, clock, at, operation);
  expect(problems).toEqual([]);
  return tables;
}

const T0 = new Date("2031-01-02T03:04:05.678Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);

describe("one clock", () => {
  it("stamps every row and event of an operation with deps.now(), never the real time", async () => {
    const m = await ctx.merchant("Clockwork");
    const key = m.testKey;
    const pm = await createPricingModel(ctx, m, { name: "Main", isDefault: true });
    // Deliveries are written with each event: they must be due at the event's instant.
    await createWebhook(ctx, key, { url: "https://merchant.example/hooks" });

    let productId = "";
    const product = await atInstant(minutes(0), async () => {
      const body = {
        product: { name: "Clock", pricingModelId: pm.id },
        price: { type: "single_payment", unitPrice: 1500, currency: "USD" },
      };
      productId = (await ok(ctx.api("POST", "/api/v1/products", { key, body }), "product")).product.id;
    });
    expect(product).toEqual(new Set(["products", "prices"]));

    let monthlyPriceId = "";
    // As the new default it also takes the flag off the product's first price: an update at the same instant.
    const price = await atInstant(minutes(1), async () => {
      const body = {
        price: {
          productId,
          type: "subscription",
          unitPrice: 900,
          currency: "USD",
          intervalUnit: "month",
          intervalCount: 1,
          isDefault: true,
        },
      };
      monthlyPriceId = (await ok(ctx.api("POST", "/api/v1/prices", { key, body }), "price")).price.id;
    });
    expect(price).toEqual(new Set(["prices"]));

    const customer = await atInstant(minutes(2), () => createCustomer(ctx, key, "timekeeper"));
    expect(customer).toEqual(new Set(["customers", "events", "webhook_deliveries"]));

    const updated = await atInstant(minutes(3), () =>
      ok(ctx.api("PUT", "/api/v1/customers/timekeeper", { key, body: { customer: { name: "Renamed" } } })),
    );
    expect(updated).toEqual(new Set(["customers", "events", "webhook_deliveries"]));

    let sessionId = "";
    await atInstant(minutes(4), async () => {
      sessionId = (
        await openSession(ctx, key, {
          type: "product",
          customerExternalId: "timekeeper",
          priceId: monthlyPriceId,
        })
      ).checkoutSession.id;
    });
    const confirmed = await atInstant(minutes(5), () => payCheckout(ctx, sessionId));
    for (const table of [
      "subscriptions",
      "billing_periods",
      "invoices",
      "payments",
      "payment_methods",
      "events",
    ]) {
      expect(confirmed).toContain(table);
    }

    const [subscription] = (await ok(ctx.api("GET", "/api/v1/subscriptions", { key }))).data as {
      id: string;
    }[];
    if (!subscription) throw new Error("the checkout made no subscription");
    const merchant = { organizationId: m.organizationId, livemode: false, apiKeyId: "clock-test" };
    // The first period ends a month after the checkout: forty days on, it is due.
    const renewed = await atInstant(days(40), async () => {
      expect(await renewSubscription(ctx.deps, merchant, subscription.id)).not.toBeNull();
    });
    for (const table of ["subscriptions", "billing_periods", "invoices", "invoice_line_items", "payments"]) {
      expect(renewed).toContain(table);
    }

    const canceled = await atInstant(days(41), () =>
      ok(
        ctx.api("POST", `/api/v1/subscriptions/${subscription.id}/cancel`, {
          key,
          body: { cancellation: { timing: "immediately" } },
        }),
      ),
    );
    for (const table of ["subscriptions", "subscription_items", "billing_periods", "events"]) {
      expect(canceled).toContain(table);
    }
  });

  it("does so for pricing models, saved cards, subscriptions started by the API, refunds and archiving", async () => {
    const m = await ctx.merchant("Clockwork II");
    const key = m.testKey;
    await createWebhook(ctx, key, { url: "https://merchant.example/hooks" });

    // The first read of the default pricing model creates it.
    let defaultId = "";
    const created = await atInstant(minutes(0), async () => {
      defaultId = (await ok(ctx.api("GET", "/api/v1/pricing-models/default", { key }))).pricingModel.id;
    });
    expect(created).toEqual(new Set(["pricing_models"]));
    let productId = "";
    await atInstant(minutes(1), async () => {
      const body = {
        product: { name: "Plan", pricingModelId: defaultId },
        price: {
          type: "subscription",
          unitPrice: 700,
          currency: "USD",
          intervalUnit: "month",
          intervalCount: 1,
        },
      };
      productId = (await ok(ctx.api("POST", "/api/v1/products", { key, body }), "product")).product.id;
    });
    const cloned = await atInstant(minutes(2), () =>
      ok(ctx.api("POST", `/api/v1/pricing-models/${defaultId}/clone`, { key, body: { name: "Copy" } })),
    );
    expect(cloned).toEqual(new Set(["pricing_models", "products", "prices"]));

    await createCustomer(ctx, key, "carder");
    let sessionId = "";
    await atInstant(minutes(3), async () => {
      sessionId = (await openSession(ctx, key, { type: "add_payment_method", customerExternalId: "carder" }))
        .checkoutSession.id;
    });
    const saved = await atInstant(minutes(4), () => payCheckout(ctx, sessionId));
    for (const table of ["payment_methods", "checkout_sessions", "events"]) expect(saved).toContain(table);

    const [card] = (await ok(ctx.api("GET", "/api/v1/payment-methods", { key }))).data as { id: string }[];
    const [price] = (await ok(ctx.api("GET", `/api/v1/products/${productId}`, { key }))).prices as {
      id: string;
    }[];
    if (!card || !price) throw new Error("no card or price to subscribe with");
    const started = await atInstant(minutes(5), () =>
      ok(
        ctx.api("POST", "/api/v1/subscriptions", {
          key,
          body: { customerExternalId: "carder", priceId: price.id, defaultPaymentMethodId: card.id },
        }),
      ),
    );
    for (const table of ["subscriptions", "subscription_items", "billing_periods", "invoices", "payments"]) {
      expect(started).toContain(table);
    }

    const [payment] = (await ok(ctx.api("GET", "/api/v1/payments", { key }))).data as { id: string }[];
    if (!payment) throw new Error("the subscription was not charged");
    const refunded = await atInstant(minutes(6), () =>
      ok(ctx.api("POST", `/api/v1/payments/${payment.id}/refund`, { key, body: {} })),
    );
    // The invoice the payment settled shows the refund (Flowglad's invoice statuses); the payment's day loses it
    // from its net (payment_daily_totals, kept by trigger, has no timestamps of its own).
    expect(refunded).toEqual(
      new Set(["payments", "invoices", "events", "webhook_deliveries", "payment_daily_totals"]),
    );

    const archived = await atInstant(minutes(7), () =>
      ok(ctx.api("POST", "/api/v1/customers/carder/archive", { key, body: {} })),
    );
    expect(archived).toEqual(new Set(["customers", "events", "webhook_deliveries"]));
  });
});
