import Stripe from "stripe";

/** Whether `err` is Stripe's answer with this error code (`resource_missing`, `payment_intent_unexpected_state`…). */
export function isStripeErrorCode(err: unknown, ...codes: string[]): err is Stripe.errors.StripeError {
  return err instanceof Stripe.errors.StripeError && err.code !== undefined && codes.includes(err.code);
}

/** Stripe's 404 for an id it does not know. */
export const isMissingResource = (err: unknown) => isStripeErrorCode(err, "resource_missing");
