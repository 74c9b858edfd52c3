import type Stripe from "stripe";
import type { IntentResult, PaymentProcessor } from "../../context/index.js";
import { panic } from "../../lib/errors.js";
import { type ProcessorCustomerStore, resolveStripeCustomer } from "./customers.js";
import { paymentIntentResult, setupIntentResult } from "./intent-result.js";

type CreateIntentInput = Parameters<PaymentProcessor["createIntent"]>[0];

/**
 * An intent for the page to confirm with Stripe.js: Glade never sees the card, so the answer is
 * `awaiting_customer` with the client secret the page needs.
 */
export async function createStripeIntent(
  client: Stripe,
  customers: ProcessorCustomerStore,
  input: CreateIntentInput,
): Promise<IntentResult> {
  if (input.card)
    panic("a card number reached the Stripe processor; in Stripe mode the page confirms with Stripe.js");
  const customer = await resolveStripeCustomer(client, customers, input.payer);
  const options = { idempotencyKey: input.idempotencyKey };
  if (input.kind === "setup") {
    const intent = await client.setupIntents.create(
      {
        customer,
        usage: "off_session",
        automatic_payment_methods: { enabled: true },
        // A SetupIntent has no currency of its own; this is how its answer keeps the session's.
        metadata: { currency: input.currency.toUpperCase(), ...input.metadata },
      },
      options,
    );
    return setupIntentResult(intent);
  }
  const intent = await client.paymentIntents.create(
    {
      amount: input.amount,
      currency: input.currency.toLowerCase(),
      customer,
      automatic_payment_methods: { enabled: true },
      setup_future_usage: input.saveCard ? "off_session" : undefined,
      metadata: input.metadata,
    },
    options,
  );
  return paymentIntentResult(intent);
}
