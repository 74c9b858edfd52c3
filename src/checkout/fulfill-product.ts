import type { PriceRow } from "../catalog/index.js";
import { type CustomerRow, createCustomer, getCustomerById } from "../customers/index.js";
import type { Transaction } from "../db/client.js";
import type { AppDeps, Merchant } from "../http/types.js";
import { createInvoice } from "../invoices/index.js";
import { panic } from "../lib/errors.js";
import { randomToken } from "../lib/ids.js";
import { recordPayment } from "../payments/index.js";
import type { IntentResult } from "../payments/processor.js";
import { createPurchase } from "../purchases/index.js";
import { createSubscription } from "../subscriptions/index.js";
import type { ChargePlan } from "./charge-plan.js";
import type { CheckoutSessionRow } from "./serialize.js";

export type FulfilmentIds = {
  customerId: string;
  purchaseId?: string;
  subscriptionId?: string;
  invoiceId?: string;
  paymentId?: string;
  paymentMethodId?: string;
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** Anonymous sessions become a customer at the moment they pay, from what was typed on the page. */
export async function sessionCustomer(
  tx: Transaction,
  merchant: Merchant,
  session: CheckoutSessionRow,
): Promise<CustomerRow> {
  if (session.customerId) {
    const existing = await getCustomerById(tx, merchant, session.customerId);
    if (!existing) panic(`customer ${session.customerId} of session ${session.id} is gone`);
    return existing;
  }
  if (!session.customerEmail) panic(`anonymous session ${session.id} confirmed without an email`);
  return createCustomer(
    tx,
    merchant,
    {
      externalId: `guest_${randomToken(20)}`,
      email: session.customerEmail,
      name: session.customerName ?? session.customerEmail,
      pricingModelId: session.pricingModelId,
    },
    { pricingModelVerified: true },
  );
}

/**
 * Everything a paid product session implies, in the caller's transaction: purchase, invoice, payment,
 * and for subscription prices the subscription with its first (or trial) billing period.
 */
export async function fulfilProduct(
  deps: AppDeps,
  tx: Transaction,
  merchant: Merchant,
  session: CheckoutSessionRow,
  plan: ChargePlan,
  customer: CustomerRow,
  intent: IntentResult | undefined,
  paymentMethodId: string | undefined,
): Promise<FulfilmentIds> {
  const { price, product } = plan;
  if (!price || session.unitAmount === null) panic(`product session ${session.id} has no price`);
  // The session's snapshot is what the customer was shown; a later edit of the price does not change it.
  const shownPrice: PriceRow = { ...price, unitPrice: session.unitAmount };
  const now = deps.now();
  const name = session.outputName ?? product?.name ?? price.name ?? "Purchase";
  const ids: FulfilmentIds = { customerId: customer.id, paymentMethodId };

  let subscriptionId: string | undefined;
  let billingPeriodId: string | undefined;
  if (price.type === "subscription") {
    const trialEnd = plan.trialDays > 0 ? new Date(now.getTime() + plan.trialDays * DAY_MS) : null;
    const created = await createSubscription(tx, merchant, {
      customerId: customer.id,
      price: shownPrice,
      quantity: session.quantity,
      startDate: now,
      trialEnd,
      status: trialEnd ? "trialing" : "active",
      defaultPaymentMethodId: paymentMethodId,
      name: session.outputName ?? undefined,
      metadata: session.outputMetadata ?? undefined,
      checkoutSessionId: session.id,
    });
    subscriptionId = created.subscription.id;
    billingPeriodId = created.billingPeriod?.id;
    ids.subscriptionId = subscriptionId;
  }

  const purchase = await createPurchase(tx, merchant, {
    customerId: customer.id,
    pricingModelId: session.pricingModelId,
    price: shownPrice,
    name,
    quantity: session.quantity,
    status: "paid",
    checkoutSessionId: session.id,
    metadata: session.outputMetadata ?? undefined,
  });
  ids.purchaseId = purchase.id;

  // A trial owes nothing today, so it has no invoice yet: the first one comes when the trial ends.
  if (plan.trialDays > 0) return ids;

  const { invoice } = await createInvoice(tx, merchant, {
    customerId: customer.id,
    pricingModelId: session.pricingModelId,
    type: subscriptionId ? "subscription" : "purchase",
    currency: plan.currency,
    lines: [
      { priceId: price.id, description: name, quantity: session.quantity, unitPrice: session.unitAmount },
    ],
    status: "paid",
    purchaseId: purchase.id,
    subscriptionId,
    billingPeriodId,
    checkoutSessionId: session.id,
  });
  ids.invoiceId = invoice.id;

  if (intent && plan.mode === "payment") {
    const payment = await recordPayment(tx, merchant, {
      customerId: customer.id,
      pricingModelId: session.pricingModelId,
      amount: intent.amount,
      currency: intent.currency,
      status: "succeeded",
      processor: deps.processor.name,
      processorIntentId: intent.intentId,
      invoiceId: invoice.id,
      purchaseId: purchase.id,
      subscriptionId,
      checkoutSessionId: session.id,
      paymentMethodId,
    });
    ids.paymentId = payment.id;
  }
  return ids;
}
