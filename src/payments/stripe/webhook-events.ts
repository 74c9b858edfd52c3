import type Stripe from "stripe";
import type { IntentResult } from "../../context/index.js";
import { idOf, paymentIntentResult, setupIntentResult } from "./intent-result.js";
import { stripeSdk } from "./sdk.js";

/** Stripe's own default: a signature older than five minutes is refused, which stops replays. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The event in a webhook request, after checking its `Stripe-Signature` against the endpoint's secret. Throws
 * Stripe's signature error for a wrong secret, a changed body or an old timestamp. `rawBody` must be the
 * bytes as received: re-serialized JSON does not verify.
 */
export function parseStripeEvent(
  rawBody: string,
  signatureHeader: string,
  webhookSecret: string,
): Stripe.Event {
  return stripeSdk().webhooks.constructEvent(
    rawBody,
    signatureHeader,
    webhookSecret,
    SIGNATURE_TOLERANCE_SECONDS,
  );
}

/**
 * The intent a `payment_intent.*` or `setup_intent.*` event is about, read from the event alone. Events carry
 * the payment method as an id, so the card details are missing unless it came expanded: a caller that needs
 * them retrieves the intent.
 */
export function intentFromEvent(event: Stripe.Event): IntentResult | undefined {
  // Only payment_intent.* and setup_intent.* events carry an intent as their object.
  const object = event.data.object;
  if (!("object" in object)) return undefined;
  if (object.object === "payment_intent") return paymentIntentResult(object);
  if (object.object === "setup_intent") return setupIntentResult(object);
  return undefined;
}

/** What a `charge.refunded` event says: the payment's total refunded so far (refunds may come from the dashboard). */
export type StripeRefundUpdate = { paymentIntentId: string; amountRefunded: number };

/** What a `charge.dispute.created` event says: which payment the customer's bank pulls back, how much and why. */
export type StripeDisputeOpened = {
  paymentIntentId: string;
  disputeId: string;
  amount: number;
  currency: string;
  reason: string;
};

export function refundFromEvent(event: Stripe.Event): StripeRefundUpdate | undefined {
  if (event.type !== "charge.refunded") return undefined;
  const paymentIntentId = idOf(event.data.object.payment_intent);
  if (!paymentIntentId) return undefined;
  return { paymentIntentId, amountRefunded: event.data.object.amount_refunded };
}

export function disputeFromEvent(event: Stripe.Event): StripeDisputeOpened | undefined {
  if (event.type !== "charge.dispute.created") return undefined;
  const dispute = event.data.object;
  const paymentIntentId = idOf(dispute.payment_intent);
  if (!paymentIntentId) return undefined;
  return {
    paymentIntentId,
    disputeId: dispute.id,
    amount: dispute.amount,
    currency: dispute.currency.toUpperCase(),
    reason: dispute.reason,
  };
}
