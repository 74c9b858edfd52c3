import type { AppDeps, IntentResult, Merchant } from "../context/index.js";
import { type CustomerRow, createCustomer, getCustomerById } from "../customers/index.js";
import type { Transaction } from "../db/client.js";
import { createInvoice } from "../invoices/index.js";
import { panic } from "../lib/errors.js";
import { randomToken } from "../lib/ids.js";
import { recordPayment } from "../payments/index.js";
import { createPurchase } from "../purchases/index.js";
import { createSubscription } from "../subscriptions/index.js";
import type { ChargePlan } from "./charge-plan.js";
import { productRecords } from "./product-records.js";
import type { CheckoutSessionRow } from "./serialize.js";

export type FulfilmentIds = {
  customerId: string;
  purchaseId?: string;
  subscriptionId?: string;
  invoiceId?: string;
  paymentId?: string;
  paymentMethodId?: string;
};

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

/**
 * Everything a paid product session implies, in the caller's transaction: purchase, invoice, payment,
 * and for subscription prices the subscription with its first (or trial) billing period (`productRecords`).
 * Every record's id is chosen up front, so all of them are sent at once and the transaction waits for the
 * database once.
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
  const records = productRecords(deps, session, plan, intent, customerId, paymentMethodId, deps.now());
  const writes: Promise<unknown>[] = [];
  if (records.subscription) writes.push(createSubscription(tx, merchant, records.subscription));
  writes.push(createPurchase(tx, merchant, records.purchase));
  if (records.invoice) writes.push(createInvoice(tx, merchant, records.invoice));
  const payment = records.payment && recordPayment(tx, merchant, records.payment);
  if (payment) writes.push(payment);
  await Promise.all(writes);
  // A replayed intent finds its payment already recorded: the session points at that one.
  const paymentId = payment && (await payment).id;
  return { customerId, paymentMethodId, ...records.ids, paymentId };
}
