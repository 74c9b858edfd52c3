import { afterAll, describe, expect, it } from "vitest";
import {
  createStripeClient,
  type ProcessorCustomerStore,
  verifyStripeKey,
} from "../../src/payments/stripe/index.js";
import {
  confirmOnStripe,
  intentInput,
  memoryCustomerStore,
  stripeTestTarget,
  testPayer,
  testStripeProcessor,
} from "../fixtures/fake-stripe/target.js";

/**
 * The Stripe adapter against the fake Stripe, or against real Stripe test mode when STRIPE_TEST_SECRET_KEY is
 * set (`npm run test:stripe`): the same tests, with the fake's own controls used only where `target.fake` is.
 */
const target = await stripeTestTarget();
afterAll(() => target.close());

const processorWith = (store: ProcessorCustomerStore, client = target.client) =>
  testStripeProcessor(client, store);
const customers = memoryCustomerStore();
const processor = processorWith(customers);

const stripeCustomerOf = async (intentId: string) =>
  intentId.startsWith("seti_")
    ? (await target.client.setupIntents.retrieve(intentId)).customer
    : (await target.client.paymentIntents.retrieve(intentId)).customer;

describe(`Stripe adapter (${target.name})`, () => {
  it("creates a payment intent for the page to confirm, with its amount, currency, metadata and secret", async () => {
    const payer = testPayer();
    const intent = await processor.createIntent(intentInput(payer));
    expect(intent).toMatchObject({
      kind: "payment",
      status: "awaiting_customer",
      amount: 2500,
      currency: "USD",
      metadata: { checkoutSessionId: payer.checkoutSessionId, attempt: "1" },
    });
    expect(intent.intentId).toMatch(/^pi_/);
    expect(intent.clientSecret).toMatch(new RegExp(`^${intent.intentId}_secret_`));
    expect(intent.paymentMethod).toBeUndefined();
    const atStripe = await target.client.paymentIntents.retrieve(intent.intentId);
    expect(atStripe).toMatchObject({ currency: "usd", setup_future_usage: null });
    expect(atStripe.automatic_payment_methods?.enabled).toBe(true);
  });

  it("asks Stripe to keep the card for off-session charges when the card is to be saved", async () => {
    const intent = await processor.createIntent(intentInput(testPayer(), { saveCard: true }));
    expect((await target.client.paymentIntents.retrieve(intent.intentId)).setup_future_usage).toBe(
      "off_session",
    );
  });

  it("makes one Stripe customer per Glade customer, reused by the next intent", async () => {
    const payer = testPayer();
    const first = await processor.createIntent(intentInput(payer));
    const second = await processor.createIntent(intentInput(payer));
    const customer = await stripeCustomerOf(first.intentId);
    expect(customer).toMatch(/^cus_/);
    expect(await stripeCustomerOf(second.intentId)).toBe(customer);
    expect(customers.stored.get(payer.customerId ?? "")).toBe(customer);
    const made = await target.client.customers.retrieve(String(customer));
    expect(made).toMatchObject({
      email: payer.email,
      name: payer.name,
      metadata: { gladeCustomerId: payer.customerId },
    });
    if (target.fake) {
      const creates = target.fake.requests().filter((r) => r.path === "/v1/customers");
      expect(creates.filter((r) => r.idempotencyKey === `glade_customer_${payer.customerId}`)).toHaveLength(
        1,
      );
    }
  });

  it("comes back to the same Stripe customer when Glade lost the first one (its idempotency key)", async () => {
    const forgetful = processorWith(memoryCustomerStore({ forgetful: true }));
    const payer = testPayer();
    const first = await forgetful.createIntent(intentInput(payer));
    const second = await forgetful.createIntent(intentInput(payer));
    expect(await stripeCustomerOf(second.intentId)).toBe(await stripeCustomerOf(first.intentId));
  });

  it("gives an anonymous checkout a customer keyed on its session, stored later by settlement", async () => {
    const payer = testPayer({ customerId: null });
    const first = await processor.createIntent(intentInput(payer));
    const retried = await processor.createIntent(intentInput(payer));
    const customer = await stripeCustomerOf(first.intentId);
    expect(await stripeCustomerOf(retried.intentId)).toBe(customer);
    const made = await target.client.customers.retrieve(String(customer));
    expect(made).toMatchObject({ metadata: { checkoutSessionId: payer.checkoutSessionId } });
    expect([...customers.stored.values()]).not.toContain(customer);
  });

  it("creates a setup intent for off-session use, answering amount 0 in the session's currency", async () => {
    const intent = await processor.createIntent(intentInput(testPayer(), { kind: "setup", currency: "EUR" }));
    expect(intent).toMatchObject({ kind: "setup", status: "awaiting_customer", amount: 0, currency: "EUR" });
    expect(intent.clientSecret).toMatch(/^seti_.+_secret_/);
    expect((await target.client.setupIntents.retrieve(intent.intentId)).usage).toBe("off_session");
  });

  it("reads a confirmed payment back as succeeded, with the card and the Stripe customer", async () => {
    const intent = await processor.createIntent(intentInput(testPayer()));
    await confirmOnStripe(target.client, intent.intentId, "pm_card_visa");
    const confirmed = await processor.retrieveIntent(intent.intentId);
    expect(confirmed).toMatchObject({ status: "succeeded", amount: 2500, currency: "USD" });
    expect(confirmed?.paymentMethod?.card).toMatchObject({ brand: "visa", last4: "4242" });
    expect(confirmed?.paymentMethod?.card.expYear).toBeGreaterThanOrEqual(new Date().getUTCFullYear());
    expect(confirmed?.paymentMethod?.processorMethodId).toMatch(/^pm_(?!card_)/);
    expect(confirmed?.paymentMethod?.processorCustomerId).toBe(await stripeCustomerOf(intent.intentId));
  });

  it("reads a confirmed setup intent back as succeeded with the saved card", async () => {
    const intent = await processor.createIntent(intentInput(testPayer(), { kind: "setup" }));
    await confirmOnStripe(target.client, intent.intentId, "pm_card_mastercard");
    const saved = await processor.retrieveIntent(intent.intentId);
    expect(saved).toMatchObject({ kind: "setup", status: "succeeded", amount: 0 });
    expect(saved?.paymentMethod?.card).toMatchObject({ brand: "mastercard", last4: "4444" });
  });

  it.each([
    ["pm_card_chargeDeclined", "generic_decline"],
    ["pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"],
  ])("reads a decline (%s) as failed with its decline code", async (card, code) => {
    const intent = await processor.createIntent(intentInput(testPayer()));
    await confirmOnStripe(target.client, intent.intentId, card);
    const declined = await processor.retrieveIntent(intent.intentId);
    expect(declined).toMatchObject({ status: "failed", failure: { code } });
    expect(declined?.failure?.message).not.toBe("");
  });

  it("reads a card asking for 3-D Secure as requires_action, then the customer's answer", async () => {
    const approved = await processor.createIntent(intentInput(testPayer()));
    const denied = await processor.createIntent(intentInput(testPayer()));
    for (const intent of [approved, denied]) {
      await confirmOnStripe(target.client, intent.intentId, "pm_card_authenticationRequired");
      expect((await processor.retrieveIntent(intent.intentId))?.status).toBe("requires_action");
    }
    // Only the fake can answer the bank's page without a browser.
    if (!target.fake) return;
    target.fake.authenticate(approved.intentId, "approve");
    target.fake.authenticate(denied.intentId, "deny");
    expect((await processor.retrieveIntent(approved.intentId))?.status).toBe("succeeded");
    expect(await processor.retrieveIntent(denied.intentId)).toMatchObject({
      status: "failed",
      failure: { code: "payment_intent_authentication_failure" },
    });
  });

  it("cancels an intent nobody confirmed, and answers succeeded for one already paid", async () => {
    const open = await processor.createIntent(intentInput(testPayer()));
    expect((await processor.cancelIntent(open.intentId)).status).toBe("canceled");
    expect((await processor.retrieveIntent(open.intentId))?.status).toBe("canceled");
    const setup = await processor.createIntent(intentInput(testPayer(), { kind: "setup" }));
    expect((await processor.cancelIntent(setup.intentId)).status).toBe("canceled");

    const paid = await processor.createIntent(intentInput(testPayer()));
    await confirmOnStripe(target.client, paid.intentId, "pm_card_visa");
    expect((await processor.cancelIntent(paid.intentId)).status).toBe("succeeded");
  });

  it("answers the customer's payment when the confirm lands between the cancel's read and its cancel", async () => {
    const racing = createStripeClient(target.secretKey, target.fake ? { apiUrl: target.fake.apiUrl } : {});
    const read = racing.paymentIntents.retrieve.bind(racing.paymentIntents);
    let confirmAfterRead: string | undefined;
    racing.paymentIntents.retrieve = (async (...args: Parameters<typeof read>) => {
      const answer = await read(...args);
      if (confirmAfterRead) await confirmOnStripe(target.client, confirmAfterRead, "pm_card_visa");
      confirmAfterRead = undefined;
      return answer;
    }) as typeof read;
    const raced = processorWith(customers, racing);
    const intent = await raced.createIntent(intentInput(testPayer()));
    confirmAfterRead = intent.intentId;
    expect((await raced.cancelIntent(intent.intentId)).status).toBe("succeeded");
    if (target.fake) {
      const cancels = target.fake
        .requests()
        .filter((r) => r.path === `/v1/payment_intents/${intent.intentId}/cancel`);
      expect(cancels.map((r) => r.status)).toEqual([400]);
    }
  });

  it("answers the same intent for the same idempotency key", async () => {
    const input = intentInput(testPayer());
    const first = await processor.createIntent(input);
    const again = await processor.createIntent(input);
    expect(again.intentId).toBe(first.intentId);
    if (target.fake) {
      const creates = target.fake.requests().filter((r) => r.idempotencyKey === input.idempotencyKey);
      expect(creates.map((r) => [r.path, r.replayed])).toEqual([
        ["/v1/payment_intents", false],
        ["/v1/payment_intents", true],
      ]);
    }
  });

  it.runIf(target.fake)(
    "retries a request whose answer was lost with the same key, making one intent",
    async () => {
      const fake = target.fake;
      if (!fake) return;
      const payer = testPayer();
      await processor.createIntent(intentInput(payer)); // the customer exists: the next request is the create
      const input = intentInput(payer);
      fake.failNextRequests(1, "drop_after_processing");
      const intent = await processor.createIntent(input);
      const attempts = fake.requests().filter((r) => r.idempotencyKey === input.idempotencyKey);
      expect(attempts.map((r) => [r.failure, r.replayed])).toEqual([
        ["drop_after_processing", false],
        [undefined, true],
      ]);
      expect(fake.intent(intent.intentId)?.status).toBe("requires_payment_method");

      fake.failNextRequests(1, "500");
      expect((await processor.retrieveIntent(intent.intentId))?.intentId).toBe(intent.intentId);
    },
  );

  it("answers undefined for an intent Stripe does not know", async () => {
    expect(await processor.retrieveIntent("pi_3NotAnIntentAtAll")).toBeUndefined();
    expect(await processor.retrieveIntent("seti_1NotAnIntentAtAll")).toBeUndefined();
    expect(await processor.retrieveIntent("sandbox_intent_1")).toBeUndefined();
    expect(await processor.findIntentByIdempotencyKey("any")).toBeUndefined();
  });

  it("refuses a card number and the sandbox's challenge: in Stripe mode the page confirms with Stripe.js", async () => {
    const card = { number: "4242424242424242", expMonth: 12, expYear: 2040, cvc: "123" };
    await expect(processor.createIntent({ ...intentInput(testPayer()), card })).rejects.toThrow(/Stripe\.js/);
    await expect(processor.completeChallenge("pi_1", "approve")).rejects.toThrow(/3-D Secure/);
    expect(processor.collection).toEqual({
      kind: "client",
      publishableKey: "pk_test_glade",
      scriptUrl: "https://js.stripe.com/v3/",
    });
  });

  it("verifies a secret key with one call, and names a refused key", async () => {
    const verified = await verifyStripeKey(target.client);
    expect(verified.accountId).toMatch(/^acct_/);
    if (target.fake) expect(verified.accountId).toBe(target.fake.accountId);
    const wrong = createStripeClient(
      "sk_test_not_a_real_key_000000",
      target.fake ? { apiUrl: target.fake.apiUrl } : {},
    );
    await expect(verifyStripeKey(wrong)).rejects.toThrow(/Stripe refused the secret key/);
  });
});
