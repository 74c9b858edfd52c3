import type Stripe from "stripe";
import type { IntentResult, IntentStatus } from "../../context/index.js";
import { panic } from "../../lib/errors.js";
import { paymentIntentResult, setupIntentResult } from "./intent-result.js";
import { isPaymentIntentId, retrieveStripeIntent, WITH_CARD } from "./retrieve-intent.js";
import { isStripeErrorCode } from "./stripe-errors.js";

/** Stripe refuses to cancel these; `processing` will end on its own and the webhook tells how. */
const SETTLED = new Set<IntentStatus>(["succeeded", "canceled", "processing"]);

/**
 * Cancels an intent nobody has completed, so a page left open cannot confirm it later. The customer may
 * confirm between our read and our cancel: Stripe then refuses with an unexpected-state error and the
 * intent's new state is the answer.
 */
export async function cancelStripeIntent(client: Stripe, intentId: string): Promise<IntentResult> {
  const current = await retrieveStripeIntent(client, intentId);
  if (!current) panic(`cancel of an intent Stripe does not know: ${intentId}`);
  if (SETTLED.has(current.status)) return current;
  try {
    return isPaymentIntentId(intentId)
      ? paymentIntentResult(await client.paymentIntents.cancel(intentId, WITH_CARD))
      : setupIntentResult(await client.setupIntents.cancel(intentId, WITH_CARD));
  } catch (err) {
    if (!isStripeErrorCode(err, "payment_intent_unexpected_state", "setup_intent_unexpected_state"))
      throw err;
    const moved = await retrieveStripeIntent(client, intentId);
    if (!moved) panic(`intent ${intentId} vanished during cancel`);
    return moved;
  }
}
