import { afterAll, describe, expect, it } from "vitest";
import type { IntentResult } from "../../src/context/index.js";
import {
  confirmOnStripe,
  intentInput,
  memoryCustomerStore,
  stripeTestTarget,
  testPayer,
  testStripeProcessor,
  unique,
} from "../fixtures/fake-stripe/target.js";

/** Off-session charges of saved cards and refunds, against the fake or real Stripe (see stripe-adapter.test.ts). */
const target = await stripeTestTarget();
afterAll(() => target.close());
const processor = testStripeProcessor(target.client, memoryCustomerStore());

/** Saves a card the way a setup checkout does: a SetupIntent the customer confirms. */
async function savedCard(testCard: string): Promise<NonNullable<IntentResult["paymentMethod"]>> {
  const setup = await processor.createIntent(intentInput(testPayer(), { kind: "setup", saveCard: true }));
  await confirmOnStripe(target.client, setup.intentId, testCard);
  const saved = await processor.retrieveIntent(setup.intentId);
  expect(saved?.status).toBe("succeeded");
  if (!saved?.paymentMethod) throw new Error(`no card saved with ${testCard}`);
  return saved.paymentMethod;
}

function chargeOf(card: { processorMethodId: string; processorCustomerId?: string }, amount = 4000) {
  return processor.chargeSavedMethod({
    processorMethodId: card.processorMethodId,
    processorCustomerId: card.processorCustomerId ?? null,
    amount,
    currency: "USD",
    livemode: false,
    idempotencyKey: unique("renewal"),
    metadata: { subscriptionId: "sub_test" },
  });
}

describe(`Stripe adapter off-session charges (${target.name})`, () => {
  it("charges a saved card without the customer", async () => {
    const card = await savedCard("pm_card_visa");
    const charge = await chargeOf(card);
    expect(charge).toMatchObject({
      kind: "payment",
      status: "succeeded",
      amount: 4000,
      currency: "USD",
      metadata: { subscriptionId: "sub_test" },
    });
    expect(charge.intentId).toMatch(/^pi_/);
    expect(charge.paymentMethod).toMatchObject({
      processorMethodId: card.processorMethodId,
      processorCustomerId: card.processorCustomerId,
      card: { brand: "visa", last4: "4242" },
    });
  });

  it("answers the same charge for a retried key", async () => {
    const card = await savedCard("pm_card_visa");
    const input = {
      processorMethodId: card.processorMethodId,
      processorCustomerId: card.processorCustomerId ?? null,
      amount: 1500,
      currency: "USD",
      livemode: false,
      idempotencyKey: unique("renewal"),
    };
    const first = await processor.chargeSavedMethod(input);
    const again = await processor.chargeSavedMethod(input);
    expect(again.intentId).toBe(first.intentId);
    expect(again.status).toBe("succeeded");
  });

  it("reads a card that saves fine but declines every charge as a failed charge", async () => {
    const card = await savedCard("pm_card_chargeCustomerFail");
    const charge = await chargeOf(card);
    expect(charge).toMatchObject({ status: "failed", amount: 4000, failure: { code: "generic_decline" } });
    expect(charge.intentId).toMatch(/^pi_/);
  });

  it("reads a card that wants 3-D Secure as failed with authentication_required: nobody is there to answer", async () => {
    const setup = await processor.createIntent(intentInput(testPayer(), { kind: "setup" }));
    const customer = (await target.client.setupIntents.retrieve(setup.intentId)).customer;
    const charge = await chargeOf({
      processorMethodId: "pm_card_authenticationRequired",
      processorCustomerId: String(customer),
    });
    expect(charge).toMatchObject({ status: "failed", failure: { code: "authentication_required" } });
  });

  it("fails a saved card without a Stripe customer before calling Stripe", async () => {
    const before = target.fake?.requests().length;
    const charge = await chargeOf({ processorMethodId: "pm_without_customer" });
    expect(charge).toMatchObject({
      status: "failed",
      amount: 4000,
      failure: { code: "payment_method_missing" },
    });
    if (target.fake) expect(target.fake.requests()).toHaveLength(before ?? 0);
  });
});

describe(`Stripe adapter refunds (${target.name})`, () => {
  it("refunds in parts, answering the total so far, and a retried refund is not a second one", async () => {
    const payment = await processor.createIntent(intentInput(testPayer(), { amount: 5000 }));
    await confirmOnStripe(target.client, payment.intentId, "pm_card_visa");
    const firstKey = unique("refund");
    const first = await processor.refund({
      intentId: payment.intentId,
      amount: 2000,
      idempotencyKey: firstKey,
    });
    expect(first.refundedAmount).toBe(2000);
    const retried = await processor.refund({
      intentId: payment.intentId,
      amount: 2000,
      idempotencyKey: firstKey,
    });
    expect(retried.refundedAmount).toBe(2000);
    const tooMuch = processor.refund({
      intentId: payment.intentId,
      amount: 3001,
      idempotencyKey: unique("refund"),
    });
    await expect(tooMuch).rejects.toMatchObject({ type: "StripeInvalidRequestError" });
    const rest = await processor.refund({
      intentId: payment.intentId,
      amount: 3000,
      idempotencyKey: unique("refund"),
    });
    expect(rest.refundedAmount).toBe(5000);
    const again = processor.refund({
      intentId: payment.intentId,
      amount: 1,
      idempotencyKey: unique("refund"),
    });
    await expect(again).rejects.toMatchObject({ code: "charge_already_refunded" });
  });
});
