import type { CardEntry, CheckoutView } from "../../web/view.js";
import type { PriceRow } from "../catalog/index.js";
import type { AppDeps, PaymentProcessor } from "../context/index.js";
import { AppError } from "../lib/errors.js";
import { formatAmount, multiplyAmount } from "../lib/money.js";
import { getOrganizationCached } from "../organizations/index.js";
import { awaitsSandboxChallenge } from "./attempt.js";
import { brandOf } from "./brand.js";
import {
  type AppliedDiscount,
  type ChargePlan,
  chargePlan,
  savesCard,
  sessionMerchant,
} from "./charge-plan.js";
import { declinedField, type FieldErrors } from "./checkout-flash.js";
import type { CheckoutSessionRow } from "./serialize.js";

function every(price: PriceRow): string {
  const count = price.intervalCount ?? 1;
  const unit = price.intervalUnit ?? "month";
  return count === 1 ? `every ${unit}` : `every ${count} ${unit}s`;
}

/** Where the customer goes after success: the merchant's URL with the session id filled in. */
export function successRedirectUrl(deps: AppDeps, session: CheckoutSessionRow): string {
  if (!session.successUrl) return `${deps.config.publicUrl}/checkout/${session.id}/success`;
  // Stored URLs are normalised, which percent-encodes braces in a path (`/done/%7BCHECKOUT_SESSION_ID%7D`).
  return session.successUrl.replace(
    /\{CHECKOUT_SESSION_ID\}|%7BCHECKOUT_SESSION_ID%7D/gi,
    encodeURIComponent(session.id),
  );
}

/** How long a discount lasts on a subscription, in the customer's words. */
function discountSpan(discount: AppliedDiscount): string {
  const { duration, numberOfPayments } = discount.row;
  if (duration === "forever") return "on every payment";
  if (duration === "once" || numberOfPayments === 1) return "on the first payment";
  return `on the first ${numberOfPayments} payments`;
}

function productCopy(session: CheckoutSessionRow, plan: ChargePlan) {
  const { price, product, discount } = plan;
  const currency = plan.currency;
  const money = (amount: number) => formatAmount(amount, currency);
  const unit = session.unitAmount ?? 0;
  const lineTotal = multiplyAmount(unit, session.quantity);
  const name = product?.name ?? price?.name ?? "Item";
  const lines = [
    {
      label: session.quantity > 1 ? `${name} × ${session.quantity} (${money(unit)} each)` : name,
      amount: money(lineTotal),
    },
  ];
  const discounted = lineTotal - (discount?.amount ?? 0);
  if (discount) {
    lines.push({ label: "Subtotal", amount: money(lineTotal) });
    lines.push({ label: `Discount (${discount.row.code})`, amount: `−${money(discount.amount)}` });
  }
  const terms: string[] = [];
  let buttonLabel = plan.mode === "none" ? "Complete order" : `Pay ${money(plan.amount)}`;
  if (price?.type === "subscription") {
    const recurring = `${money(lineTotal)} ${every(price)}`;
    if (discount && discount.row.duration !== "forever") {
      terms.push(`${discount.row.code}: ${money(discounted)} ${discountSpan(discount)}, then ${recurring}.`);
    }
    const billed = discount?.row.duration === "forever" ? `${money(discounted)} ${every(price)}` : recurring;
    if (plan.trialDays > 0) {
      terms.push(
        `${plan.trialDays}-day free trial, then ${discount ? `${money(discounted)} ${every(price)}` : recurring}.`,
      );
      lines.push({ label: `Free trial (${plan.trialDays} days)`, amount: `−${money(discounted)}` });
      lines.push({ label: "Total after trial", amount: money(discounted) });
      buttonLabel = `Start ${plan.trialDays}-day trial`;
    } else {
      terms.push(`Billed ${billed} until you cancel.`);
      buttonLabel = plan.amount === 0 ? "Start subscription" : `Subscribe for ${money(plan.amount)}`;
    }
  }
  return { title: name, description: product?.description ?? null, lines, terms, buttonLabel };
}

/** How an open session's page takes the card, from the processor serving its tenant now. */
async function cardEntryFor(
  deps: AppDeps,
  session: CheckoutSessionRow,
  plan: ChargePlan,
): Promise<CardEntry> {
  if (session.status !== "open") return { kind: "glade" };
  let processor: PaymentProcessor;
  try {
    processor = await deps.processors.forTenant(sessionMerchant(session));
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    // A free order needs no processor.
    return plan.mode === "none" ? { kind: "none" } : { kind: "unavailable", message: err.message };
  }
  if (processor.collection.kind === "server") return { kind: "glade" };
  if (plan.mode === "none") return { kind: "none" };
  return {
    kind: "stripe",
    publishableKey: processor.collection.publishableKey,
    scriptUrl: processor.collection.scriptUrl,
    mode: plan.mode,
    amount: plan.amount,
    currency: plan.currency.toLowerCase(),
    setupFutureUsage: plan.mode === "payment" && savesCard(session, plan),
  };
}

/**
 * What the page says went wrong. After a failed submit, the problems it left; otherwise (a reload, a
 * second visit) the last decline, shown on the card field it was about.
 */
function pageErrors(
  session: CheckoutSessionRow,
  options: { error?: string | null; fieldErrors?: FieldErrors },
): { error: string | null; fieldErrors: FieldErrors } {
  if (options.fieldErrors) return { error: options.error ?? null, fieldErrors: options.fieldErrors };
  if (options.error) return { error: options.error, fieldErrors: {} };
  const lastError = session.status === "open" ? session.lastError : null;
  return { error: lastError, fieldErrors: lastError ? { [declinedField(lastError)]: lastError } : {} };
}

export async function buildCheckoutView(
  deps: AppDeps,
  session: CheckoutSessionRow,
  options: {
    error?: string | null;
    /** Each field's problem (after a failed submit); without them the last decline is the card's. */
    fieldErrors?: FieldErrors;
    email?: string;
    name?: string;
    country?: string;
    /** What the last discount code try said; `discountFailed` when it was refused. */
    discountMessage?: string | null;
    discountFailed?: boolean;
    /** What is in the code field when the page comes back from a refused code: what was typed. */
    discountTyped?: string;
  } = {},
): Promise<CheckoutView> {
  let plan: ChargePlan;
  try {
    plan = await chargePlan(deps, session);
  } catch (err) {
    // The applied discount stopped being valid: it was taken off the session; show the page without it.
    if (!(err instanceof AppError) || !session.discountId) throw err;
    return buildCheckoutView(
      deps,
      { ...session, discountId: null },
      { ...options, discountMessage: err.message, discountFailed: true },
    );
  }
  const org = await getOrganizationCached(deps.db, session.organizationId);
  const currency = plan.currency;
  const cardEntry = await cardEntryFor(deps, session, plan);
  let copy: {
    title: string;
    description: string | null;
    lines: CheckoutView["lines"];
    terms: string[];
    buttonLabel: string;
  };
  if (session.type === "product") {
    copy = productCopy(session, plan);
  } else if (session.type === "add_payment_method") {
    copy = {
      title: "Add a payment method",
      description: session.targetSubscriptionId
        ? "This card will be used for your subscription from now on."
        : null,
      lines: [],
      terms: ["Nothing is charged now."],
      buttonLabel: "Save card",
    };
  } else {
    const name = plan.product?.name ?? plan.price?.name ?? "Subscription";
    copy = {
      title: `Activate ${name}`,
      description: plan.invoiceIds.length > 0 ? "Paying now settles your outstanding invoices." : null,
      lines:
        plan.invoiceIds.length > 0
          ? [
              {
                label: `Outstanding invoices (${plan.invoiceIds.length})`,
                amount: formatAmount(plan.amount, currency),
              },
            ]
          : [],
      terms:
        plan.price?.type === "subscription"
          ? [
              `Then ${formatAmount(multiplyAmount(plan.price.unitPrice, session.quantity), currency)} ${every(plan.price)}.`,
            ]
          : [],
      buttonLabel:
        plan.amount > 0 ? `Pay ${formatAmount(plan.amount, currency)} and activate` : "Activate subscription",
    };
  }
  return {
    sessionId: session.id,
    status: session.status,
    type: session.type,
    livemode: session.livemode,
    merchantName: org?.name ?? "Merchant",
    brand: brandOf(org),
    ...copy,
    totalLabel: formatAmount(plan.amount, currency),
    collectCard: plan.mode !== "none",
    cardEntry,
    email: options.email || (session.customerEmail ?? ""),
    name: options.name || (session.customerName ?? ""),
    identityLocked: session.customerId !== null,
    country: options.country || (session.billingAddress?.address.country ?? "US"),
    cancelUrl: session.cancelUrl,
    continueUrl: successRedirectUrl(deps, session),
    ...pageErrors(session, options),
    hasChallenge: awaitsSandboxChallenge(session),
    discount:
      session.type === "product" && session.status === "open" && cardEntry.kind !== "unavailable"
        ? {
            applied: plan.discount?.row.code ?? null,
            typed: options.discountTyped ?? plan.discount?.row.code ?? "",
            message: options.discountMessage ?? null,
            failed: options.discountFailed ?? false,
          }
        : null,
  };
}
