/**
 * What Glade needs from a card processor. The sandbox implements it against its own ledger; a real
 * processor adapter would implement it over HTTP. Card numbers pass through here and are never stored.
 */
export type CardInput = { number: string; expMonth: number; expYear: number; cvc: string };
export type CardDetails = { brand: string; last4: string; expMonth: number; expYear: number };

export type IntentStatus = "succeeded" | "requires_action" | "failed" | "canceled";

export type IntentResult = {
  intentId: string;
  kind: "payment" | "setup";
  status: IntentStatus;
  amount: number;
  currency: string;
  /** The reusable token for the card, present once the card was accepted (even if a charge is pending). */
  paymentMethod?: { processorMethodId: string; card: CardDetails };
  failure?: { code: string; message: string };
};

export interface PaymentProcessor {
  readonly name: string;
  /** Charge a card entered on the page (`payment`) or save it without charging (`setup`). */
  createIntent(input: {
    kind: "payment" | "setup";
    amount: number;
    currency: string;
    livemode: boolean;
    /** Same key, same intent: a retried confirm never creates a second charge. */
    idempotencyKey: string;
    card: CardInput;
    metadata?: Record<string, string>;
  }): Promise<IntentResult>;
  /** Resolve a `requires_action` intent after the customer answered the challenge. */
  completeChallenge(intentId: string, outcome: "approve" | "deny"): Promise<IntentResult>;
  retrieveIntent(intentId: string): Promise<IntentResult | undefined>;
  /**
   * The intent created with this idempotency key, if any. After a crash between "processor said yes" and
   * "we recorded it", this is how the reconciler learns whether money moved.
   */
  findIntentByIdempotencyKey(idempotencyKey: string): Promise<IntentResult | undefined>;
  /** Off-session charge of a saved method (activation, renewals). */
  chargeSavedMethod(input: {
    processorMethodId: string;
    amount: number;
    currency: string;
    livemode: boolean;
    idempotencyKey: string;
    metadata?: Record<string, string>;
  }): Promise<IntentResult>;
  refund(input: { intentId: string; amount: number }): Promise<{ refundedAmount: number }>;
}
