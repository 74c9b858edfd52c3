import type { AppDeps, IntentResult, Merchant } from "../context/index.js";
import type { Transaction } from "../db/client.js";
import { markInvoicePaid } from "../invoices/index.js";
import { panic } from "../lib/errors.js";
import { recordPayment } from "../payments/index.js";
import { activateSubscription, setSubscriptionDefaultPaymentMethod } from "../subscriptions/index.js";
import { type ChargePlan, intentPayment } from "./charge-plan.js";
import type { FulfilmentIds } from "./fulfill-product.js";
import type { CheckoutSessionRow } from "./serialize.js";

/** add_payment_method: the card is saved by the caller; a target subscription switches to it. */
export async function fulfilAddPaymentMethod(
  tx: Transaction,
  merchant: Merchant,
  session: CheckoutSessionRow,
  customerId: string,
  paymentMethodId: string,
): Promise<FulfilmentIds> {
  if (session.targetSubscriptionId) {
    await setSubscriptionDefaultPaymentMethod(tx, merchant, session.targetSubscriptionId, paymentMethodId);
  }
  return { customerId, paymentMethodId, subscriptionId: session.targetSubscriptionId ?? undefined };
}

/**
 * activate_subscription: one charge paid every outstanding invoice, so each is marked paid, the payment
 * is recorded once (linked to the invoice when there was exactly one), and the subscription goes active.
 */
export async function fulfilActivation(
  deps: AppDeps,
  tx: Transaction,
  merchant: Merchant,
  session: CheckoutSessionRow,
  plan: ChargePlan,
  customerId: string,
  intent: IntentResult | undefined,
  paymentMethodId: string,
): Promise<FulfilmentIds> {
  const subscriptionId = session.targetSubscriptionId;
  if (!subscriptionId) panic(`activation session ${session.id} has no target`);
  const ids: FulfilmentIds = { customerId, paymentMethodId, subscriptionId };
  if (intent && plan.mode === "payment") {
    const payment = await recordPayment(tx, merchant, {
      ...intentPayment(deps, session, intent),
      customerId,
      status: "succeeded",
      invoiceId: plan.invoiceIds.length === 1 ? plan.invoiceIds[0] : undefined,
      subscriptionId,
      paymentMethodId,
    });
    ids.paymentId = payment.id;
    for (const invoiceId of plan.invoiceIds) await markInvoicePaid(tx, merchant, invoiceId);
    if (plan.invoiceIds.length === 1) ids.invoiceId = plan.invoiceIds[0];
  }
  await activateSubscription(tx, merchant, subscriptionId, {
    defaultPaymentMethodId: paymentMethodId,
    preserveBillingCycleAnchor: session.preserveBillingCycleAnchor,
    now: deps.now(),
  });
  return ids;
}
