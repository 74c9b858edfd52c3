import {
  getPriceWithProduct,
  type PriceAndProduct,
  type PriceRow,
  type ProductRow,
} from "../catalog/index.js";
import type { AppDeps, IntentResult, Merchant } from "../context/index.js";
import { type DiscountRow, discountAmountFor, findUsableDiscount, getDiscount } from "../discounts/index.js";
import { listOpenInvoicesForSubscription } from "../invoices/index.js";
import { AppError, panic } from "../lib/errors.js";
import { multiplyAmount, sumAmounts } from "../lib/money.js";
import type { CheckoutSessionRow } from "./serialize.js";
import { clearSessionDiscount } from "./session-discount.js";

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
  /** Unit price × quantity, before the discount (product sessions; 0 otherwise). */
  subtotal: number;
  /** The session's discount and what it takes off the subtotal (for a trial, off the first payment). */
  discount: AppliedDiscount | null;
};

export type AppliedDiscount = { row: DiscountRow; amount: number };

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

/**
 * `confirming`: the plan is one a confirm is about to charge (the session is open, or was just claimed for
 * this attempt), so its discount must still be usable. Any other plan (settling an attempt that was already
 * charged, showing a session that is no longer open) takes the discount as it was applied: the attempt was
 * charged for it, whatever the merchant did with the code since. Defaults to whether the session is open.
 */
export type PlanOptions = { confirming?: boolean };

export async function chargePlan(
  deps: AppDeps,
  session: CheckoutSessionRow,
  options: PlanOptions = {},
): Promise<ChargePlan> {
  const found = session.priceId
    ? await getPriceWithProduct(deps.db, sessionMerchant(session), session.priceId)
    : undefined;
  return chargePlanWith(
    deps,
    session,
    { price: found?.price ?? null, product: found?.product ?? null },
    options,
  );
}

/** The plan for a session whose price (and product) the caller has already read with it. */
export async function chargePlanWith(
  deps: AppDeps,
  session: CheckoutSessionRow,
  { price, product }: PriceAndProduct,
  options: PlanOptions = {},
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
      subtotal: 0,
      discount: null,
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
      subtotal: amount,
      discount: null,
    };
  }

  if (!price || session.unitAmount === null || !session.currency)
    panic(`product session ${session.id} lost its price`);
  const subtotal = multiplyAmount(session.unitAmount, session.quantity);
  const confirming = options.confirming ?? session.status === "open";
  const discount = session.discountId
    ? await sessionDiscount(deps, session, session.discountId, subtotal, confirming)
    : null;
  const total = subtotal - (discount?.amount ?? 0);
  const trialDays = price.type === "subscription" ? (price.trialPeriodDays ?? 0) : 0;
  const common = { currency: session.currency, price, product, invoiceIds: [], subtotal, discount };
  if (trialDays > 0) return { ...common, mode: "setup", amount: 0, trialDays };
  if (total === 0) {
    // A free subscription still keeps a card on file for later; a free one-time item needs nothing.
    const mode = price.type === "subscription" ? "setup" : "none";
    return { ...common, mode, amount: 0, trialDays: 0 };
  }
  return { ...common, mode: "payment", amount: total, trialDays: 0 };
}

/**
 * The discount the customer applied. Before a charge it must still be usable: one that was deactivated
 * since is taken off the session and the confirm refused, so the customer is never charged other than what
 * the page shows them. After the claim the applied discount is what the attempt was charged for.
 */
async function sessionDiscount(
  deps: AppDeps,
  session: CheckoutSessionRow,
  discountId: string,
  subtotal: number,
  confirming: boolean,
): Promise<AppliedDiscount> {
  const merchant = sessionMerchant(session);
  if (!confirming) {
    const applied = await getDiscount(deps.db, merchant, discountId);
    if (!applied) panic(`session ${session.id} names discount ${discountId}, which is not there`);
    return { row: applied, amount: discountAmountFor(applied, subtotal) };
  }
  const row = await findUsableDiscount(deps.db, merchant, discountId, session.pricingModelId);
  if (!row) {
    await clearSessionDiscount(deps.db, session.id, discountId, deps.now());
    throw new AppError(
      "CONFLICT",
      "The discount code on this checkout is no longer valid and was removed. Please review the total and pay again.",
    );
  }
  return { row, amount: discountAmountFor(row, subtotal) };
}
