import type Stripe from "stripe";
import type { PaymentProcessor } from "../../context/index.js";
import { panic } from "../../lib/errors.js";
import { cancelStripeIntent } from "./cancel-intent.js";
import { chargeStripeSavedMethod } from "./charge-saved-method.js";
import { createStripeIntent } from "./create-intent.js";
import type { ProcessorCustomerStore } from "./customers.js";
import { refundStripePayment } from "./refund.js";
import { retrieveStripeIntent } from "./retrieve-intent.js";

export type StripeProcessorOptions = {
  client: Stripe;
  /** The connected account (`acct_…`), as `verifyStripeKey` found it. */
  accountId: string;
  publishableKey: string;
  /** Where the page loads Stripe.js from: `https://js.stripe.com/v3/`, or the fake's in tests. */
  scriptUrl: string;
  customers: ProcessorCustomerStore;
};

/** A tenant's Stripe account as a PaymentProcessor: cards are entered and confirmed in Stripe.js. */
export function createStripeProcessor(options: StripeProcessorOptions): PaymentProcessor {
  const { client, customers } = options;
  return {
    name: "stripe",
    collection: { kind: "client", publishableKey: options.publishableKey, scriptUrl: options.scriptUrl },

    createIntent: (input) => createStripeIntent(client, customers, input),

    async completeChallenge() {
      panic("completeChallenge called on Stripe: Stripe.js runs 3-D Secure in the browser");
    },

    retrieveIntent: (intentId) => retrieveStripeIntent(client, intentId),

    // Stripe cannot look an intent up by idempotency key, and need not: the page gets the client secret only
    // after Glade recorded the intent's id, so no Stripe intent moves money before Glade knows it.
    findIntentByIdempotencyKey: async () => undefined,

    cancelIntent: (intentId) => cancelStripeIntent(client, intentId),

    chargeSavedMethod: (input) => chargeStripeSavedMethod(client, input),

    refund: (input) => refundStripePayment(client, input),
  };
}
