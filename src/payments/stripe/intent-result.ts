import type Stripe from "stripe";
import type { IntentResult, IntentStatus } from "../../context/index.js";

/** The part of a PaymentIntent's or SetupIntent's last error that Glade shows and stores. */
export type StripeIntentError = { code?: string; decline_code?: string; message?: string };

/**
 * Stripe's intent status in Glade's terms. Stripe sends a declined intent back to `requires_payment_method`
 * with the decline in its last error, so the customer can try another card on the same intent; for Glade
 * that attempt failed. Without an error, `requires_payment_method` is an intent nobody has confirmed yet.
 */
export function mapIntentStatus(
  status: Stripe.PaymentIntent.Status | Stripe.SetupIntent.Status,
  lastError: StripeIntentError | null,
): { status: IntentStatus; failure?: { code: string; message: string } } {
  switch (status) {
    case "succeeded":
      return { status: "succeeded" };
    case "processing":
    case "requires_capture":
      return { status: "processing" };
    case "requires_action":
      return { status: "requires_action" };
    case "canceled":
      return { status: "canceled" };
    case "requires_payment_method":
      if (lastError) return { status: "failed", failure: failureOf(lastError) };
      return { status: "awaiting_customer" };
    case "requires_confirmation":
      return { status: "awaiting_customer" };
    default:
      // A status newer than this adapter: nothing has been decided that Glade could act on.
      return { status: "awaiting_customer" };
  }
}

/** Stripe's wording for a failed 3-D Secure is written for developers; the buyer reads this instead. */
const BUYER_MESSAGES: Record<string, string> = {
  payment_intent_authentication_failure:
    "Authentication with your bank failed. Try again or use another card.",
  setup_intent_authentication_failure: "Authentication with your bank failed. Try again or use another card.",
};

export function failureOf(error: StripeIntentError): { code: string; message: string } {
  const code = error.decline_code ?? error.code ?? "unknown";
  return { code, message: BUYER_MESSAGES[code] ?? error.message ?? "The payment was declined." };
}

/** Stripe answers a related object as its id, or as the object when expanded. */
export const idOf = (value: string | { id: string } | null) =>
  typeof value === "string" ? value : value?.id;

/** The saved-card part of a result, only when the payment method came expanded with its card. */
function savedCard(
  paymentMethod: string | Stripe.PaymentMethod | null,
  customer: string | { id: string } | null,
): IntentResult["paymentMethod"] {
  if (typeof paymentMethod !== "object" || paymentMethod === null || !paymentMethod.card) return undefined;
  const card = paymentMethod.card;
  return {
    processorMethodId: paymentMethod.id,
    processorCustomerId: idOf(customer) ?? idOf(paymentMethod.customer),
    card: { brand: card.brand, last4: card.last4, expMonth: card.exp_month, expYear: card.exp_year },
  };
}

function withOptionalParts(
  result: IntentResult,
  parts: Pick<IntentResult, "paymentMethod" | "failure" | "clientSecret" | "metadata">,
): IntentResult {
  if (parts.paymentMethod) result.paymentMethod = parts.paymentMethod;
  if (parts.failure) result.failure = parts.failure;
  if (parts.clientSecret) result.clientSecret = parts.clientSecret;
  if (parts.metadata && Object.keys(parts.metadata).length > 0) result.metadata = { ...parts.metadata };
  return result;
}

/** Glade keeps ISO currency codes upper-case; Stripe answers lower-case. */
export function paymentIntentResult(intent: Stripe.PaymentIntent): IntentResult {
  const { status, failure } = mapIntentStatus(intent.status, intent.last_payment_error);
  return withOptionalParts(
    {
      processor: "stripe",
      intentId: intent.id,
      kind: "payment",
      status,
      amount: intent.amount,
      currency: intent.currency.toUpperCase(),
    },
    {
      paymentMethod: savedCard(intent.payment_method, intent.customer),
      failure,
      clientSecret: intent.client_secret ?? undefined,
      metadata: intent.metadata,
    },
  );
}

/**
 * A SetupIntent moves no money, so its amount is 0; its currency is the one Glade wrote in its metadata
 * (`createIntent` does), for the session it belongs to.
 */
export function setupIntentResult(intent: Stripe.SetupIntent): IntentResult {
  const { status, failure } = mapIntentStatus(intent.status, intent.last_setup_error);
  const metadata = intent.metadata ?? {};
  return withOptionalParts(
    {
      processor: "stripe",
      intentId: intent.id,
      kind: "setup",
      status,
      amount: 0,
      currency: (metadata.currency ?? "USD").toUpperCase(),
    },
    {
      paymentMethod: savedCard(intent.payment_method, intent.customer),
      failure,
      clientSecret: intent.client_secret ?? undefined,
      metadata,
    },
  );
}
