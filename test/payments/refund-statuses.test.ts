import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { invoices, payments, purchases } from "../../src/db/schema/index.js";
import { createSandboxProcessor } from "../../src/payments/sandbox.js";
import {
  anonymousSession,
  type CatalogFixture,
  catalogFixture,
  createCustomer,
  eventsFor,
  openSession,
  payCheckout,
  type TestContext,
  testContext,
} from "../support/index.js";
import { onlyProcessor } from "../support/processors.js";

/** Refunds through the API show on the payment, its invoice and its purchase with Flowglad's statuses. */
const ctx = await testContext();

/** A checkout paid through the hosted page; the payment it recorded. */
async function paidCheckout(c: TestContext, f: CatalogFixture, priceId?: string) {
  let sessionId: string;
  if (priceId === undefined) sessionId = await anonymousSession(c, f);
  else {
    const customerExternalId = `refund-${Math.random().toString(36).slice(2)}`;
    await createCustomer(c, f.merchant.testKey, customerExternalId);
    const session = await openSession(c, f.merchant.testKey, {
      type: "product",
      customerExternalId,
      priceId,
    });
    sessionId = session.checkoutSession.id;
  }
  await payCheckout(c, sessionId);
  const [payment] = await c.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, sessionId));
  if (!payment?.invoiceId || !payment.purchaseId)
    throw new Error("the checkout recorded no invoice or purchase");
  return payment;
}

/** [payment status, refunded amount, invoice status, purchase status] as stored. */
async function statuses(c: TestContext, paymentId: string) {
  const [payment] = await c.deps.db.select().from(payments).where(eq(payments.id, paymentId));
  const [invoice] = await c.deps.db
    .select()
    .from(invoices)
    .where(eq(invoices.id, payment?.invoiceId ?? ""));
  const [purchase] = await c.deps.db
    .select()
    .from(purchases)
    .where(eq(purchases.id, payment?.purchaseId ?? ""));
  return [payment?.status, payment?.refundedAmount, invoice?.status, purchase?.status];
}

const refund = (c: TestContext, key: string, paymentId: string, body: Record<string, unknown> = {}) =>
  c.api("POST", `/api/v1/payments/${paymentId}/refund`, { key, body });

describe("refund statuses", () => {
  it("a partial refund leaves the payment succeeded, the invoice partially_refunded and the purchase partial_refund; the rest refunds all three", async () => {
    const f = await catalogFixture(ctx);
    const payment = await paidCheckout(ctx, f);
    expect(await statuses(ctx, payment.id)).toEqual(["succeeded", 0, "paid", "paid"]);

    const partial = await refund(ctx, f.merchant.testKey, payment.id, { partialAmount: 500 });
    expect(partial.status, JSON.stringify(partial.body)).toBe(200);
    expect(await statuses(ctx, payment.id)).toEqual([
      "succeeded",
      500,
      "partially_refunded",
      "partial_refund",
    ]);
    const invoice = await ctx.api("GET", `/api/v1/invoices/${payment.invoiceId}`, {
      key: f.merchant.testKey,
    });
    expect(invoice.body.invoice.status).toBe("partially_refunded");

    expect((await refund(ctx, f.merchant.testKey, payment.id)).status).toBe(200);
    expect(await statuses(ctx, payment.id)).toEqual(["refunded", 1999, "refunded", "refunded"]);
    const purchase = await ctx.api("GET", `/api/v1/purchases/${payment.purchaseId}`, {
      key: f.merchant.testKey,
    });
    expect(purchase.body.purchase.status).toBe("refunded");
    expect((await eventsFor(ctx, payment.id)).map((e) => e.type)).toEqual([
      "payment.succeeded",
      "payment.refunded",
      "payment.refunded",
    ]);
  });

  it("a subscription's first payment refunded in full refunds its invoice and its purchase", async () => {
    const f = await catalogFixture(ctx);
    const payment = await paidCheckout(ctx, f, f.monthlyPriceId);
    expect(payment.subscriptionId).toEqual(expect.stringMatching(/^sub_/));
    expect((await refund(ctx, f.merchant.testKey, payment.id)).status).toBe(200);
    expect(await statuses(ctx, payment.id)).toEqual(["refunded", 900, "refunded", "refunded"]);
  });

  it("a refund the processor refuses leaves the invoice and the purchase paid", async () => {
    const failing = await testContext({
      processors: onlyProcessor({
        ...createSandboxProcessor(ctx.deps.db),
        refund: async () => Promise.reject(new Error("processor offline")),
      }),
    });
    const f = await catalogFixture(failing);
    const payment = await paidCheckout(failing, f);
    const res = await refund(failing, f.merchant.testKey, payment.id, { partialAmount: 500 });
    expect(res.status).toBe(503);
    expect(await statuses(failing, payment.id)).toEqual(["succeeded", 0, "paid", "paid"]);
  });
});
