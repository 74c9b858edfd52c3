import { and, asc, eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { reconcilePendingSessions } from "../../src/checkout/index.js";
import { checkoutSessions, events, payments, purchases, sandboxIntents } from "../../src/db/schema/index.js";
import {
  anonymousSession,
  CARDS,
  catalogFixture,
  createCustomer,
  createSession,
  followFormRedirect,
  sessionRow,
  submitCheckoutForm,
  testContext,
} from "../support/index.js";
import { sandboxChargeOfFirstAttempt } from "../support/processors.js";

const ctx = await testContext();

async function eventTypes(organizationId: string) {
  const rows = await ctx.deps.db
    .select({ type: events.type })
    .from(events)
    .where(eq(events.organizationId, organizationId));
  return rows.map((r) => r.type).sort();
}

describe("paying a one-time price", () => {
  it("charges quantity × unit price in full and records everything once", async () => {
    const f = await catalogFixture(ctx);
    await createCustomer(ctx, f.merchant.testKey, "buyer");
    const created = await createSession(ctx, f.merchant.testKey, {
      type: "product",
      customerExternalId: "buyer",
      priceId: f.oneTimePriceId,
      quantity: 3,
      outputName: "Three seats",
      outputMetadata: { order: "A-17" },
    });
    const id = created.body.checkoutSession.id;
    const res = await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`https://merchant.example/thanks?session=${id}`);

    const key = f.merchant.testKey;
    const session = (await ctx.api("GET", `/api/v1/checkout-sessions/${id}`, { key })).body.checkoutSession;
    expect(session).toMatchObject({ status: "succeeded", amountTotal: 5997 });
    const purchase = (await ctx.api("GET", `/api/v1/purchases/${session.purchaseId}`, { key })).body.purchase;
    expect(purchase).toMatchObject({
      quantity: 3,
      status: "paid",
      name: "Three seats",
      metadata: { order: "A-17" },
      priceId: f.oneTimePriceId,
    });
    const invoice = (await ctx.api("GET", `/api/v1/invoices/${session.invoiceId}`, { key })).body;
    expect(invoice.invoice).toMatchObject({ status: "paid", total: 5997, currency: "USD" });
    expect(invoice.invoiceLineItems).toHaveLength(1);
    expect(invoice.invoiceLineItems[0]).toMatchObject({ quantity: 3, amount: 5997 });
    const payment = (await ctx.api("GET", `/api/v1/payments/${session.paymentId}`, { key })).body.payment;
    expect(payment).toMatchObject({ amount: 5997, status: "succeeded", invoiceId: session.invoiceId });
    const pm = (await ctx.api("GET", `/api/v1/payment-methods/${session.paymentMethodId}`, { key })).body
      .paymentMethod;
    expect(pm.paymentMethodData).toMatchObject({ brand: "visa", last4: "4242" });
    expect(JSON.stringify(pm)).not.toContain("4242424242424242");

    expect(await eventTypes(f.merchant.organizationId)).toEqual(
      expect.arrayContaining([
        "checkout_session.succeeded",
        "purchase.completed",
        "payment.succeeded",
        "invoice.paid",
        "payment_method.created",
      ]),
    );

    // Reload and double submit after success: redirected again, nothing new is charged or created.
    const again = await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok });
    expect(again.status).toBe(303);
    const rows = await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, id));
    expect(rows).toHaveLength(1);
  });

  it("creates the customer for an anonymous session from the form", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    const res = await submitCheckoutForm(ctx, id, {
      cardNumber: CARDS.ok,
      email: "Guest@Example.com",
      name: "Gus Guest",
    });
    expect(res.status).toBe(303);
    const row = await sessionRow(ctx, id);
    expect(row.customerId).toMatch(/^cus_/);
    expect(row.customerEmail).toBe("guest@example.com");

    // The records are written concurrently; their events still come in causal order, and the session's
    // event (built from the locked row and the changes, not read back) is exactly what the API returns.
    const written = await ctx.deps.db
      .select({ type: events.type, payload: events.payload })
      .from(events)
      .where(eq(events.organizationId, f.merchant.organizationId))
      .orderBy(asc(events.position));
    expect(written.map((e) => e.type)).toEqual([
      "customer.created",
      "payment_method.created",
      "purchase.completed",
      "invoice.paid",
      "payment.succeeded",
      "checkout_session.succeeded",
    ]);
    const fetched = await ctx.api("GET", `/api/v1/checkout-sessions/${id}`, { key: f.merchant.testKey });
    const succeededEvent = written.at(-1)?.payload as { data?: unknown } | undefined;
    expect(succeededEvent?.data).toEqual(fetched.body.checkoutSession);
  });

  it("shows a decline, keeps the session open, then accepts a good card", async () => {
    const f = await catalogFixture(ctx);
    await createCustomer(ctx, f.merchant.testKey, "decliner");
    const id = (
      await createSession(ctx, f.merchant.testKey, {
        type: "product",
        customerExternalId: "decliner",
        priceId: f.oneTimePriceId,
      })
    ).body.checkoutSession.id;
    const declined = await submitCheckoutForm(ctx, id, { cardNumber: CARDS.decline });
    // Back to the page by a redirect, which shows the decline on the card number field.
    expect(declined.status).toBe(303);
    expect(declined.headers.get("location")).toBe(`/checkout/${id}`);
    const shown = await followFormRedirect(ctx, declined);
    expect(shown.text).toContain("Your card was declined.");
    expect(shown.text).toMatch(/id="cardNumber"[^>]*aria-invalid="true" aria-describedby="cardNumber-error"/);
    const afterDecline = await sessionRow(ctx, id);
    expect(afterDecline.status).toBe("open");
    expect(afterDecline.purchaseId).toBeNull();
    expect(
      await ctx.deps.db.select().from(purchases).where(eq(purchases.checkoutSessionId, id)),
    ).toHaveLength(0);
    const failed = await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, id));
    expect(failed.map((p) => p.status)).toEqual(["failed"]);

    const ok = await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok });
    expect(ok.status).toBe(303);
    expect((await sessionRow(ctx, id)).status).toBe("succeeded");
    expect(await eventTypes(f.merchant.organizationId)).toEqual(
      expect.arrayContaining(["payment.failed", "payment.succeeded"]),
    );
  });

  it("rejects an invalid card number before the processor sees it", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    const res = await submitCheckoutForm(ctx, id, { cardNumber: CARDS.badLuhn });
    expect(res.status).toBe(303);
    expect((await followFormRedirect(ctx, res)).text).toContain("Your card number is invalid.");
    expect((await sessionRow(ctx, id)).status).toBe("open");
    const intents = await ctx.deps.db
      .select()
      .from(sandboxIntents)
      .where(like(sandboxIntents.idempotencyKey, `${id}:%`));
    expect(intents).toHaveLength(0);
  });

  it("runs the challenge flow: approve pays, deny reopens", async () => {
    const f = await catalogFixture(ctx);
    const mk = async () => await anonymousSession(ctx, f);
    const approved = await mk();
    const first = await submitCheckoutForm(ctx, approved, { cardNumber: CARDS.challenge });
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe(`/checkout/${approved}/challenge`);
    const page = await ctx.api("GET", `/checkout/${approved}/challenge`);
    expect(page.text).toContain("Complete authentication");
    const done = await ctx.api("POST", `/checkout/${approved}/challenge`, {
      rawBody: "outcome=approve",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toContain("https://merchant.example/thanks");
    expect((await sessionRow(ctx, approved)).status).toBe("succeeded");

    const denied = await mk();
    await submitCheckoutForm(ctx, denied, { cardNumber: CARDS.challenge });
    const no = await ctx.api("POST", `/checkout/${denied}/challenge`, {
      rawBody: "outcome=deny",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(no.status).toBe(303);
    expect((await followFormRedirect(ctx, no)).text).toContain("Authentication with your bank failed.");
    expect((await sessionRow(ctx, denied)).status).toBe("open");
  });

  it("charges once when many confirms race", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f, { quantity: 2 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok })),
    );
    for (const r of results) expect([303]).toContain(r.status);
    const paid = await ctx.deps.db
      .select()
      .from(payments)
      .where(and(eq(payments.checkoutSessionId, id), eq(payments.status, "succeeded")));
    expect(paid).toHaveLength(1);
    expect(paid[0]?.amount).toBe(3998);
    expect(
      await ctx.deps.db.select().from(purchases).where(eq(purchases.checkoutSessionId, id)),
    ).toHaveLength(1);
    const intents = await ctx.deps.db
      .select()
      .from(sandboxIntents)
      .where(like(sandboxIntents.idempotencyKey, `${id}:%`));
    expect(intents).toHaveLength(1);
  });

  it("completes a free one-time price without a card", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f, { priceId: f.freePriceId });
    const page = await ctx.api("GET", `/checkout/${id}`);
    expect(page.text).not.toContain('name="cardNumber"');
    const res = await submitCheckoutForm(ctx, id, {});
    expect(res.status).toBe(303);
    const row = await sessionRow(ctx, id);
    expect(row.status).toBe("succeeded");
    expect(row.paymentId).toBeNull();
    expect(row.purchaseId).toMatch(/^prch_/);
  });

  it("refuses to pay an expired session", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    await ctx.deps.db
      .update(checkoutSessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(checkoutSessions.id, id));
    const res = await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok });
    expect([303, 200]).toContain(res.status);
    const page = await ctx.api("GET", `/checkout/${id}`);
    expect(page.text).toContain("This checkout has expired");
    expect(await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, id))).toHaveLength(
      0,
    );
  });
});

describe("paying a subscription price", () => {
  it("starts an active subscription and pays its first period", async () => {
    const f = await catalogFixture(ctx);
    await createCustomer(ctx, f.merchant.testKey, "subscriber");
    const id = (
      await createSession(ctx, f.merchant.testKey, {
        type: "product",
        customerExternalId: "subscriber",
        priceId: f.monthlyPriceId,
        quantity: 2,
      })
    ).body.checkoutSession.id;
    expect((await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok })).status).toBe(303);
    const key = f.merchant.testKey;
    const session = (await ctx.api("GET", `/api/v1/checkout-sessions/${id}`, { key })).body.checkoutSession;
    const sub = (await ctx.api("GET", `/api/v1/subscriptions/${session.subscriptionId}`, { key })).body
      .subscription;
    expect(sub).toMatchObject({
      status: "active",
      defaultPaymentMethodId: session.paymentMethodId,
      interval: "month",
      intervalCount: 1,
    });
    expect(sub.currentBillingPeriodEnd).toBeGreaterThan(sub.currentBillingPeriodStart);
    const payment = (await ctx.api("GET", `/api/v1/payments/${session.paymentId}`, { key })).body.payment;
    expect(payment.amount).toBe(1800);
    expect(await eventTypes(f.merchant.organizationId)).toContain("subscription.created");
  });

  it("starts a trial without charging, keeping the card", async () => {
    const f = await catalogFixture(ctx);
    await createCustomer(ctx, f.merchant.testKey, "trialist");
    const id = (
      await createSession(ctx, f.merchant.testKey, {
        type: "product",
        customerExternalId: "trialist",
        priceId: f.trialPriceId,
      })
    ).body.checkoutSession.id;
    const page = await ctx.api("GET", `/checkout/${id}`);
    expect(page.text).toContain("Start 14-day trial");
    expect((await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok })).status).toBe(303);
    const row = await sessionRow(ctx, id);
    expect(row.paymentId).toBeNull();
    const sub = (
      await ctx.api("GET", `/api/v1/subscriptions/${row.subscriptionId}`, { key: f.merchant.testKey })
    ).body.subscription;
    expect(sub.status).toBe("trialing");
    expect(sub.trialEnd - Date.now()).toBeGreaterThan(13 * 86_400_000);
    expect(sub.defaultPaymentMethodId).toBe(row.paymentMethodId);
    expect(await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, id))).toHaveLength(
      0,
    );
  });
});

describe("crash recovery", () => {
  it("fulfils an attempt whose process died after the processor charged", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    // Reproduce the crash window: session claimed (pending, attempt 1) and charged, then nothing recorded.
    await ctx.deps.db
      .update(checkoutSessions)
      .set({
        status: "pending",
        attempt: 1,
        customerEmail: "crash@example.com",
        customerName: "Crash",
        updatedAt: new Date(Date.now() - 10 * 60_000),
      })
      .where(eq(checkoutSessions.id, id));
    await sandboxChargeOfFirstAttempt(ctx, id, 1999, "4242424242424242");
    expect(await reconcilePendingSessions(ctx.deps)).toBeGreaterThanOrEqual(1);
    const row = await sessionRow(ctx, id);
    expect(row.status).toBe("succeeded");
    expect(await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, id))).toHaveLength(
      1,
    );
    // Running it again finds nothing left to do for this session.
    await reconcilePendingSessions(ctx.deps);
    expect(await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, id))).toHaveLength(
      1,
    );
  });

  it("reopens an attempt that died before any charge", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    await ctx.deps.db
      .update(checkoutSessions)
      .set({
        status: "pending",
        attempt: 1,
        customerEmail: "c@example.com",
        updatedAt: new Date(Date.now() - 10 * 60_000),
      })
      .where(eq(checkoutSessions.id, id));
    await reconcilePendingSessions(ctx.deps);
    expect((await sessionRow(ctx, id)).status).toBe("open");
  });
});
