import type { PriceRow } from "../catalog/index.js";
import type { IntentResult } from "../context/index.js";
import type { planRedemption } from "../discounts/index.js";
import type { CreateInvoiceInput } from "../invoices/index.js";
import { panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { paymentDescription, type RecordPaymentInput } from "../payments/index.js";
import type { CreatePurchaseInput } from "../purchases/index.js";
import type { CreateSubscriptionInput } from "../subscriptions/index.js";
import { type ChargePlan, intentPayment } from "./charge-plan.js";
import type { CheckoutSessionRow } from "./serialize.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** What a product session sold, as the customer was shown it, and the name its records carry. */
function whatWasBought(session: CheckoutSessionRow, plan: ChargePlan) {
  const { price, product } = plan;
  if (!price || session.unitAmount === null) panic(`product session ${session.id} has no price`);
  // The session's snapshot is what the customer was shown; a later edit of the price does not change it.
  const shownPrice: PriceRow = { ...price, unitPrice: session.unitAmount };
  const name = session.outputName ?? product?.name ?? price.name ?? "Purchase";
  return { price, shownPrice, unitAmount: session.unitAmount, name };
}

/** A trial owes nothing today, so it has no invoice yet: the first one comes when the trial ends. */
export const invoicedToday = (plan: ChargePlan) => plan.trialDays === 0;

export type ProductRecords = {
  /** Every record's id, chosen up front so that rows naming each other can be written together. */
  ids: { purchaseId: string; subscriptionId?: string; invoiceId?: string };
  subscription?: CreateSubscriptionInput;
  purchase: CreatePurchaseInput;
  invoice?: CreateInvoiceInput;
  /** The payment that settled the invoice, when the processor charged for it. */
  payment?: RecordPaymentInput;
  /** The discount the customer used, recorded once with the checkout. */
  redemption?: Parameters<typeof planRedemption>[1];
};

/**
 * What a successful product session asks the other domains to create, whichever way it is written (the
 * transaction's `createX` calls or the one statement's `planX` plans): for a subscription price the
 * subscription with its first (or trial) period, the purchase, and, unless a trial defers it, the invoice
 * with the payment that settled it.
 */
export function productRecords(
  session: CheckoutSessionRow,
  plan: ChargePlan,
  intent: IntentResult | undefined,
  customerId: string,
  paymentMethodId: string | undefined,
  now: Date,
): ProductRecords {
  const { price, shownPrice, unitAmount, name } = whatWasBought(session, plan);
  const ids: ProductRecords["ids"] = { purchaseId: newId("purchase") };
  const redemptionId = plan.discount ? newId("discountRedemption") : undefined;
  // A trial's checkout pays nothing: the discount then reduces the first renewal instead.
  const reducedToday = plan.discount && invoicedToday(plan) ? plan.discount.amount : 0;
  const records: ProductRecords = {
    ids,
    purchase: {
      id: ids.purchaseId,
      customerId,
      pricingModelId: session.pricingModelId,
      price: shownPrice,
      name,
      quantity: session.quantity,
      status: "paid",
      checkoutSessionId: session.id,
      metadata: session.outputMetadata ?? undefined,
      // The first invoice is today's, or after a trial the first renewal's, which the discount reduces too.
      discountAmount: plan.discount?.amount ?? 0,
    },
  };

  let billingPeriodId: string | undefined;
  if (price.type === "subscription") {
    ids.subscriptionId = newId("subscription");
    billingPeriodId = newId("billingPeriod");
    const trialEnd = plan.trialDays > 0 ? new Date(now.getTime() + plan.trialDays * DAY_MS) : null;
    records.subscription = {
      id: ids.subscriptionId,
      billingPeriodId,
      customerId,
      price: shownPrice,
      quantity: session.quantity,
      startDate: now,
      trialEnd,
      status: trialEnd ? "trialing" : "active",
      defaultPaymentMethodId: paymentMethodId,
      name: session.outputName ?? undefined,
      metadata: session.outputMetadata ?? undefined,
      checkoutSessionId: session.id,
    };
  }

  if (invoicedToday(plan)) {
    ids.invoiceId = newId("invoice");
    records.invoice = {
      id: ids.invoiceId,
      customerId,
      pricingModelId: session.pricingModelId,
      type: ids.subscriptionId ? "subscription" : "purchase",
      currency: plan.currency,
      lines: [{ priceId: price.id, description: name, quantity: session.quantity, unitPrice: unitAmount }],
      status: "paid",
      purchaseId: ids.purchaseId,
      subscriptionId: ids.subscriptionId,
      billingPeriodId,
      checkoutSessionId: session.id,
      discount: redemptionId ? { amount: reducedToday, redemptionId } : undefined,
    };
    if (intent && plan.mode === "payment") {
      records.payment = {
        ...intentPayment(session, intent),
        customerId,
        status: "succeeded",
        invoiceId: ids.invoiceId,
        purchaseId: ids.purchaseId,
        subscriptionId: ids.subscriptionId,
        billingPeriodId,
        description: paymentDescription(name, session.quantity),
        paymentMethodId,
      };
    }
  }
  if (plan.discount && redemptionId) {
    records.redemption = {
      id: redemptionId,
      discount: plan.discount.row,
      checkoutSessionId: session.id,
      customerId,
      purchaseId: ids.purchaseId,
      subscriptionId: ids.subscriptionId ?? null,
      charged: invoicedToday(plan),
    };
  }
  return records;
}
