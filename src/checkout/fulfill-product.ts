import type { PriceRow } from "../catalog/index.js";
import { type CustomerRow, createCustomer, getCustomerById } from "../customers/index.js";
import type { Transaction } from "../db/client.js";
import type { AppDeps, Merchant } from "../http/types.js";
import { createInvoice } from "../invoices/index.js";
import { panic } from "../lib/errors.js";
import { newId, randomToken } from "../lib/ids.js";
import { type PaymentRow, recordPayment } from "../payments/index.js";
import type { IntentResult } from "../payments/processor.js";
import { createPurchase } from "../purchases/index.js";
import { createSubscription } from "../subscriptions/index.js";
import { type ChargePlan, intentPayment } from "./charge-plan.js";
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

/** A subscription bought today: trialing until its trial ends, or active from now. */
export function subscriptionStart(plan: ChargePlan, now: Date) {
  return plan.trialDays > 0
    ? { trialEnd: new Date(now.getTime() + plan.trialDays * DAY_MS), status: "trialing" as const }
    : { trialEnd: null, status: "active" as const };
}

/** The merchant-side id of a customer who bought as a guest on the hosted page. */
export const guestExternalId = () => `guest_${randomToken(20)}`;

/**
 * The session's customer: the known one (read), or for an anonymous session a new one from what was typed on
 * the page, under the id the caller chose so the other records of the checkout can name it alongside.
 */
export function sessionCustomer(
  tx: Transaction,
  merchant: Merchant,
  session: CheckoutSessionRow,
  newCustomerId: string,
): Promise<CustomerRow> {
  if (session.customerId) {
    return getCustomerById(tx, merchant, session.customerId).then(
      (existing) => existing ?? panic(`customer ${session.customerId} of session ${session.id} is gone`),
    );
  }
  if (!session.customerEmail) panic(`anonymous session ${session.id} confirmed without an email`);
  return createCustomer(
    tx,
    merchant,
    {
      id: newCustomerId,
      externalId: guestExternalId(),
      email: session.customerEmail,
      name: session.customerName ?? session.customerEmail,
      pricingModelId: session.pricingModelId,
    },
    { pricingModelVerified: true },
  );
}

/** What a product session sold, as the customer was shown it, and the name its records carry. */
export function whatWasBought(session: CheckoutSessionRow, plan: ChargePlan) {
  const { price, product } = plan;
  if (!price || session.unitAmount === null) panic(`product session ${session.id} has no price`);
  // The session's snapshot is what the customer was shown; a later edit of the price does not change it.
  const shownPrice: PriceRow = { ...price, unitPrice: session.unitAmount };
  const name = session.outputName ?? product?.name ?? price.name ?? "Purchase";
  return { price, shownPrice, unitAmount: session.unitAmount, name };
}

/**
 * Everything a paid product session implies, in the caller's transaction: purchase, invoice, payment,
 * and for subscription prices the subscription with its first (or trial) billing period. Every record's id
 * is chosen here, so all of them are sent at once and the transaction waits for the database once.
 */
export async function fulfilProduct(
  deps: AppDeps,
  tx: Transaction,
  merchant: Merchant,
  session: CheckoutSessionRow,
  plan: ChargePlan,
  customerId: string,
  intent: IntentResult | undefined,
  paymentMethodId: string | undefined,
): Promise<FulfilmentIds> {
  const { price, shownPrice, unitAmount, name } = whatWasBought(session, plan);
  const now = deps.now();
  const ids: FulfilmentIds = { customerId, paymentMethodId, purchaseId: newId("purchase") };
  const writes: Promise<unknown>[] = [];

  let billingPeriodId: string | undefined;
  if (price.type === "subscription") {
    ids.subscriptionId = newId("subscription");
    billingPeriodId = newId("billingPeriod");
    const { trialEnd, status } = subscriptionStart(plan, now);
    writes.push(
      createSubscription(tx, merchant, {
        id: ids.subscriptionId,
        billingPeriodId,
        customerId,
        price: shownPrice,
        quantity: session.quantity,
        startDate: now,
        trialEnd,
        status,
        defaultPaymentMethodId: paymentMethodId,
        name: session.outputName ?? undefined,
        metadata: session.outputMetadata ?? undefined,
        checkoutSessionId: session.id,
      }),
    );
  }

  writes.push(
    createPurchase(tx, merchant, {
      id: ids.purchaseId,
      customerId,
      pricingModelId: session.pricingModelId,
      price: shownPrice,
      name,
      quantity: session.quantity,
      status: "paid",
      checkoutSessionId: session.id,
      metadata: session.outputMetadata ?? undefined,
    }),
  );

  // A trial owes nothing today, so it has no invoice yet: the first one comes when the trial ends.
  let payment: Promise<PaymentRow> | undefined;
  if (plan.trialDays === 0) {
    ids.invoiceId = newId("invoice");
    writes.push(
      createInvoice(tx, merchant, {
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
      }),
    );
    if (intent && plan.mode === "payment") {
      payment = recordPayment(tx, merchant, {
        ...intentPayment(deps, session, intent),
        customerId,
        status: "succeeded",
        invoiceId: ids.invoiceId,
        purchaseId: ids.purchaseId,
        subscriptionId: ids.subscriptionId,
        paymentMethodId,
      });
      writes.push(payment);
    }
  }
  await Promise.all(writes);
  // A replayed intent finds its payment already recorded: the session points at that one.
  if (payment) ids.paymentId = (await payment).id;
  return ids;
}
