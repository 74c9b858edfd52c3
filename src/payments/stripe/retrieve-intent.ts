import type Stripe from "stripe";
import type { IntentResult } from "../../context/index.js";
import { paymentIntentResult, setupIntentResult } from "./intent-result.js";
import { isMissingResource } from "./stripe-errors.js";

/** Expanded so the answer carries the card's brand, last four digits and expiry. */
export const WITH_CARD = { expand: ["payment_method"] };

export const isPaymentIntentId = (id: string) => id.startsWith("pi_");
export const isSetupIntentId = (id: string) => id.startsWith("seti_");

/** An intent by id; undefined for an id Stripe does not know or that is not an intent's. */
export async function retrieveStripeIntent(
  client: Stripe,
  intentId: string,
): Promise<IntentResult | undefined> {
  try {
    if (isPaymentIntentId(intentId)) {
      return paymentIntentResult(await client.paymentIntents.retrieve(intentId, WITH_CARD));
    }
    if (isSetupIntentId(intentId)) {
      return setupIntentResult(await client.setupIntents.retrieve(intentId, WITH_CARD));
    }
    return undefined;
  } catch (err) {
    if (isMissingResource(err)) return undefined;
    throw err;
  }
}
