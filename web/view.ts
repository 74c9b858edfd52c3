export type CardEntry =
  /** Glade's own card fields (the sandbox), shown while there is something to collect. */
  | { kind: "glade" }
  /** Nothing to collect now (a free order) from a tenant whose processor takes cards in its own fields. */
  | { kind: "none" }
  | {
      kind: "stripe";
      publishableKey: string;
      scriptUrl: string;
      mode: "payment" | "setup";
      /** Minor units, as Stripe.js takes them. */
      amount: number;
      /** Lower-case ISO code, as Stripe.js takes it. */
      currency: string;
      setupFutureUsage: boolean;
    }
  /** Live mode with no processor connected (it was disconnected after the session was made). */
  | { kind: "unavailable"; message: string };

/** Everything the hosted page shows, already formatted; built by src/checkout/page-view.ts. */
export type CheckoutView = {
  sessionId: string;
  status: "open" | "pending" | "succeeded" | "failed" | "expired";
  type: "product" | "add_payment_method" | "activate_subscription";
  livemode: boolean;
  merchantName: string;
  /** The merchant's look: a stylesheet of its colour and its logo, each when set (Settings in the dashboard). */
  brand: { stylesheet: string | null; logoUrl: string | null };
  title: string;
  description: string | null;
  lines: { label: string; amount: string }[];
  totalLabel: string;
  /** e.g. "then $19.00 every month" or "14-day free trial". */
  terms: string[];
  buttonLabel: string;
  collectCard: boolean;
  /** Where the card is typed: Glade's own fields (the sandbox) or Stripe's Payment Element. */
  cardEntry: CardEntry;
  email: string;
  name: string;
  /** Known customers pay as themselves: their email is shown, not editable. */
  identityLocked: boolean;
  country: string;
  cancelUrl: string | null;
  continueUrl: string;
  /** A problem not about one field (or the last decline, shown with its field). */
  error: string | null;
  /** Each field's problem after a failed submit, by the field's name. */
  fieldErrors: Partial<
    Record<"email" | "name" | "country" | "cardNumber" | "cardExpiry" | "cardCvc", string>
  >;
  /**
   * The discount code field (open product sessions that can be paid): the code applied, what the field
   * holds, and what the last try said.
   */
  discount: { applied: string | null; typed: string; message: string | null; failed: boolean } | null;
  /** Fields to refill after a failed submit (never card data). */
  hasChallenge: boolean;
};
