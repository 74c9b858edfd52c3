import Stripe from "stripe";
import { afterAll, describe, expect, it } from "vitest";
import {
  createStripeClient,
  disputeFromEvent,
  intentFromEvent,
  mapIntentStatus,
  parseStripeEvent,
  refundFromEvent,
} from "../../src/payments/stripe/index.js";
import { stripeSdk } from "../../src/payments/stripe/sdk.js";
import { startFakeStripe } from "../fixtures/fake-stripe/index.js";

/**
 * The pure half of the adapter: the status table and reading webhook events. The events come from the fake,
 * whose objects are typed by the stripe package, so they have the shapes Stripe sends.
 */
const fake = await startFakeStripe();
afterAll(() => fake.close());
const client = createStripeClient(fake.secretKey, { apiUrl: fake.apiUrl });

const declined = {
  code: "card_declined",
  decline_code: "insufficient_funds",
  message: "Insufficient funds.",
};

describe("Stripe intent status in Glade's terms", () => {
  it.each([
    ["succeeded", null, { status: "succeeded" }],
    ["processing", null, { status: "processing" }],
    ["requires_capture", null, { status: "processing" }],
    ["requires_action", null, { status: "requires_action" }],
    ["canceled", null, { status: "canceled" }],
    ["canceled", declined, { status: "canceled" }],
    ["requires_payment_method", null, { status: "awaiting_customer" }],
    ["requires_confirmation", null, { status: "awaiting_customer" }],
    [
      "requires_payment_method",
      declined,
      { status: "failed", failure: { code: "insufficient_funds", message: "Insufficient funds." } },
    ],
    [
      "requires_payment_method",
      { code: "payment_intent_authentication_failure", message: "Authentication failed." },
      {
        status: "failed",
        // Stripe's developer wording is replaced by one for the buyer.
        failure: {
          code: "payment_intent_authentication_failure",
          message: "Authentication with your bank failed. Try again or use another card.",
        },
      },
    ],
    ["a_status_stripe_adds_later", null, { status: "awaiting_customer" }],
  ] as const)("%s with last error %j → %j", (status, lastError, expected) => {
    expect(mapIntentStatus(status, lastError)).toEqual(expected);
  });
});

async function paymentWith(testCard: string, options: { processing?: boolean } = {}) {
  const customer = await client.customers.create({ email: "buyer@example.com" });
  const intent = await client.paymentIntents.create({
    amount: 3000,
    currency: "usd",
    customer: customer.id,
    metadata: { checkoutSessionId: "chckt_session_1", attempt: "2" },
  });
  fake.confirm(intent.id, testCard, options);
  return intent.id;
}

function eventFor(objectId: string, type: string): Stripe.Event {
  const event = fake
    .events()
    .find((e) => e.type === type && "id" in e.data.object && e.data.object.id === objectId);
  if (!event) throw new Error(`no ${type} event for ${objectId}`);
  return event;
}

const paymentOf = (event: Stripe.Event) =>
  "payment_intent" in event.data.object ? event.data.object.payment_intent : undefined;

describe("parseStripeEvent", () => {
  const secret = "whsec_test_glade";

  it("accepts a body signed with the endpoint's secret, and refuses a wrong secret, a changed body or an old signature", async () => {
    const intentId = await paymentWith("pm_card_visa");
    const payload = JSON.stringify(eventFor(intentId, "payment_intent.succeeded"), null, 2);
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret });
    expect(parseStripeEvent(payload, header, secret)).toMatchObject({ type: "payment_intent.succeeded" });

    const refused =
      (body: string, signature: string, key = secret) =>
      () =>
        parseStripeEvent(body, signature, key);
    // Glade's one copy of the SDK (loaded on first use) made the error: its classes, not this file's import.
    const { StripeSignatureVerificationError } = stripeSdk().errors;
    expect(refused(payload, header, "whsec_someone_else")).toThrow(StripeSignatureVerificationError);
    expect(refused(payload.replace('"amount": 3000', '"amount": 1'), header)).toThrow(
      StripeSignatureVerificationError,
    );
    const now = Math.floor(Date.now() / 1000);
    const recent = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: now - 240 });
    expect(parseStripeEvent(payload, recent, secret).id).toBe(JSON.parse(payload).id);
    const old = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: now - 360 });
    expect(refused(payload, old)).toThrow(/tolerance/);
  });
});

describe("reading webhook events", () => {
  it("reads a payment's events as the intent's state, without card details unless expanded", async () => {
    const paid = await paymentWith("pm_card_visa");
    const succeeded = eventFor(paid, "payment_intent.succeeded");
    expect(intentFromEvent(succeeded)).toEqual({
      processor: "stripe",
      intentId: paid,
      kind: "payment",
      status: "succeeded",
      amount: 3000,
      currency: "USD",
      clientSecret: expect.stringMatching(/_secret_/),
      metadata: { checkoutSessionId: "chckt_session_1", attempt: "2" },
    });

    const expanded = structuredClone(succeeded);
    if (expanded.type !== "payment_intent.succeeded") throw new Error("not a payment event");
    const method = await client.paymentMethods.retrieve(String(expanded.data.object.payment_method));
    expanded.data.object.payment_method = method;
    expect(intentFromEvent(expanded)?.paymentMethod).toEqual({
      processorMethodId: method.id,
      processorCustomerId: expanded.data.object.customer,
      card: { brand: "visa", last4: "4242", expMonth: 12, expYear: method.card?.exp_year },
    });

    const declinedId = await paymentWith("pm_card_chargeDeclinedInsufficientFunds");
    expect(intentFromEvent(eventFor(declinedId, "payment_intent.payment_failed"))).toMatchObject({
      status: "failed",
      failure: { code: "insufficient_funds" },
    });

    const pending = await paymentWith("pm_card_visa", { processing: true });
    expect(intentFromEvent(eventFor(pending, "payment_intent.processing"))?.status).toBe("processing");

    const open = await paymentWith("pm_card_authenticationRequired");
    await client.paymentIntents.cancel(open);
    expect(intentFromEvent(eventFor(open, "payment_intent.canceled"))?.status).toBe("canceled");
  });

  it("reads a setup intent's events with the currency Glade wrote on it", async () => {
    const customer = await client.customers.create({});
    const saved = await client.setupIntents.create({ customer: customer.id, metadata: { currency: "EUR" } });
    fake.confirm(saved.id, "pm_card_mastercard");
    expect(intentFromEvent(eventFor(saved.id, "setup_intent.succeeded"))).toMatchObject({
      kind: "setup",
      status: "succeeded",
      amount: 0,
      currency: "EUR",
    });
    const refused = await client.setupIntents.create({ customer: customer.id });
    fake.confirm(refused.id, "pm_card_chargeDeclined");
    expect(intentFromEvent(eventFor(refused.id, "setup_intent.setup_failed"))).toMatchObject({
      status: "failed",
      currency: "USD",
      failure: { code: "generic_decline" },
    });
  });

  it("reads refunds and disputes off their charge events, and nothing off other events", async () => {
    const paid = await paymentWith("pm_card_visa");
    await client.refunds.create({ payment_intent: paid, amount: 1200 });
    await client.refunds.create({ payment_intent: paid, amount: 300 });
    const refunds = fake.events().filter((e) => e.type === "charge.refunded" && paymentOf(e) === paid);
    expect(refunds.map(refundFromEvent)).toEqual([
      { paymentIntentId: paid, amountRefunded: 1200 },
      { paymentIntentId: paid, amountRefunded: 1500 },
    ]);
    const refund = refunds[0];
    if (!refund) throw new Error("no charge.refunded event");
    expect(intentFromEvent(refund)).toBeUndefined();
    expect(disputeFromEvent(refund)).toBeUndefined();

    const dispute = fake.dispute(paid);
    const opened = fake.events().find((e) => e.type === "charge.dispute.created" && paymentOf(e) === paid);
    if (!opened) throw new Error("no charge.dispute.created event");
    expect(disputeFromEvent(opened)).toEqual({
      paymentIntentId: paid,
      disputeId: dispute.id,
      amount: 1500,
      currency: "USD",
      reason: "fraudulent",
    });
    expect(refundFromEvent(eventFor(paid, "payment_intent.succeeded"))).toBeUndefined();
  });
});
