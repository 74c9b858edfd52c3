import { and, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { checkoutSessions, invoices, payments, subscriptions } from "../../src/db/schema/index.js";
import { getInvoiceForBillingPeriod } from "../../src/invoices/index.js";
import { renewDueSubscriptions } from "../../src/subscriptions/renew-subscriptions.js";
import {
  CARDS,
  type CatalogFixture,
  catalogFixture,
  createCustomer,
  createSession,
  openSession,
  ownDatabase,
  payCheckout,
  submitCheckoutForm,
  testContext,
} from "../support/index.js";

// Renewal sweeps every tenant with a clock moved weeks ahead: on the shared database it would renew the
// subscriptions other test files are looking at.
const ctx = await testContext({}, { databaseUrl: await ownDatabase() });

/** A subscription bought through the hosted checkout, as a customer would. */
async function subscribe(f: CatalogFixture, externalId: string, priceId: string, card: string, quantity = 1) {
  await createCustomer(ctx, f.merchant.testKey, externalId);
  const { id } = (
    await openSession(ctx, f.merchant.testKey, {
      type: "product",
      customerExternalId: externalId,
      priceId,
      quantity,
    })
  ).checkoutSession;
  await payCheckout(ctx, id, card);
  const [row] = await ctx.deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, id));
  if (!row?.subscriptionId) throw new Error("checkout made no subscription");
  return row.subscriptionId;
}

const DAY = 86_400_000;

/** The app's dependencies with a clock `days` ahead: the background job sees the period as over. */
function later(days: number) {
  return { ...ctx.deps, now: () => new Date(Date.now() + days * DAY) };
}

async function currentEnd(subscriptionId: string): Promise<Date> {
  const [sub] = await ctx.deps.db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId));
  if (!sub?.currentBillingPeriodEnd) throw new Error("no current period");
  return sub.currentBillingPeriodEnd;
}

async function api(f: CatalogFixture, path: string) {
  return (await ctx.api("GET", path, { key: f.merchant.testKey })).body;
}

async function paymentsOf(subscriptionId: string) {
  return ctx.deps.db.select().from(payments).where(eq(payments.subscriptionId, subscriptionId));
}

describe("subscription renewals", () => {
  it("bills the next period once, with the card on file, and moves the subscription into it", async () => {
    const f = await catalogFixture(ctx);
    const subId = await subscribe(f, "renewer", f.monthlyPriceId, CARDS.ok, 2);
    const oldEnd = await currentEnd(subId);
    await renewDueSubscriptions(later(32));
    await renewDueSubscriptions(later(32));

    const sub = (await api(f, `/api/v1/subscriptions/${subId}`)).subscription;
    expect(sub.status).toBe("active");
    expect(sub.currentBillingPeriodStart).toBe(oldEnd.getTime());
    expect(sub.currentBillingPeriodEnd - oldEnd.getTime()).toBeGreaterThanOrEqual(28 * DAY);
    expect(sub.currentBillingPeriodEnd - oldEnd.getTime()).toBeLessThanOrEqual(31 * DAY);

    const charged = (await paymentsOf(subId)).filter((p) => p.status === "succeeded");
    expect(charged.map((p) => p.amount)).toEqual([1800, 1800]);
    const renewalInvoices = await ctx.deps.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.subscriptionId, subId), eq(invoices.status, "paid")));
    expect(renewalInvoices).toHaveLength(2);
  });

  it("charges for the first time when a trial ends", async () => {
    const f = await catalogFixture(ctx);
    const subId = await subscribe(f, "trialist", f.trialPriceId, CARDS.ok);
    expect(await paymentsOf(subId)).toHaveLength(0);
    await renewDueSubscriptions(later(15));
    const sub = (await api(f, `/api/v1/subscriptions/${subId}`)).subscription;
    expect(sub.status).toBe("active");
    expect((await paymentsOf(subId)).map((p) => [p.status, p.amount])).toEqual([["succeeded", 1500]]);
  });

  it("goes past_due on a declined renewal, and an activation checkout then settles it", async () => {
    const f = await catalogFixture(ctx);
    const subId = await subscribe(f, "failing", f.trialPriceId, CARDS.failOnCharge);
    await renewDueSubscriptions(later(15));
    const sub = (await api(f, `/api/v1/subscriptions/${subId}`)).subscription;
    expect(sub.status).toBe("past_due");
    expect((await paymentsOf(subId)).map((p) => p.status)).toEqual(["failed"]);
    const open = await ctx.deps.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.subscriptionId, subId), eq(invoices.status, "open")));
    expect(open.map((i) => i.total)).toEqual([1500]);
    // Past-due subscriptions are not billed again until they are settled.
    await renewDueSubscriptions(later(60));
    expect(await paymentsOf(subId)).toHaveLength(1);

    const activation = await createSession(ctx, f.merchant.testKey, {
      type: "activate_subscription",
      customerExternalId: "failing",
      targetSubscriptionId: subId,
    });
    expect(activation.status).toBe(200);
    expect(
      (await submitCheckoutForm(ctx, activation.body.checkoutSession.id, { cardNumber: CARDS.ok })).status,
    ).toBe(303);
    expect((await api(f, `/api/v1/subscriptions/${subId}`)).subscription.status).toBe("active");
    const stillOpen = await ctx.deps.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.subscriptionId, subId), eq(invoices.status, "open")));
    expect(stillOpen).toHaveLength(0);
  });

  it("goes past_due with an open invoice when there is no card on file", async () => {
    const f = await catalogFixture(ctx);
    await createCustomer(ctx, f.merchant.testKey, "cardless");
    const created = await ctx.api("POST", "/api/v1/subscriptions", {
      key: f.merchant.testKey,
      body: { customerExternalId: "cardless", priceId: f.monthlyPriceId, trialEnd: Date.now() + 86_400_000 },
    });
    expect(created.body.subscription.status).toBe("trialing");
    const subId = created.body.subscription.id;
    await renewDueSubscriptions(later(2));
    expect((await api(f, `/api/v1/subscriptions/${subId}`)).subscription.status).toBe("past_due");
    expect(await paymentsOf(subId)).toHaveLength(0);
    const open = await ctx.deps.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.subscriptionId, subId), eq(invoices.status, "open")));
    expect(open).toHaveLength(1);
  });

  it("charges once when several renewal runs race", async () => {
    const f = await catalogFixture(ctx);
    const subId = await subscribe(f, "racer", f.monthlyPriceId, CARDS.ok);
    const clock = later(32);
    await Promise.all([
      renewDueSubscriptions(clock),
      renewDueSubscriptions(clock),
      renewDueSubscriptions(clock),
    ]);
    expect((await paymentsOf(subId)).filter((p) => p.status === "succeeded")).toHaveLength(2);
    const sub = (await api(f, `/api/v1/subscriptions/${subId}`)).subscription;
    expect(sub.currentBillingPeriodEnd).toBeGreaterThan(Date.now() + 32 * DAY);
  });

  it("finds a renewal's invoice again only for its own organization and mode", async () => {
    const f = await catalogFixture(ctx);
    const subId = await subscribe(f, "refinder", f.monthlyPriceId, CARDS.ok);
    await renewDueSubscriptions(later(32));
    const [renewal] = await ctx.deps.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.subscriptionId, subId), eq(invoices.type, "subscription")))
      .orderBy(desc(invoices.position))
      .limit(1);
    if (!renewal?.billingPeriodId) throw new Error("renewal made no invoice");
    const own = { organizationId: f.merchant.organizationId, livemode: false, apiKeyId: "test" };
    const found = await getInvoiceForBillingPeriod(ctx.deps.db, own, subId, renewal.billingPeriodId);
    expect(found?.id).toBe(renewal.id);
    const live = { ...own, livemode: true };
    expect(
      await getInvoiceForBillingPeriod(ctx.deps.db, live, subId, renewal.billingPeriodId),
    ).toBeUndefined();
    const other = { ...own, organizationId: (await ctx.merchant("other renewals")).organizationId };
    expect(
      await getInvoiceForBillingPeriod(ctx.deps.db, other, subId, renewal.billingPeriodId),
    ).toBeUndefined();
  });
});
