import type Stripe from "stripe";
import { panic } from "../../lib/errors.js";

/**
 * Refunds part or all of a payment. The answer is the total refunded so far, read from the charge after the
 * refund, so a retried refund (same key, replayed by Stripe) answers the same total rather than adding to it.
 */
export async function refundStripePayment(
  client: Stripe,
  input: { intentId: string; amount: number; idempotencyKey: string },
): Promise<{ refundedAmount: number }> {
  await client.refunds.create(
    { payment_intent: input.intentId, amount: input.amount },
    { idempotencyKey: input.idempotencyKey },
  );
  const intent = await client.paymentIntents.retrieve(input.intentId, { expand: ["latest_charge"] });
  const charge = intent.latest_charge;
  if (typeof charge !== "object" || charge === null) panic(`refunded intent ${input.intentId} has no charge`);
  return { refundedAmount: charge.amount_refunded };
}
