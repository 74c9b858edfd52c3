import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { paymentMethods, payments } from "../../src/db/schema/index.js";
import {
  getPaymentMethod,
  listPaymentMethodsForCustomer,
  recordPayment,
  setDefaultPaymentMethod,
} from "../../src/payments/index.js";
import { createSandboxProcessor } from "../../src/payments/sandbox.js";
import {
  type BillingFixture,
  billingFixture,
  eventsFor,
  sandboxCharge,
  savedCard,
  testContext,
} from "../support/index.js";
import { onlyProcessor } from "../support/processors.js";

const ctx = await testContext();

async function paidPayment(f: BillingFixture, amount = 5000) {
  const intent = await sandboxCharge(ctx, f, amount);
  expect(intent.status).toBe("succeeded");
  return ctx.deps.db.transaction((tx) =>
    recordPayment(
      tx,
      f.merchant,
      {
        customerId: f.customerId,
        pricingModelId: f.pricingModelId,
        amount: intent.amount,
        currency: intent.currency,
        status: "succeeded",
        processor: "sandbox" as const,
        processorIntentId: intent.intentId,
      },
      ctx.deps.now(),
    ),
  );
}

describe("payment methods", () => {
  it("makes the first card the default and keeps exactly one default per customer", async () => {
    const f = await billingFixture(ctx);
    const first = await savedCard(ctx, f);
    expect(first.isDefault).toBe(true);
    const second = await savedCard(ctx, f, "5555555555554444");
    expect(second.isDefault).toBe(false);
    const third = await savedCard(ctx, f, "4242424242424242", true);
    expect(third.isDefault).toBe(true);

    const methods = await listPaymentMethodsForCustomer(ctx.deps.db, f.merchant, f.customerId);
    expect(methods.map((m) => m.id)).toEqual([third.id, first.id, second.id]);
    expect(methods.filter((m) => m.isDefault)).toHaveLength(1);

    await ctx.deps.db.transaction((tx) =>
      setDefaultPaymentMethod(tx, f.merchant, f.customerId, second.id, ctx.deps.now()),
    );
    const defaults = await ctx.deps.db
      .select({ id: paymentMethods.id })
      .from(paymentMethods)
      .where(and(eq(paymentMethods.customerId, f.customerId), eq(paymentMethods.isDefault, true)));
    expect(defaults).toEqual([{ id: second.id }]);
    expect((await eventsFor(ctx, third.id)).map((e) => e.type)).toEqual(["payment_method.created"]);
  });

  it("keeps one default when several cards are saved at once", async () => {
    const f = await billingFixture(ctx);
    const saved = await Promise.all(Array.from({ length: 6 }, () => savedCard(ctx, f)));
    const methods = await listPaymentMethodsForCustomer(ctx.deps.db, f.merchant, f.customerId);
    expect(methods).toHaveLength(saved.length);
    expect(methods.filter((m) => m.isDefault)).toHaveLength(1);
  });

  it("refuses to make another customer's card the default", async () => {
    const f = await billingFixture(ctx);
    const other = await billingFixture(ctx);
    const card = await savedCard(ctx, other);
    await expect(
      ctx.deps.db.transaction((tx) =>
        setDefaultPaymentMethod(tx, f.merchant, f.customerId, card.id, ctx.deps.now()),
      ),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("serves payment methods with only display facts about the card", async () => {
    const f = await billingFixture(ctx);
    const card = await savedCard(ctx, f, "5555555555554444");
    const res = await ctx.api("GET", `/api/v1/payment-methods/${card.id}`, { key: f.key });
    expect(res.status).toBe(200);
    expect(res.body.paymentMethod).toEqual({
      id: card.id,
      customerId: f.customerId,
      type: "card",
      default: true,
      paymentMethodData: { brand: "mastercard", last4: "4444", exp_month: 12, exp_year: card.expYear },
      billingDetails: { name: null, email: null, address: null },
      livemode: false,
      pricingModelId: f.pricingModelId,
      createdAt: card.createdAt.getTime(),
      updatedAt: card.updatedAt.getTime(),
      metadata: null,
    });
    expect(res.text).not.toContain("5555555555554444");

    const list = await ctx.api("GET", "/api/v1/payment-methods", { key: f.key });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ hasMore: false, total: 1 });
    expect(list.body.data.map((m: any) => m.id)).toEqual([card.id]);
  });

  it("hides payment methods from other organizations and the other mode", async () => {
    const f = await billingFixture(ctx);
    const card = await savedCard(ctx, f);
    const stranger = await ctx.merchant();
    for (const key of [stranger.testKey, f.m.liveKey]) {
      const res = await ctx.api("GET", `/api/v1/payment-methods/${card.id}`, { key });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
      const list = await ctx.api("GET", "/api/v1/payment-methods", { key });
      expect(list.body.total).toBe(0);
    }
    expect(await getPaymentMethod(ctx.deps.db, { ...f.merchant, livemode: true }, card.id)).toBeUndefined();
  });
});

describe("recordPayment", () => {
  it("records one payment and one event per processor intent, however often it is called", async () => {
    const f = await billingFixture(ctx);
    const intent = await sandboxCharge(ctx, f, 1999);
    const input = {
      customerId: f.customerId,
      pricingModelId: f.pricingModelId,
      amount: 1999,
      currency: "usd",
      status: "succeeded" as const,
      processor: "sandbox" as const,
      processorIntentId: intent.intentId,
    };
    const first = await ctx.deps.db.transaction((tx) => recordPayment(tx, f.merchant, input, ctx.deps.now()));
    const second = await ctx.deps.db.transaction((tx) =>
      recordPayment(tx, f.merchant, input, ctx.deps.now()),
    );
    const concurrent = await Promise.all(
      [1, 2, 3].map(() =>
        ctx.deps.db.transaction((tx) => recordPayment(tx, f.merchant, input, ctx.deps.now())),
      ),
    );
    expect(first.currency).toBe("USD");
    for (const row of [second, ...concurrent]) expect(row.id).toBe(first.id);
    const rows = await ctx.deps.db
      .select()
      .from(payments)
      .where(eq(payments.processorIntentId, intent.intentId));
    expect(rows).toHaveLength(1);
    expect((await eventsFor(ctx, first.id)).map((e) => e.type)).toEqual(["payment.succeeded"]);
  });

  it("announces a failed payment as payment.failed", async () => {
    const f = await billingFixture(ctx);
    const row = await ctx.deps.db.transaction((tx) =>
      recordPayment(
        tx,
        f.merchant,
        {
          customerId: f.customerId,
          pricingModelId: f.pricingModelId,
          amount: 700,
          currency: "USD",
          status: "failed",
          processor: "sandbox" as const,
          processorIntentId: `sbx_intent_failed_${Date.now()}`,
          failureCode: "card_declined",
          failureMessage: "Your card was declined.",
        },
        ctx.deps.now(),
      ),
    );
    const events = await eventsFor(ctx, row.id);
    expect(events.map((e) => e.type)).toEqual(["payment.failed"]);
    expect(events[0]?.payload.data).toMatchObject({
      status: "failed",
      failureCode: "card_declined",
      refunded: false,
    });
  });
});

describe("payments API", () => {
  it("retrieves and lists payments in the Flowglad shape", async () => {
    const f = await billingFixture(ctx);
    const payment = await paidPayment(f, 4200);
    const res = await ctx.api("GET", `/api/v1/payments/${payment.id}`, { key: f.key });
    expect(res.status).toBe(200);
    expect(res.body.payment).toMatchObject({
      id: payment.id,
      amount: 4200,
      currency: "USD",
      status: "succeeded",
      customerId: f.customerId,
      refunded: false,
      refundedAmount: 0,
      refundedAt: null,
      paymentMethod: "card",
      livemode: false,
      organizationId: f.m.organizationId,
      chargeDate: payment.chargeDate.getTime(),
    });
    const list = await ctx.api("GET", "/api/v1/payments?limit=5", { key: f.key });
    expect(list.body.data.map((p: any) => p.id)).toEqual([payment.id]);
  });

  it("refunds in part, then the rest, then refuses a third refund", async () => {
    const f = await billingFixture(ctx);
    const payment = await paidPayment(f, 5000);
    const partial = await ctx.api("POST", `/api/v1/payments/${payment.id}/refund`, {
      key: f.key,
      body: { partialAmount: 1200 },
    });
    expect(partial.status).toBe(200);
    expect(partial.body.payment).toMatchObject({
      status: "succeeded",
      refundedAmount: 1200,
      refunded: true,
    });
    expect(partial.body.payment.refundedAt).toEqual(expect.any(Number));

    const rest = await ctx.api("POST", `/api/v1/payments/${payment.id}/refund`, { key: f.key, body: {} });
    expect(rest.status).toBe(200);
    expect(rest.body.payment).toMatchObject({ status: "refunded", refundedAmount: 5000 });

    const again = await ctx.api("POST", `/api/v1/payments/${payment.id}/refund`, { key: f.key });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe("BAD_REQUEST");
    const types = (await eventsFor(ctx, payment.id)).map((e) => e.type);
    expect(types).toEqual(["payment.succeeded", "payment.refunded", "payment.refunded"]);
  });

  it("refunds everything when called without a body", async () => {
    const f = await billingFixture(ctx);
    const payment = await paidPayment(f, 999);
    const res = await ctx.api("POST", `/api/v1/payments/${payment.id}/refund`, { key: f.key });
    expect(res.status).toBe(200);
    expect(res.body.payment).toMatchObject({ status: "refunded", refundedAmount: 999, refunded: true });
  });

  it("refuses a refund above the remaining amount and bad amounts, with 4xx", async () => {
    const f = await billingFixture(ctx);
    const payment = await paidPayment(f, 3000);
    await ctx.api("POST", `/api/v1/payments/${payment.id}/refund`, {
      key: f.key,
      body: { partialAmount: 2000 },
    });
    const over = await ctx.api("POST", `/api/v1/payments/${payment.id}/refund`, {
      key: f.key,
      body: { partialAmount: 1001 },
    });
    expect(over.status).toBe(400);
    expect(over.body.code).toBe("BAD_REQUEST");
    expect(over.body.message).toContain("1000");
    for (const partialAmount of [0, -5, 1.5, "100"]) {
      const bad = await ctx.api("POST", `/api/v1/payments/${payment.id}/refund`, {
        key: f.key,
        body: { partialAmount },
      });
      expect(bad.status).toBe(400);
    }
    const row = await ctx.api("GET", `/api/v1/payments/${payment.id}`, { key: f.key });
    expect(row.body.payment).toMatchObject({ refundedAmount: 2000, status: "succeeded" });
  });

  it("never refunds more than was charged under concurrent refunds", async () => {
    const f = await billingFixture(ctx);
    const payment = await paidPayment(f, 1000);
    const results = await Promise.all(
      [1, 2, 3, 4].map(() =>
        ctx.api("POST", `/api/v1/payments/${payment.id}/refund`, {
          key: f.key,
          body: { partialAmount: 400 },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    expect(results.filter((r) => r.status === 400)).toHaveLength(2);
    const row = await ctx.api("GET", `/api/v1/payments/${payment.id}`, { key: f.key });
    expect(row.body.payment.refundedAmount).toBe(800);
  });

  it("refuses to refund a failed payment", async () => {
    const f = await billingFixture(ctx);
    const failed = await ctx.deps.db.transaction((tx) =>
      recordPayment(
        tx,
        f.merchant,
        {
          customerId: f.customerId,
          pricingModelId: f.pricingModelId,
          amount: 700,
          currency: "USD",
          status: "failed",
          processor: "sandbox" as const,
          processorIntentId: `sbx_intent_declined_${Date.now()}`,
        },
        ctx.deps.now(),
      ),
    );
    const res = await ctx.api("POST", `/api/v1/payments/${failed.id}/refund`, { key: f.key });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("BAD_REQUEST");
  });

  it("hides payments from other organizations and the other mode, and refuses their refunds", async () => {
    const f = await billingFixture(ctx);
    const payment = await paidPayment(f, 2500);
    const stranger = await ctx.merchant();
    for (const key of [stranger.testKey, stranger.liveKey, f.m.liveKey]) {
      expect((await ctx.api("GET", `/api/v1/payments/${payment.id}`, { key })).status).toBe(404);
      const refund = await ctx.api("POST", `/api/v1/payments/${payment.id}/refund`, { key, body: {} });
      expect(refund.status).toBe(404);
      expect(refund.body.code).toBe("NOT_FOUND");
      expect((await ctx.api("GET", "/api/v1/payments", { key })).body.total).toBe(0);
    }
    const untouched = await ctx.api("GET", `/api/v1/payments/${payment.id}`, { key: f.key });
    expect(untouched.body.payment).toMatchObject({ status: "succeeded", refundedAmount: 0 });
  });

  it("releases the reservation when the processor refuses the refund", async () => {
    const sandbox = createSandboxProcessor(ctx.deps.db);
    const failing = await testContext({
      processors: onlyProcessor({
        ...sandbox,
        refund: async () => Promise.reject(new Error("processor offline")),
      }),
    });
    const f = await billingFixture(failing);
    const payment = await paidPayment(f, 1500);
    const res = await failing.api("POST", `/api/v1/payments/${payment.id}/refund`, {
      key: f.key,
      body: { partialAmount: 500 },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("x-should-retry")).toBe("true");
    const after = await failing.api("GET", `/api/v1/payments/${payment.id}`, { key: f.key });
    expect(after.body.payment).toMatchObject({ status: "succeeded", refundedAmount: 0, refundedAt: null });
    expect((await eventsFor(ctx, payment.id)).map((e) => e.type)).toEqual(["payment.succeeded"]);
  });
});
