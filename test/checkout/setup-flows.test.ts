import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { billingPeriods, invoices, payments } from "../../src/db/schema/index.js";
import { createInvoice } from "../../src/invoices/index.js";
import {
  CARDS,
  type CatalogFixture,
  catalogFixture,
  createCustomer,
  createSession,
  eventCount,
  followFormRedirect,
  sessionRow,
  submitCheckoutForm,
  testContext,
} from "../support/index.js";

const ctx = await testContext();

async function incompleteSubscription(f: CatalogFixture, externalId: string) {
  const customer = await createCustomer(ctx, f.merchant.testKey, externalId);
  const res = await ctx.api("POST", "/api/v1/subscriptions", {
    key: f.merchant.testKey,
    body: { customerExternalId: externalId, priceId: f.monthlyPriceId, quantity: 1 },
  });
  expect(res.status).toBeLessThan(300);
  expect(res.body.subscription.status).toBe("incomplete");
  return { customer, subscription: res.body.subscription as { id: string; customerId: string } };
}

describe("add_payment_method sessions", () => {
  it("saves a card without charging and makes the first card the customer's default", async () => {
    const f = await catalogFixture(ctx);
    await createCustomer(ctx, f.merchant.testKey, "carder");
    const res = await createSession(ctx, f.merchant.testKey, {
      type: "add_payment_method",
      customerExternalId: "carder",
    });
    expect(res.status).toBe(200);
    expect(res.body.checkoutSession).toMatchObject({
      type: "add_payment_method",
      status: "open",
      automaticallyUpdateSubscriptions: false,
    });
    const id = res.body.checkoutSession.id;
    const page = await ctx.api("GET", `/checkout/${id}`);
    expect(page.text).toContain("Save card");
    expect((await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok })).status).toBe(303);
    const row = await sessionRow(ctx, id);
    expect(row.status).toBe("succeeded");
    expect(row.paymentId).toBeNull();
    const pm = (
      await ctx.api("GET", `/api/v1/payment-methods/${row.paymentMethodId}`, { key: f.merchant.testKey })
    ).body.paymentMethod;
    expect(pm).toMatchObject({ customerId: row.customerId, default: true });
    expect(await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, id))).toHaveLength(
      0,
    );
    expect(await eventCount(ctx, f.merchant.organizationId, "payment_method.created")).toBe(1);
  });

  it("switches the target subscription's default payment method in the same transaction", async () => {
    const f = await catalogFixture(ctx);
    const { subscription } = await incompleteSubscription(f, "switcher");
    const id = (
      await createSession(ctx, f.merchant.testKey, {
        type: "add_payment_method",
        customerExternalId: "switcher",
        targetSubscriptionId: subscription.id,
      })
    ).body.checkoutSession.id;
    // The challenge card works for saving a card too.
    const first = await submitCheckoutForm(ctx, id, { cardNumber: CARDS.challenge });
    expect(first.headers.get("location")).toBe(`/checkout/${id}/challenge`);
    await ctx.api("POST", `/checkout/${id}/challenge`, {
      rawBody: "outcome=approve",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const row = await sessionRow(ctx, id);
    expect(row.status).toBe("succeeded");
    const sub = (
      await ctx.api("GET", `/api/v1/subscriptions/${subscription.id}`, { key: f.merchant.testKey })
    ).body.subscription;
    expect(sub.defaultPaymentMethodId).toBe(row.paymentMethodId);
    expect(await eventCount(ctx, f.merchant.organizationId, "subscription.updated")).toBeGreaterThanOrEqual(
      1,
    );
  });

  it("refuses targets that are not this customer's live subscription", async () => {
    const f = await catalogFixture(ctx);
    const { subscription } = await incompleteSubscription(f, "owner");
    await createCustomer(ctx, f.merchant.testKey, "intruder");
    const other = await createSession(ctx, f.merchant.testKey, {
      type: "add_payment_method",
      customerExternalId: "intruder",
      targetSubscriptionId: subscription.id,
    });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe("NOT_FOUND");
    const otherOrg = await catalogFixture(ctx);
    await createCustomer(ctx, otherOrg.merchant.testKey, "owner");
    const cross = await createSession(ctx, otherOrg.merchant.testKey, {
      type: "add_payment_method",
      customerExternalId: "owner",
      targetSubscriptionId: subscription.id,
    });
    expect(cross.status).toBe(404);
    const cancel = await ctx.api("POST", `/api/v1/subscriptions/${subscription.id}/cancel`, {
      key: f.merchant.testKey,
      body: { cancellation: { timing: "immediately" } },
    });
    expect(cancel.status).toBe(200);
    const canceled = await createSession(ctx, f.merchant.testKey, {
      type: "add_payment_method",
      customerExternalId: "owner",
      targetSubscriptionId: subscription.id,
    });
    expect(canceled.status).toBe(409);
    expect(canceled.headers.get("x-should-retry")).toBe("false");
    expect((await createSession(ctx, f.merchant.testKey, { type: "add_payment_method" })).status).toBe(400);
  });
});

describe("activate_subscription sessions", () => {
  it("pays every outstanding invoice, activates, and sets the billing anchor", async () => {
    const f = await catalogFixture(ctx);
    const { customer, subscription } = await incompleteSubscription(f, "activator");
    const merchant = { organizationId: f.merchant.organizationId, livemode: false, apiKeyId: "test" };
    await ctx.deps.db.transaction((tx) =>
      createInvoice(
        tx,
        merchant,
        {
          customerId: customer.id,
          pricingModelId: f.pricingModelId,
          type: "subscription",
          currency: "USD",
          lines: [{ priceId: f.monthlyPriceId, description: "Setup fee", quantity: 1, unitPrice: 2500 }],
          status: "open",
          subscriptionId: subscription.id,
        },
        ctx.deps.now(),
      ),
    );
    const res = await createSession(ctx, f.merchant.testKey, {
      type: "activate_subscription",
      customerExternalId: "activator",
      targetSubscriptionId: subscription.id,
    });
    expect(res.status).toBe(200);
    expect(res.body.checkoutSession).toMatchObject({
      type: "activate_subscription",
      targetSubscriptionId: subscription.id,
      priceId: f.monthlyPriceId,
    });
    const id = res.body.checkoutSession.id;
    const page = await ctx.api("GET", `/checkout/${id}`);
    expect(page.text).toContain("Outstanding invoices (2)");
    expect(page.text).toContain("Pay $34.00 and activate");

    const before = Date.now();
    expect((await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok })).status).toBe(303);
    const row = await sessionRow(ctx, id);
    expect(row.status).toBe("succeeded");
    const open = await ctx.deps.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.subscriptionId, subscription.id), eq(invoices.status, "open")));
    expect(open).toHaveLength(0);
    const paid = await ctx.deps.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.subscriptionId, subscription.id), eq(invoices.status, "paid")));
    expect(paid).toHaveLength(2);
    const charged = await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, id));
    expect(charged.map((p) => [p.status, p.amount])).toEqual([["succeeded", 3400]]);
    // The payment and the invoices it paid name the period the activation started (they had none before).
    const [period] = await ctx.deps.db
      .select()
      .from(billingPeriods)
      .where(and(eq(billingPeriods.subscriptionId, subscription.id), eq(billingPeriods.status, "active")));
    expect(period?.id).toEqual(expect.stringMatching(/^bp_/));
    expect(paid.map((i) => i.billingPeriodId)).toEqual([period?.id, period?.id]);
    expect(charged[0]).toMatchObject({ billingPeriodId: period?.id, description: "Glade Pro activation" });
    const sub = (
      await ctx.api("GET", `/api/v1/subscriptions/${subscription.id}`, { key: f.merchant.testKey })
    ).body.subscription;
    expect(sub.status).toBe("active");
    expect(sub.defaultPaymentMethodId).toBe(row.paymentMethodId);
    expect(sub.billingCycleAnchorDate).toBeGreaterThanOrEqual(before - 1000);
    expect(sub.currentBillingPeriodStart).toBeLessThanOrEqual(Date.now());
    expect(sub.currentBillingPeriodEnd).toBeGreaterThan(Date.now());
    expect(await eventCount(ctx, f.merchant.organizationId, "invoice.paid")).toBe(2);

    const again = await createSession(ctx, f.merchant.testKey, {
      type: "activate_subscription",
      customerExternalId: "activator",
      targetSubscriptionId: subscription.id,
    });
    expect(again.status).toBe(409);
  });

  it("leaves everything as it was when the card is declined", async () => {
    const f = await catalogFixture(ctx);
    const { subscription } = await incompleteSubscription(f, "decliner");
    const id = (
      await createSession(ctx, f.merchant.testKey, {
        type: "activate_subscription",
        customerExternalId: "decliner",
        targetSubscriptionId: subscription.id,
      })
    ).body.checkoutSession.id;
    const res = await submitCheckoutForm(ctx, id, { cardNumber: CARDS.decline });
    expect(res.status).toBe(303);
    expect((await followFormRedirect(ctx, res)).text).toContain("Your card was declined.");
    const sub = (
      await ctx.api("GET", `/api/v1/subscriptions/${subscription.id}`, { key: f.merchant.testKey })
    ).body.subscription;
    expect(sub.status).toBe("incomplete");
    expect(sub.defaultPaymentMethodId).toBeNull();
    const open = await ctx.deps.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.subscriptionId, subscription.id), eq(invoices.status, "open")));
    expect(open).toHaveLength(1);
    expect((await sessionRow(ctx, id)).status).toBe("open");
    expect((await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok })).status).toBe(303);
    expect(
      (await ctx.api("GET", `/api/v1/subscriptions/${subscription.id}`, { key: f.merchant.testKey })).body
        .subscription.status,
    ).toBe("active");
  });

  it("charges once when two confirms race", async () => {
    const f = await catalogFixture(ctx);
    const { subscription } = await incompleteSubscription(f, "racer");
    const id = (
      await createSession(ctx, f.merchant.testKey, {
        type: "activate_subscription",
        customerExternalId: "racer",
        targetSubscriptionId: subscription.id,
      })
    ).body.checkoutSession.id;
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok })),
    );
    for (const r of results) expect(r.status).toBe(303);
    const charged = await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, id));
    expect(charged).toHaveLength(1);
  });

  it("keeps an existing billing anchor when asked to", async () => {
    const f = await catalogFixture(ctx);
    const { subscription } = await incompleteSubscription(f, "keeper");
    const anchor = new Date(Date.now() - 10 * 86_400_000);
    const { subscriptions } = await import("../../src/db/schema/index.js");
    await ctx.deps.db
      .update(subscriptions)
      .set({ billingCycleAnchorDate: anchor })
      .where(eq(subscriptions.id, subscription.id));
    const id = (
      await createSession(ctx, f.merchant.testKey, {
        type: "activate_subscription",
        customerExternalId: "keeper",
        targetSubscriptionId: subscription.id,
        preserveBillingCycleAnchor: true,
      })
    ).body.checkoutSession.id;
    expect((await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok })).status).toBe(303);
    const sub = (
      await ctx.api("GET", `/api/v1/subscriptions/${subscription.id}`, { key: f.merchant.testKey })
    ).body.subscription;
    expect(sub.status).toBe("active");
    expect(sub.billingCycleAnchorDate).toBe(anchor.getTime());
    expect(sub.currentBillingPeriodStart).toBe(anchor.getTime());
  });
});
