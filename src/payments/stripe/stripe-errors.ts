import type Stripe from "stripe";
import { stripeSdk } from "./sdk.js";

/** Whether `err` is Stripe's answer with this error code (`resource_missing`, `payment_intent_unexpected_state`…). */
export function isStripeErrorCode(err: unknown, ...codes: string[]): err is Stripe.errors.StripeError {
  return err instanceof stripeSdk().errors.StripeError && err.code !== undefined && codes.includes(err.code);
}

/** Stripe's 404 for an id it does not know. */
export const isMissingResource = (err: unknown) => isStripeErrorCode(err, "resource_missing");

/** Stripe's error type (`StripeConnectionError`, `StripeAuthenticationError`…) when `err` is Stripe's, else undefined. */
export function stripeErrorType(err: unknown): string | undefined {
  return err instanceof stripeSdk().errors.StripeError ? err.type : undefined;
}
