import {
  getPriceWithProduct,
  type PriceAndProduct,
  type PriceRow,
  type ProductRow,
} from "../catalog/index.js";
import type { AppDeps, IntentResult, Merchant } from "../context/index.js";
import { listOpenInvoicesForSubscription } from "../invoices/index.js";
import { panic } from "../lib/errors.js";
import { multiplyAmount, sumAmounts } from "../lib/money.js";
import type { CheckoutSessionRow } from "./serialize.js";

/**
 * What confirming a session will do with the customer's card, decided on the server from stored data only.
 * - `payment`: charge `amount` now.
 * - `setup`: save the card without charging (trials, add-payment-method, activation with nothing owed).
 * - `none`: nothing to collect at all (a free one-time price).
 */
export type ChargePlan = {
  mode: "payment" | "setup" | "none";
  amount: number;
  currency: string;
  price: PriceRow | null;
  product: ProductRow | null;
  trialDays: number;
  /** Invoices an activation pays; empty for the other session types. */
  invoiceIds: string[];
};

/**
 * Whether the card must stay chargeable after this checkout (renewals, a saved card, an activated
 * subscription): the processor is asked to keep it for off-session use.
 */
export function savesCard(session: CheckoutSessionRow, plan: ChargePlan): boolean {
  return plan.mode === "setup" || session.type !== "product" || plan.price?.type === "subscription";
}

export function sessionMerchant(session: CheckoutSessionRow): Merchant {
  return { organizationId: session.organizationId, livemode: session.livemode, apiKeyId: "checkout" };
}

/** What every payment recorded for a session's processor intent says, whatever the outcome. */
export function intentPayment(session: CheckoutSessionRow, intent: IntentResult) {
  return {
    pricingModelId: session.pricingModelId,
    amount: intent.amount,
    currency: intent.currency,
    processor: intent.processor,
    processorIntentId: intent.intentId,
    checkoutSessionId: session.id,
  };
}

export async function chargePlan(deps: AppDeps, session: CheckoutSessionRow): Promise<ChargePlan> {
  const found = session.priceId
    ? await getPriceWithProduct(deps.db, sessionMerchant(session), session.priceId)
    : undefined;
  return chargePlanWith(deps, session, { price: found?.price ?? null, product: found?.product ?? null });
}

/** The plan for a session whose price (and product) the caller has already read with it. */
export async function chargePlanWith(
  deps: AppDeps,
  session: CheckoutSessionRow,
  { price, product }: PriceAndProduct,
): Promise<ChargePlan> {
  if (session.type === "add_payment_method") {
    return {
      mode: "setup",
      amount: 0,
      currency: price?.currency ?? "USD",
      price,
      product,
      trialDays: 0,
      invoiceIds: [],
    };
  }

  if (session.type === "activate_subscription") {
    if (!session.targetSubscriptionId) panic("activation session without target");
    const open = await listOpenInvoicesForSubscription(
      deps.db,
      sessionMerchant(session),
      session.targetSubscriptionId,
    );
    const amount = sumAmounts(open.map((inv) => inv.total - inv.amountPaid));
    const currency = open[0]?.currency ?? price?.currency ?? "USD";
    return {
      mode: amount > 0 ? "payment" : "setup",
      amount,
      currency,
      price,
      product,
      trialDays: 0,
      invoiceIds: open.map((inv) => inv.id),
    };
  }

  if (!price || session.unitAmount === null || !session.currency)
    panic(`product session ${session.id} lost its price`);
  const total = multiplyAmount(session.unitAmount, session.quantity);
  const trialDays = price.type === "subscription" ? (price.trialPeriodDays ?? 0) : 0;
  if (trialDays > 0) {
    return {
      mode: "setup",
      amount: 0,
      currency: session.currency,
      price,
      product,
      trialDays,
      invoiceIds: [],
    };
  }
  if (total === 0) {
    // A free subscription still keeps a card on file for later; a free one-time item needs nothing.
    const mode = price.type === "subscription" ? "setup" : "none";
    return { mode, amount: 0, currency: session.currency, price, product, trialDays: 0, invoiceIds: [] };
  }
  return {
    mode: "payment",
    amount: total,
    currency: session.currency,
    price,
    product,
    trialDays: 0,
    invoiceIds: [],
  };
}
