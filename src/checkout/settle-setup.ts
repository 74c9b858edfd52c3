import type { AppDeps, IntentResult, Merchant } from "../context/index.js";
import { getCustomerById } from "../customers/index.js";
import type { Transaction } from "../db/client.js";
import { markInvoicePaid } from "../invoices/index.js";
import { notFound, panic } from "../lib/errors.js";
import { recordPayment, savePaymentMethod } from "../payments/index.js";
import {
  activateSubscription,
  setDefaultPaymentMethodOfCurrentSubscriptions,
  setSubscriptionDefaultPaymentMethod,
} from "../subscriptions/index.js";
import { emitEvent, transactionWithEvents } from "../webhooks/index.js";
import { type ChargePlan, intentPayment, sessionMerchant } from "./charge-plan.js";
import { refundIfDuplicateCharge } from "./duplicate-charge.js";
import type { CheckoutSessionRow } from "./serialize.js";
import { lockSessionVersion } from "./session-reading.js";
import {
  type SucceededChanges,
  sessionSucceededEvent,
  sessionSucceeds,
  succeededSession,
  succeedsValues,
} from "./session-succeeds.js";

type SetupRecords = Partial<Pick<SucceededChanges, "subscriptionId" | "invoiceId" | "paymentId">>;

/**
 * Settles a successful add_payment_method or activate_subscription session in ONE transaction, under the
 * session's row lock: the card saved for the session's customer, what the session type does with it, the
 * session's `succeeded` and the events for all of it. These change rows that already exist (a
 * subscription's default card, its invoices), so they are read and written in order, not planned ahead as
 * a product checkout's new records are. A charge that reached a session already paid is refunded.
 */
export async function settleSetupSession(
  deps: AppDeps,
  sessionId: string,
  plan: ChargePlan,
  intent: IntentResult,
): Promise<CheckoutSessionRow> {
  let alreadyPaid: CheckoutSessionRow | undefined;
  const settled = await transactionWithEvents(deps.db, async (tx) => {
    const now = deps.now();
    const locked = await lockSessionVersion(tx, sessionId);
    if (!locked) throw notFound("Checkout session");
    const { session } = locked;
    if (session.status === "succeeded") {
      alreadyPaid = session;
      return session;
    }
    const merchant = sessionMerchant(session);
    const customerId = session.customerId ?? panic(`${session.type} session ${session.id} has no customer`);
    const card =
      intent.paymentMethod ?? panic(`${session.type} session ${session.id} succeeded without a card`);
    const [customer, saved] = await Promise.all([
      getCustomerById(tx, merchant, customerId),
      savePaymentMethod(
        tx,
        merchant,
        {
          customerId,
          pricingModelId: session.pricingModelId,
          processor: intent.processor,
          processorMethodId: card.processorMethodId,
          processorCustomerId: card.processorCustomerId ?? null,
          card: card.card,
          billingDetails: session.billingAddress ?? undefined,
          makeDefault: session.type === "add_payment_method" && !session.targetSubscriptionId,
        },
        now,
      ),
    ]);
    if (!customer) panic(`customer ${customerId} of session ${session.id} is gone`);
    const records =
      session.type === "add_payment_method"
        ? await addPaymentMethod(tx, merchant, session, saved.id, now)
        : await activate(deps, tx, merchant, session, plan, intent, saved.id, now);
    const changes: SucceededChanges = {
      processorIntentId: intent.intentId,
      customerId,
      customerEmail: customer.email,
      customerName: customer.name,
      purchaseId: null,
      subscriptionId: records.subscriptionId ?? null,
      invoiceId: records.invoiceId ?? null,
      paymentId: records.paymentId ?? null,
      paymentMethodId: saved.id,
    };
    // The row is locked by this transaction, so it is still the one read: the guard holds.
    const [moved] = await sessionSucceeds(tx, succeedsValues(locked, changes, now));
    if (!moved) panic(`locked session ${session.id} changed under its lock`);
    const succeeded = succeededSession(session, changes, now);
    await emitEvent(tx, sessionSucceededEvent(succeeded), now);
    return succeeded;
  });
  if (alreadyPaid) await refundIfDuplicateCharge(deps, alreadyPaid, intent);
  return settled;
}

/**
 * add_payment_method: the card is saved by the caller; a target subscription switches to it, or, with
 * `automaticallyUpdateSubscriptions`, every current subscription of the customer does.
 */
async function addPaymentMethod(
  tx: Transaction,
  merchant: Merchant,
  session: CheckoutSessionRow,
  paymentMethodId: string,
  now: Date,
): Promise<SetupRecords> {
  if (session.targetSubscriptionId) {
    await setSubscriptionDefaultPaymentMethod(
      tx,
      merchant,
      session.targetSubscriptionId,
      paymentMethodId,
      now,
    );
  } else if (session.automaticallyUpdateSubscriptions && session.customerId) {
    await setDefaultPaymentMethodOfCurrentSubscriptions(
      tx,
      merchant,
      session.customerId,
      paymentMethodId,
      now,
    );
  }
  return { subscriptionId: session.targetSubscriptionId };
}

/**
 * activate_subscription: the subscription goes active, and one charge paid every outstanding invoice, so the
 * payment is recorded once (linked to the invoice when there was exactly one) and each invoice is marked paid.
 */
async function activate(
  _deps: AppDeps,
  tx: Transaction,
  merchant: Merchant,
  session: CheckoutSessionRow,
  plan: ChargePlan,
  intent: IntentResult,
  paymentMethodId: string,
  now: Date,
): Promise<SetupRecords> {
  const subscriptionId = session.targetSubscriptionId;
  if (!subscriptionId) panic(`activation session ${session.id} has no target`);
  const records: SetupRecords = { subscriptionId };
  // Activated first, so the payment and the invoices it pays name the period it starts.
  const { billingPeriod } = await activateSubscription(tx, merchant, subscriptionId, {
    defaultPaymentMethodId: paymentMethodId,
    preserveBillingCycleAnchor: session.preserveBillingCycleAnchor,
    now,
  });
  const billingPeriodId = billingPeriod?.id ?? null;
  if (plan.mode === "payment") {
    const onlyInvoice = plan.invoiceIds.length === 1 ? plan.invoiceIds[0] : undefined;
    const payment = await recordPayment(
      tx,
      merchant,
      {
        ...intentPayment(session, intent),
        customerId: session.customerId,
        status: "succeeded",
        invoiceId: onlyInvoice,
        subscriptionId,
        paymentMethodId,
        billingPeriodId,
        description: `${plan.product?.name ?? "Subscription"} activation`,
      },
      now,
    );
    records.paymentId = payment.id;
    for (const invoiceId of plan.invoiceIds) {
      await markInvoicePaid(tx, merchant, invoiceId, now, billingPeriodId);
    }
    records.invoiceId = onlyInvoice ?? null;
  }
  return records;
}
