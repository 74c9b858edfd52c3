/**
 * What Glade needs from a card processor. The sandbox implements it against its own ledger; the Stripe
 * adapter over Stripe's API. Card numbers pass through the sandbox only and are never stored; in Stripe
 * mode they never reach Glade at all (the page confirms with Stripe.js).
 */
export type CardInput = { number: string; expMonth: number; expYear: number; cvc: string };
export type CardDetails = { brand: string; last4: string; expMonth: number; expYear: number };

export type ProcessorName = "sandbox" | "stripe";

/**
 * - `awaiting_customer`: created, and the customer has not confirmed it yet (the page confirms a Stripe
 *   intent in the browser); no money has moved.
 * - `requires_action`: the customer must authenticate (3-D Secure) before money moves.
 * - `processing`: accepted, the outcome comes later (the webhook tells).
 */
export type IntentStatus =
  | "awaiting_customer"
  | "requires_action"
  | "processing"
  | "succeeded"
  | "failed"
  | "canceled";

export type IntentResult = {
  /** Which processor answered: the records of this intent name it. */
  processor: ProcessorName;
  intentId: string;
  kind: "payment" | "setup";
  status: IntentStatus;
  amount: number;
  currency: string;
  /** The reusable token for the card, present once the card was accepted (even if a charge is pending). */
  paymentMethod?: { processorMethodId: string; processorCustomerId?: string; card: CardDetails };
  failure?: { code: string; message: string };
  /** For the page to confirm a client-confirmed intent (Stripe.js). Handed to the buyer, never stored or logged. */
  clientSecret?: string;
  /** What Glade wrote on the intent (`checkoutSessionId`, `attempt`): how a webhook finds its session. */
  metadata?: Record<string, string>;
};

/** Who an on-session intent is for: the processor keeps one customer per Glade customer. */
export type IntentPayer = {
  /** null for an anonymous checkout: its Glade customer is made when it settles. */
  customerId: string | null;
  email: string | null;
  name: string | null;
  organizationId: string;
  livemode: boolean;
  /** Keys the processor customer made for an anonymous checkout, so a retried call makes one. */
  checkoutSessionId: string;
};

/**
 * How the hosted page takes the card: posted to Glade (`server`, the sandbox), or entered in the
 * processor's own fields and confirmed in the browser (`client`, Stripe.js with the Payment Element).
 */
export type CardCollection =
  | { kind: "server" }
  | { kind: "client"; publishableKey: string; scriptUrl: string };

export interface PaymentProcessor {
  readonly name: ProcessorName;
  readonly collection: CardCollection;
  /**
   * Charge a card (`payment`) or save it without charging (`setup`). With `server` collection the card
   * comes in `card` and the answer is final or `requires_action`; with `client` collection there is no
   * card and the answer is `awaiting_customer` with a `clientSecret` for the page.
   */
  createIntent(input: {
    kind: "payment" | "setup";
    amount: number;
    currency: string;
    livemode: boolean;
    /** Same key, same intent: a retried confirm never creates a second charge. */
    idempotencyKey: string;
    card?: CardInput;
    payer: IntentPayer;
    /** The card must stay chargeable off-session (subscriptions, saved cards). */
    saveCard: boolean;
    metadata: Record<string, string>;
  }): Promise<IntentResult>;
  /** Sandbox only: resolve a `requires_action` intent after the customer answered the challenge page. */
  completeChallenge(intentId: string, outcome: "approve" | "deny"): Promise<IntentResult>;
  retrieveIntent(intentId: string): Promise<IntentResult | undefined>;
  /**
   * The intent created with this idempotency key, if the processor can tell. After a crash between
   * "processor said yes" and "we recorded it", this is how the reconciler learns whether money moved.
   * A client-confirmed processor answers undefined: its intents cannot move money before their id is
   * recorded, because the page gets the client secret only after that write.
   */
  findIntentByIdempotencyKey(idempotencyKey: string): Promise<IntentResult | undefined>;
  /**
   * Ends an intent that has not succeeded, so nobody can confirm it later; answers its final state,
   * which is `succeeded` if the customer's confirmation won the race.
   */
  cancelIntent(intentId: string): Promise<IntentResult>;
  /** Off-session charge of a saved method (activation, renewals). */
  chargeSavedMethod(input: {
    processorMethodId: string;
    processorCustomerId: string | null;
    amount: number;
    currency: string;
    livemode: boolean;
    idempotencyKey: string;
    metadata?: Record<string, string>;
  }): Promise<IntentResult>;
  /** `idempotencyKey` names the refund, so a retried refund is not a second one. */
  refund(input: {
    intentId: string;
    amount: number;
    idempotencyKey: string;
  }): Promise<{ refundedAmount: number }>;
}

export type ProcessorTenant = { organizationId: string; livemode: boolean };

/**
 * Which processor serves a tenant. A connected processor serves its mode; test mode without one keeps the
 * sandbox; live mode without one has none, and `forTenant` refuses (no live money on the sandbox).
 */
export interface ProcessorRegistry {
  /** The processor new payments in this tenant go to; throws a 4xx AppError in live mode without one. */
  forTenant(tenant: ProcessorTenant): Promise<PaymentProcessor>;
  /** The processor that made an existing record (a payment, a saved card, an attempt in flight). */
  named(tenant: ProcessorTenant, name: ProcessorName): Promise<PaymentProcessor>;
  /** Drops what this process remembers of a tenant's connection (after connecting or disconnecting). */
  forget(tenant: ProcessorTenant): void;
}
