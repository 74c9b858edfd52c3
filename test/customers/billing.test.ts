import { describe, expect, it } from "vitest";
import { seedDemoCatalog } from "../../src/catalog/index.js";
import type { Merchant } from "../../src/context/index.js";
import { createPurchase } from "../../src/purchases/index.js";
import { createSubscription } from "../../src/subscriptions/index.js";
import { createCustomer, testContext } from "../support/index.js";

const ctx = await testContext();

const newCustomer = (key: string, externalId: string, extra: Record<string, unknown> = {}) =>
  createCustomer(ctx, key, externalId, { email: "billing@example.com", name: "Bill", ...extra });

function expectPricingModelShape(pm: any) {
  expect(Array.isArray(pm.products)).toBe(true);
  expect(Array.isArray(pm.usageMeters)).toBe(true);
  for (const product of pm.products) {
    expect(Array.isArray(product.prices)).toBe(true);
    expect(product.prices.length).toBeGreaterThan(0);
    expect(Array.isArray(product.features)).toBe(true);
    expect(product.defaultPrice).toMatchObject({ productId: product.id });
  }
}

describe("customer billing", () => {
  it("returns the full billing shape with empty arrays for a new customer", async () => {
    const m = await ctx.merchant();
    const merchant: Merchant = { organizationId: m.organizationId, livemode: false, apiKeyId: "k" };
    const seeded = await seedDemoCatalog(ctx.deps.db, merchant, ctx.deps.now());
    const customer = await newCustomer(m.testKey, "fresh@example.com");

    const res = await ctx.api("GET", "/api/v1/customers/fresh@example.com/billing", { key: m.testKey });
    expect(res.status).toBe(200);
    const billing = res.body;
    expect(billing.customer).toEqual(customer);
    // A fresh one-time sign-in link on every read (test/portal covers what it does).
    expect(billing.billingPortalUrl).toMatch(/^http:\/\/glade\.test\/billing\/enter\/[0-9A-Za-z]{43}$/);
    expect(billing.subscriptions).toEqual([]);
    expect(billing.currentSubscriptions).toEqual([]);
    expect(billing.currentSubscription).toBeUndefined();
    expect(billing.purchases).toEqual([]);
    expect(billing.invoices).toEqual([]);
    expect(billing.paymentMethods).toEqual([]);

    expect(billing.pricingModel.id).toBe(seeded.pricingModel.id);
    expect(billing.catalog).toEqual(billing.pricingModel);
    expectPricingModelShape(billing.pricingModel);
    expect(billing.pricingModel.products).toHaveLength(1);
    const product = billing.pricingModel.products[0];
    expect(product.slug).toBe("glade-pro");
    expect(product.prices.map((p: any) => p.slug).sort()).toEqual(["pro-lifetime", "pro-monthly"]);
    expect(product.defaultPrice.id).toBe(seeded.oneTimePrice.id);
  });

  it("shows the customer's own pricing model, not the default one", async () => {
    const m = await ctx.merchant();
    const merchant: Merchant = { organizationId: m.organizationId, livemode: false, apiKeyId: "k" };
    await seedDemoCatalog(ctx.deps.db, merchant, ctx.deps.now());
    const pm = await ctx.api("POST", "/api/v1/pricing-models", {
      key: m.testKey,
      body: { pricingModel: { name: "Enterprise" } },
    });
    const pmId = pm.body.pricingModel.id;
    await ctx.api("POST", "/api/v1/products", {
      key: m.testKey,
      body: {
        product: { name: "Enterprise", pricingModelId: pmId },
        price: { type: "single_payment", unitPrice: 99900 },
      },
    });
    await newCustomer(m.testKey, "ent", { pricingModelId: pmId });
    const res = await ctx.api("GET", "/api/v1/customers/ent/billing", { key: m.testKey });
    expect(res.body.pricingModel.id).toBe(pmId);
    expect(res.body.pricingModel.products.map((p: any) => p.name)).toEqual(["Enterprise"]);
    expectPricingModelShape(res.body.pricingModel);
  });

  it("lists subscriptions and purchases, with only live-plan statuses as current", async () => {
    const m = await ctx.merchant();
    const merchant: Merchant = { organizationId: m.organizationId, livemode: false, apiKeyId: "k" };
    const seeded = await seedDemoCatalog(ctx.deps.db, merchant, ctx.deps.now());
    const customer = await newCustomer(m.testKey, "subscriber");
    const other = await newCustomer(m.testKey, "bystander");
    const now = new Date();
    const { trialing, incomplete, purchase } = await ctx.deps.db.transaction(async (tx) => {
      const trialing = await createSubscription(
        tx,
        merchant,
        {
          customerId: customer.id,
          price: seeded.monthlyPrice,
          quantity: 1,
          startDate: now,
          trialEnd: new Date(now.getTime() + 14 * 86_400_000),
          status: "trialing",
        },
        ctx.deps.now(),
      );
      const incomplete = await createSubscription(
        tx,
        merchant,
        {
          customerId: customer.id,
          price: seeded.monthlyPrice,
          quantity: 1,
          startDate: now,
          status: "incomplete",
        },
        ctx.deps.now(),
      );
      await createSubscription(
        tx,
        merchant,
        {
          customerId: other.id,
          price: seeded.monthlyPrice,
          quantity: 1,
          startDate: now,
          status: "active",
        },
        ctx.deps.now(),
      );
      const purchase = await createPurchase(
        tx,
        merchant,
        {
          customerId: customer.id,
          pricingModelId: seeded.pricingModel.id,
          price: seeded.oneTimePrice,
          name: "Lifetime",
          quantity: 1,
          status: "paid",
        },
        ctx.deps.now(),
      );
      return { trialing, incomplete, purchase };
    });

    const res = await ctx.api("GET", "/api/v1/customers/subscriber/billing", { key: m.testKey });
    expect(res.status).toBe(200);
    const billing = res.body;
    expect(billing.subscriptions.map((s: any) => s.id).sort()).toEqual(
      [trialing.subscription.id, incomplete.subscription.id].sort(),
    );
    expect(billing.currentSubscriptions.map((s: any) => s.id)).toEqual([trialing.subscription.id]);
    expect(billing.currentSubscription.id).toBe(trialing.subscription.id);
    expect(Array.isArray(billing.currentSubscription.subscriptionItems)).toBe(true);
    expect(billing.currentSubscription.customerId).toBe(customer.id);
    expect(billing.purchases.map((p: any) => p.id)).toEqual([purchase.id]);
    expect(billing.purchases[0].priceId).toBe(seeded.oneTimePrice.id);

    // The live key sees none of it.
    const live = await ctx.api("GET", "/api/v1/customers/subscriber/billing", { key: m.liveKey });
    expect(live.status).toBe(404);
  });
});
