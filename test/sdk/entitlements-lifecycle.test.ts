import { FlowgladServer } from "@flowglad/server";
import { describe, expect, it } from "vitest";
import type { Merchant } from "../../src/context/index.js";
import { renewSubscription, runScheduledCancellations } from "../../src/subscriptions/index.js";
import {
  CARDS,
  createPricingModel,
  createProduct,
  DAY,
  listen,
  ok,
  payCheckout,
  type TestMerchant,
  testContext,
} from "../support/index.js";

/**
 * Issue #20's acceptance path: a merchant's app asks the real `@flowglad/server` for feature access, usage
 * balances and seats through a subscription's whole life, trial → active → renewal billing usage → canceled.
 * Glade runs on a loopback port with an app clock the test moves; each renewal is run for this subscription
 * only, so the shared database's other subscriptions are left alone.
 */
const clock = { now: Date.now() };
const base = await testContext();
const config = { ...base.deps.config };
const ctx = await testContext({ config, now: () => new Date(clock.now) });
const { url: baseUrl } = await listen(ctx.app.fetch);
config.publicUrl = baseUrl;

const URLS = { successUrl: "https://merchant.example/done", cancelUrl: "https://merchant.example/cart" };

/** Pro: $20 a month after a 14-day trial; analytics, 100 API calls a period, then 10¢ a call; 3 seats. */
async function proCatalog(m: TestMerchant) {
  const post = async (path: string, body: unknown) => ok(ctx.api("POST", path, { key: m.testKey, body }));
  const pm = await createPricingModel(ctx, m, { name: "SaaS", isDefault: true });
  const { usageMeter } = await post("/api/v1/usage-meters", {
    usageMeter: { name: "API calls", slug: "api-calls", pricingModelId: pm.id },
    price: { type: "usage", unitPrice: 10, usageEventsPerUnit: 1 },
  });
  const { resource } = await post("/api/v1/resources", {
    resource: { name: "Seats", slug: "seats", pricingModelId: pm.id },
  });
  const feature = async (fields: Record<string, unknown>) =>
    (await post("/api/v1/features", { feature: { pricingModelId: pm.id, ...fields } })).feature.id as string;
  const featureIds = [
    await feature({ type: "toggle", name: "Analytics", slug: "analytics" }),
    await feature({
      type: "usage_credit_grant",
      name: "100 calls a month",
      slug: "included-calls",
      amount: 100,
      renewalFrequency: "every_billing_period",
      usageMeterId: usageMeter.id,
    }),
    await feature({
      type: "resource",
      name: "3 seats",
      slug: "three-seats",
      amount: 3,
      resourceId: resource.id,
    }),
  ];
  const product = await createProduct(
    ctx,
    m,
    pm.id,
    { name: "Pro", slug: "pro", active: true },
    {
      type: "subscription",
      unitPrice: 2000,
      currency: "USD",
      intervalUnit: "month",
      intervalCount: 1,
      trialPeriodDays: 14,
      slug: "pro-monthly",
      isDefault: true,
    },
  );
  await ok(
    ctx.api("PUT", `/api/v1/products/${product.id}`, {
      key: m.testKey,
      body: { product: { id: product.id }, featureIds },
    }),
  );
}

function serverFor(m: TestMerchant, externalId: string) {
  return new FlowgladServer({
    customerExternalId: externalId,
    getCustomerDetails: async () => ({ name: "Lee", email: "lee@example.com" }),
    apiKey: m.testKey,
    baseURL: baseUrl,
  });
}

const merchantOf = (m: TestMerchant): Merchant => ({
  organizationId: m.organizationId,
  livemode: false,
  apiKeyId: "test",
});

/** Invoices as Glade sends them (the SDK's invoice types leave out `total`). */
type InvoiceWithLines = {
  invoice: { id: string; total: number; status: string; billingPeriodId: string | null };
  invoiceLineItems: Record<string, unknown>[];
};
const invoicesIn = (billing: { invoices: unknown }) => billing.invoices as InvoiceWithLines[];

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: Error) => e,
  );
}

describe("entitlements and usage through @flowglad/server, over a subscription's life", () => {
  it("answers feature access, balances and seats from trial to cancellation, and bills usage at renewal", async () => {
    const m = await ctx.merchant("Usage SaaS");
    await proCatalog(m);
    const lee = serverFor(m, "user_lee");

    // Before subscribing: no access, no balance.
    let billing = await lee.getBilling();
    expect(billing.checkFeatureAccess("analytics")).toBe(false);
    expect(billing.checkUsageBalance("api-calls")).toBeNull();

    const { checkoutSession } = await lee.createCheckoutSession({ priceSlug: "pro-monthly", ...URLS });
    await payCheckout(ctx, checkoutSession.id, CARDS.ok);

    // Trial: the features are granted from the first day.
    billing = await lee.getBilling();
    const subscription = billing.currentSubscription;
    expect(subscription?.status).toBe("trialing");
    const subscriptionId = subscription?.id as string;
    expect(billing.checkFeatureAccess("analytics")).toBe(true);
    expect(billing.checkFeatureAccess("no-such-feature")).toBe(false);
    expect(billing.checkUsageBalance("api-calls")).toMatchObject({
      slug: "api-calls",
      availableBalance: 100,
    });

    await lee.createUsageEvent({
      subscriptionId,
      usageMeterSlug: "api-calls",
      amount: 30,
      transactionId: "t1",
    });
    await lee.bulkCreateUsageEvents({
      usageEvents: [
        { subscriptionId, priceSlug: "api-calls", amount: 10, transactionId: "t2" },
        { subscriptionId, usageMeterSlug: "api-calls", amount: 20, transactionId: "t3" },
        // A retried event: the same transaction id counts once.
        { subscriptionId, usageMeterSlug: "api-calls", amount: 30, transactionId: "t1" },
      ],
    });
    expect((await lee.getBilling()).checkUsageBalance("api-calls")?.availableBalance).toBe(40);
    const balances = await lee.getUsageMeterBalances({ subscriptionId });
    expect(balances.usageMeterBalances).toEqual([
      expect.objectContaining({ slug: "api-calls", availableBalance: 40, subscriptionId }),
    ]);

    // Seats: capacity 3 from the resource feature.
    const claimed = await lee.claimResource({ resourceSlug: "seats", externalIds: ["ana", "bo"] });
    expect(claimed.usage).toMatchObject({ capacity: 3, claimed: 2, available: 1 });
    expect(await failure(lee.claimResource({ resourceSlug: "seats", quantity: 2 }))).toBeInstanceOf(Error);
    const released = await lee.releaseResource({ resourceSlug: "seats", externalId: "ana" });
    expect(released.usage).toMatchObject({ capacity: 3, claimed: 1, available: 2 });
    expect((await lee.getResourceUsages({})).resources).toEqual([
      expect.objectContaining({ resourceSlug: "seats", capacity: 3, claimed: 1, available: 2 }),
    ]);

    // Trial over: the renewal bills the first paid period; the trial's 60 calls were within the credits.
    clock.now += 15 * DAY;
    const afterTrial = await renewSubscription(ctx.deps, merchantOf(m), subscriptionId);
    expect(afterTrial?.status).toBe("active");
    billing = await lee.getBilling();
    expect(billing.checkFeatureAccess("analytics")).toBe(true);
    expect(billing.checkUsageBalance("api-calls")?.availableBalance).toBe(100);
    const firstInvoice = invoicesIn(billing).find(
      (i) => i.invoice.billingPeriodId !== null && i.invoice.total > 0,
    );
    expect(firstInvoice?.invoice).toMatchObject({ total: 2000, status: "paid" });
    expect(firstInvoice?.invoiceLineItems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: "usage",
          quantity: 0,
          price: 10,
          amount: 0,
          ledgerAccountCredit: 60,
        }),
      ]),
    );

    // 130 calls in the first paid month: 100 covered, 30 billed at 10¢ on the next renewal.
    await lee.createUsageEvent({
      subscriptionId,
      usageMeterSlug: "api-calls",
      amount: 130,
      transactionId: "t4",
    });
    expect((await lee.getBilling()).checkUsageBalance("api-calls")?.availableBalance).toBe(-30);
    clock.now += 31 * DAY;
    const renewed = await renewSubscription(ctx.deps, merchantOf(m), subscriptionId);
    expect(renewed?.status).toBe("active");
    billing = await lee.getBilling();
    const second = invoicesIn(billing).find(
      (i) => i.invoice.id !== firstInvoice?.invoice.id && i.invoice.total > 0,
    );
    expect(second?.invoice).toMatchObject({ total: 2300, status: "paid" });
    expect(second?.invoiceLineItems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "static", quantity: 1, price: 2000, amount: 2000 }),
        expect.objectContaining({
          type: "usage",
          quantity: 30,
          price: 10,
          amount: 300,
          ledgerAccountCredit: 100,
        }),
      ]),
    );
    expect(billing.checkUsageBalance("api-calls")?.availableBalance).toBe(100);

    // Canceled at period end: everything stays until the end, then goes.
    await lee.cancelSubscription({
      id: subscriptionId,
      cancellation: { timing: "at_end_of_current_billing_period" },
    });
    billing = await lee.getBilling();
    expect(billing.currentSubscription?.status).toBe("cancellation_scheduled");
    expect(billing.checkFeatureAccess("analytics")).toBe(true);
    expect((await lee.claimResource({ resourceSlug: "seats", externalId: "cy" })).usage.claimed).toBe(2);

    clock.now += 31 * DAY;
    await runScheduledCancellations(ctx.deps);
    billing = await lee.getBilling();
    expect(billing.currentSubscriptions ?? []).toEqual([]);
    expect(billing.checkFeatureAccess("analytics")).toBe(false);
    expect(billing.checkUsageBalance("api-calls")).toBeNull();
    expect(
      await failure(lee.claimResource({ resourceSlug: "seats", externalId: "dee", subscriptionId })),
    ).toBeInstanceOf(Error);
    const usage = await failure(
      ctx
        .api("POST", "/api/v1/usage-events", {
          key: m.testKey,
          body: {
            usageEvent: { subscriptionId, usageMeterSlug: "api-calls", amount: 1, transactionId: "t5" },
          },
        })
        .then((res) => (res.status < 400 ? res : Promise.reject(new Error(`HTTP ${res.status}`)))),
    );
    expect(usage.message).toMatch(/HTTP 4\d\d/);
  });
});
