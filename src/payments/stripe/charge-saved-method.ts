import type Stripe from "stripe";
import type { IntentResult, PaymentProcessor } from "../../context/index.js";
import { failureOf, paymentIntentResult } from "./intent-result.js";
import { WITH_CARD } from "./retrieve-intent.js";
import { stripeSdk } from "./sdk.js";
import { isStripeErrorCode } from "./stripe-errors.js";

type ChargeSavedInput = Parameters<PaymentProcessor["chargeSavedMethod"]>[0];

/**
 * The answer for a charge that never reached Stripe. Its id is derived from the idempotency key, so a retried
 * charge answers the same id and Glade records one failed payment for it, not one per retry.
 */
function unsentCharge(input: ChargeSavedInput, failure: { code: string; message: string }): IntentResult {
  return {
    processor: "stripe",
    intentId: `unsent_${input.idempotencyKey}`,
    kind: "payment",
    status: "failed",
    amount: input.amount,
    currency: input.currency.toUpperCase(),
    failure,
    ...(input.metadata ? { metadata: { ...input.metadata } } : {}),
  };
}

/** Charges a saved card without the customer (renewals, activation). A decline is an answer, not an error. */
export async function chargeStripeSavedMethod(
  client: Stripe,
  input: ChargeSavedInput,
): Promise<IntentResult> {
  if (!input.processorCustomerId) {
    return unsentCharge(input, {
      code: "payment_method_missing",
      message: "The saved card has no Stripe customer to charge.",
    });
  }
  try {
    const intent = await client.paymentIntents.create(
      {
        amount: input.amount,
        currency: input.currency.toLowerCase(),
        customer: input.processorCustomerId,
        payment_method: input.processorMethodId,
        off_session: true,
        confirm: true,
        metadata: input.metadata ?? {},
        ...WITH_CARD,
      },
      { idempotencyKey: input.idempotencyKey },
    );
    return paymentIntentResult(intent);
  } catch (err) {
    // A decline comes back as a card error carrying the failed intent, whose last error holds the reason.
    // Off-session that includes a card wanting 3-D Secure: Stripe declines it as `authentication_required`
    // rather than leaving the intent waiting for a customer who is not there.
    if (err instanceof stripeSdk().errors.StripeCardError && err.payment_intent) {
      const declined = paymentIntentResult(err.payment_intent);
      return { ...declined, status: "failed", failure: declined.failure ?? failureOf(err) };
    }
    // The card was detached or deleted at Stripe: no intent was made.
    if (isStripeErrorCode(err, "resource_missing") && err.param === "payment_method") {
      return unsentCharge(input, {
        code: "payment_method_missing",
        message: "The saved card no longer exists.",
      });
    }
    throw err;
  }
}
