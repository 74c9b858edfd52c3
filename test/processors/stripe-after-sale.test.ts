import { desc, eq } from "drizzle-orm";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { invoices, payments, purchases } from "../../src/db/schema/index.js";
import { createStripeClient } from "../../src/payments/stripe/index.js";
import { renewSubscription } from "../../src/subscriptions/index.js";
import type { TestPaymentMethod } from "../fixtures/fake-stripe/index.js";
import {
  type CatalogFixture,
  catalogFixture,
  createCustomer,
  createSession,
  eventCount,
  ok,
  sessionRow,
} from "../support/index.js";
import { payWithStripe, serveGladeWithStripe } from "../support/stripe.js";

const world = await serveGladeWithStripe();
const { ctx, fake } = world;

/**
 * A connected merchant and a customer who started the trial plan through Stripe (a SetupIntent) with `card`,
 * approving 3-D Secure if the card asks for it.
 */
async function customerWithSavedCard(card: TestPaymentMethod = "pm_card_visa") {
  const f = await catalogFixture(ctx);
  await world.connect(f.merchant);
  const externalId = `stripe-sub-${Math.random().toString(36).slice(2)}`;
  await createCustomer(ctx, f.merchant.testKey, externalId);
  const body = await ok(
    createSession(ctx, f.merchant.testKey, {
      type: "product",
      customerExternalId: externalId,
      priceId: f.trialPriceId,
    }),
    "session",
  );
  const sessionId = body.checkoutSession.id as string;
  const authenticate = card === "pm_card_authenticationRequired" ? "approve" : undefined;
  await payWithStripe(world, sessionId, card, authenticate ? { authenticate } : {});
  const session = await sessionRow(ctx, sessionId);
  expect(session.status).toBe("succeeded");
  return {
    f,
    customerId: session.customerId,
    cardId: session.paymentMethodId,
    subscriptionId: session.subscriptionId ?? "",
    key: f.merchant.testKey,
  };
}

async function anonymousSession(f: CatalogFixture): Promise<string> {
  const body = await ok(
    createSession(ctx, f.merchant.testKey, { type: "product", anonymous: true, priceId: f.oneTimePriceId }),
    "session",
  );
  return body.checkoutSession.id as string;
}

const paymentByIntent = async (intentId: string) =>
  (await ctx.deps.db.select().from(payments).where(eq(payments.processorIntentId, intentId)))[0];

describe("off-session charges of a card saved through Stripe", () => {
  it("a new subscription charges the saved card off-session, keyed per subscription", async () => {
    const { f, customerId, cardId, key } = await customerWithSavedCard();
    const created = await ctx.api("POST", "/api/v1/subscriptions", {
      key,
      body: { customerId, priceId: f.monthlyPriceId, defaultPaymentMethodId: cardId },
    });
    expect(created.status).toBe(200);
    const subscriptionId = created.body.subscription.id;
    const offSession = fake
      .requests()
      .filter(
        (r) =>
          r.path === "/v1/payment_intents" && r.idempotencyKey === `subscription_start:${subscriptionId}`,
      );
    expect(offSession).toHaveLength(1);
    const charged = await ctx.deps.db
      .select()
      .from(payments)
      .where(eq(payments.subscriptionId, subscriptionId));
    expect(charged.map((p) => [p.status, p.processor, p.amount])).toEqual([["succeeded", "stripe", 900]]);
  });

  it.each([
    ["declines every charge", "pm_card_chargeCustomerFail"],
    ["needs authentication off-session", "pm_card_authenticationRequired"],
  ] as const)("a card that %s leaves it incomplete, nothing charged, and says why", async (_what, card) => {
    const { f, customerId, cardId, key } = await customerWithSavedCard(card);
    const refused = await ctx.api("POST", "/api/v1/subscriptions", {
      key,
      body: { customerId, priceId: f.monthlyPriceId, defaultPaymentMethodId: cardId },
    });
    expect(refused.status, JSON.stringify(refused.body)).toBe(200);
    expect(refused.body.subscription.status).toBe("incomplete");
    const charged = await ctx.deps.db
      .select()
      .from(payments)
      .where(eq(payments.customerId, customerId ?? ""));
    expect(charged.filter((p) => p.status === "succeeded")).toHaveLength(0);
    // The declined attempt is on record against the open first invoice, with the processor's reason.
    expect(charged).toEqual([
      expect.objectContaining({
        status: "failed",
        subscriptionId: refused.body.subscription.id,
        failureMessage: expect.any(String),
      }),
    ]);
  });
});

describe("renewals charge the card saved through Stripe", () => {
  const DAY = 86_400_000;
  /** The trial (14 days) is over: the renewal job runs with a clock past its end. */
  const afterTrial = { ...ctx.deps, now: () => new Date(Date.now() + 15 * DAY) };

  it.each([
    ["pays: active, invoice paid", "pm_card_visa", "active", "paid"],
    ["declines: past_due, invoice left open", "pm_card_chargeCustomerFail", "past_due", "open"],
  ] as const)("a renewal that %s", async (_what, card, status, invoiceStatus) => {
    const { f, subscriptionId } = await customerWithSavedCard(card);
    const merchant = { organizationId: f.merchant.organizationId, livemode: false, apiKeyId: "test" };
    const renewed = await renewSubscription(afterTrial, merchant, subscriptionId);
    expect(renewed?.status).toBe(status);
    const charges = fake
      .requests()
      .filter((r) => r.path === "/v1/payment_intents" && r.idempotencyKey?.startsWith("renewal:"));
    const [invoice] = await ctx.deps.db
      .select()
      .from(invoices)
      .where(eq(invoices.subscriptionId, subscriptionId))
      .orderBy(desc(invoices.position))
      .limit(1);
    expect(invoice?.status).toBe(invoiceStatus);
    const recorded = await ctx.deps.db
      .select()
      .from(payments)
      .where(eq(payments.invoiceId, invoice?.id ?? ""));
    expect(recorded.map((p) => [p.processor, p.status, p.amount])).toEqual([
      ["stripe", card === "pm_card_visa" ? "succeeded" : "failed", 1500],
    ]);
    expect(charges.some((r) => r.idempotencyKey === `renewal:${invoice?.billingPeriodId}`)).toBe(true);
    // Running the job again for the same period charges nothing more.
    await renewSubscription(afterTrial, merchant, subscriptionId);
    expect(
      await ctx.deps.db
        .select()
        .from(payments)
        .where(eq(payments.invoiceId, invoice?.id ?? "")),
    ).toHaveLength(1);
  });
});

describe("refunds and disputes", () => {
  it("refunds go through Stripe Refunds in parts; Stripe's echo does not count them twice", async () => {
    const f = await catalogFixture(ctx);
    await world.connect(f.merchant, { autoWebhooks: true });
    const sessionId = await anonymousSession(f);
    const { intentId } = await payWithStripe(world, sessionId);
    const payment = await paymentByIntent(intentId);
    if (!payment) throw new Error("no payment");
    const key = f.merchant.testKey;
    const partial = await ctx.api("POST", `/api/v1/payments/${payment.id}/refund`, {
      key,
      body: { partialAmount: 500 },
    });
    expect(partial.body.payment).toMatchObject({ status: "succeeded", refundedAmount: 500 });
    const rest = await ctx.api("POST", `/api/v1/payments/${payment.id}/refund`, { key, body: {} });
    expect(rest.body.payment).toMatchObject({ status: "refunded", refundedAmount: 1999 });
    await fake.deliveriesSettled();
    expect((await paymentByIntent(intentId))?.refundedAmount).toBe(1999);
    expect(await eventCount(ctx, f.merchant.organizationId, "payment.refunded", payment.id)).toBe(2);
    const refunds = fake.requests().filter((r) => r.path === "/v1/refunds" && r.method === "POST");
    // Each refund is named by the total it brings the payment to: a retried call is the same refund.
    expect(refunds.map((r) => r.idempotencyKey)).toEqual([
      `${payment.id}:refund:500`,
      `${payment.id}:refund:1999`,
    ]);
  });

  it("a refund made in Stripe's dashboard and a dispute are recorded once each", async () => {
    const f = await catalogFixture(ctx);
    await world.connect(f.merchant, { autoWebhooks: false });
    const sessionId = await anonymousSession(f);
    const { intentId } = await payWithStripe(world, sessionId);
    const stripe = createStripeClient(fake.secretKey, { apiUrl: fake.apiUrl });
    await stripe.refunds.create({ payment_intent: intentId, amount: 700 });
    fake.dispute(intentId);
    const aboutIt = (e: Stripe.Event) =>
      (e.data.object as { payment_intent?: unknown }).payment_intent === intentId;
    const wanted = fake
      .events()
      .filter((e) => (e.type === "charge.refunded" || e.type === "charge.dispute.created") && aboutIt(e));
    expect(wanted).toHaveLength(2);
    for (const event of [...wanted, ...wanted]) {
      expect((await fake.deliver(event.id)).status).toBe(200);
    }
    const payment = await paymentByIntent(intentId);
    expect(payment).toMatchObject({ refundedAmount: 700, status: "succeeded" });
    expect(payment?.disputedAt).toBeInstanceOf(Date);
    const org = f.merchant.organizationId;
    expect(await eventCount(ctx, org, "payment.refunded", payment?.id)).toBe(1);
    expect(await eventCount(ctx, org, "payment.disputed", payment?.id)).toBe(1);
  });
});

describe("refunds reported by Stripe", () => {
  /** What a payment's refunds show on it, its invoice and its purchase. */
  async function statusesOf(intentId: string) {
    const payment = await paymentByIntent(intentId);
    if (!payment?.invoiceId || !payment.purchaseId) throw new Error("the checkout's payment has no invoice");
    const [invoice] = await ctx.deps.db.select().from(invoices).where(eq(invoices.id, payment.invoiceId));
    const [purchase] = await ctx.deps.db.select().from(purchases).where(eq(purchases.id, payment.purchaseId));
    return [payment.status, payment.refundedAmount, invoice?.status, purchase?.status];
  }

  it("move the invoice and the purchase as an API refund does: in part, then in full", async () => {
    const f = await catalogFixture(ctx);
    await world.connect(f.merchant, { autoWebhooks: false });
    const { intentId } = await payWithStripe(world, await anonymousSession(f));
    expect(await statusesOf(intentId)).toEqual(["succeeded", 0, "paid", "paid"]);
    const stripe = createStripeClient(fake.secretKey, { apiUrl: fake.apiUrl });
    const deliverRefunds = async () => {
      for (const e of fake.events()) {
        const object = e.data.object as { payment_intent?: unknown };
        if (e.type === "charge.refunded" && object.payment_intent === intentId) {
          expect((await fake.deliver(e.id)).status).toBe(200);
        }
      }
    };
    await stripe.refunds.create({ payment_intent: intentId, amount: 700 });
    await deliverRefunds();
    expect(await statusesOf(intentId)).toEqual(["succeeded", 700, "partially_refunded", "partial_refund"]);
    await stripe.refunds.create({ payment_intent: intentId, amount: 1299 });
    await deliverRefunds();
    expect(await statusesOf(intentId)).toEqual(["refunded", 1999, "refunded", "refunded"]);
    const payment = await paymentByIntent(intentId);
    expect(await eventCount(ctx, f.merchant.organizationId, "payment.refunded", payment?.id)).toBe(2);
  });
});

describe("Stripe's webhooks", () => {
  const url = (org: string, mode = "test") => `/processors/stripe/webhook/${org}/${mode}`;

  it("refuses a wrong signature and unknown connections, and ignores another tenant's intents", async () => {
    const a = await catalogFixture(ctx);
    await world.connect(a.merchant);
    const b = await catalogFixture(ctx);
    await world.connect(b.merchant);
    const sessionId = await anonymousSession(a);
    const { intentId } = await payWithStripe(world, sessionId, "pm_card_visa", { returnToGlade: false });
    const succeeded = fake
      .events()
      .find(
        (e) => e.type === "payment_intent.succeeded" && (e.data.object as { id: string }).id === intentId,
      );
    if (!succeeded) throw new Error("no event");
    const payload = JSON.stringify(succeeded);
    const signed = (secret: string) => Stripe.webhooks.generateTestHeaderString({ payload, secret });
    const post = (path: string, signature: string) =>
      ctx.api("POST", path, {
        rawBody: payload,
        headers: { "stripe-signature": signature, "content-type": "application/json" },
      });

    expect((await post(url(a.merchant.organizationId), signed("whsec_wrong"))).status).toBe(400);
    expect((await post(url("org_nobody"), signed(world.webhookSecret))).status).toBe(404);
    expect((await post(url(a.merchant.organizationId, "staging"), signed(world.webhookSecret))).status).toBe(
      404,
    );
    // B's endpoint verifies the signature (same secret in this test) but the intent is A's: acknowledged, ignored.
    const elsewhere = await post(url(b.merchant.organizationId), signed(world.webhookSecret));
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.outcome).toBe("ignored");
    expect((await sessionRow(ctx, sessionId)).status).toBe("pending");
    // Delivered where it belongs, twice and after a stale `processing`-era replay, it settles once.
    for (let i = 0; i < 2; i++) {
      const res = await post(url(a.merchant.organizationId), signed(world.webhookSecret));
      expect(res.status).toBe(200);
    }
    expect((await sessionRow(ctx, sessionId)).status).toBe("succeeded");
    expect(
      await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, sessionId)),
    ).toHaveLength(1);
  });
});
