import { sql } from "drizzle-orm";
import { planCustomerWithFirstInvoice } from "../customers/index.js";
import { guardedWrites } from "../db/planned-rows.js";
import { checkoutSessions } from "../db/schema/index.js";
import { param } from "../db/statement.js";
import type { AppDeps } from "../http/types.js";
import { planNumberedInvoice } from "../invoices/index.js";
import { planNewCustomerCard, planPayment } from "../payments/index.js";
import type { IntentResult } from "../payments/processor.js";
import { planPurchase } from "../purchases/index.js";
import { eventsWithDeliveriesSql, inCausalOrder, planEvent } from "../webhooks/index.js";
import { type ChargePlan, intentPayment, sessionMerchant } from "./charge-plan.js";
import { type SucceededChanges, succeededSession } from "./fulfill.js";
import { guestExternalId, whatWasBought } from "./fulfill-product.js";
import { type CheckoutSessionRow, serializeCheckoutSession } from "./serialize.js";

/**
 * The claimed attempt's pending → succeeded move, only while the session is exactly as its claim left it:
 * same attempt, still pending, not touched since (`updated_at` is set by every change to a session).
 */
const claimedAttemptSucceeds = sql`update ${checkoutSessions} set status = 'succeeded', last_error = null,
    processor_intent_id = ${param("processorIntentId")}, customer_id = ${param("customerId")},
    customer_email = ${param("customerEmail")}, customer_name = ${param("customerName")},
    purchase_id = ${param("purchaseId")}, subscription_id = null, invoice_id = ${param("invoiceId")},
    payment_id = ${param("paymentId")}, payment_method_id = ${param("paymentMethodId")},
    completed_at = ${param("now")}::timestamptz, updated_at = ${param("now")}::timestamptz
  where id = ${param("id")} and status = 'pending' and attempt = ${param("attempt")}::int
    and updated_at = ${param("claimedAt")}::timestamptz
  returning id`;

const writeAll = guardedWrites("fulfil_checkout_in_one_statement", claimedAttemptSucceeds, (guard) =>
  eventsWithDeliveriesSql(param("events"), guard),
);

/**
 * Whether `fulfilInOneStatement` can settle this attempt: the everyday paid checkout, a one-time price
 * bought by a guest whose charge went through. Everything else (known customers, whose card and invoice
 * number depend on rows the statement would have to read and lock; subscriptions; trials; free orders;
 * setup sessions) is settled by `fulfilSession`'s transaction.
 */
export function fitsOneStatement(
  session: CheckoutSessionRow,
  plan: ChargePlan,
  intent: IntentResult,
): boolean {
  return (
    session.type === "product" &&
    session.status === "pending" &&
    session.customerId === null &&
    session.customerEmail !== null &&
    plan.mode === "payment" &&
    plan.price?.type === "single_payment" &&
    plan.trialDays === 0 &&
    intent.kind === "payment" &&
    intent.status === "succeeded" &&
    intent.amount > 0 &&
    intent.paymentMethod !== undefined
  );
}

/**
 * Settles a guest's paid one-time checkout in ONE statement: the session's `succeeded` for the attempt
 * that was claimed, and every record that implies (customer, card, purchase, invoice and its line,
 * payment) with their events and webhook deliveries, written only if the session is still as the claim
 * left it. A statement is its own transaction, so all of it is stored or none. Each domain plans its own
 * rows and events (the same builders its own writes use); this only decides what is bought and by whom.
 * Returns undefined when the session had moved on (a second tab, the reconciler, a challenge): nothing was
 * written and `fulfilSession` settles it under the row lock.
 */
export async function fulfilInOneStatement(
  deps: AppDeps,
  session: CheckoutSessionRow,
  plan: ChargePlan,
  intent: IntentResult,
): Promise<CheckoutSessionRow | undefined> {
  const paymentMethod = intent.paymentMethod;
  if (!fitsOneStatement(session, plan, intent) || !paymentMethod || !session.customerEmail) return undefined;
  const now = deps.now();
  const merchant = sessionMerchant(session);
  const { price, shownPrice, unitAmount, name } = whatWasBought(session, plan);
  const pricingModelId = session.pricingModelId;

  const customer = planCustomerWithFirstInvoice(
    merchant,
    {
      externalId: guestExternalId(),
      email: session.customerEmail,
      name: session.customerName ?? session.customerEmail,
      pricingModelId,
    },
    now,
  );
  const customerId = customer.row.id;
  const card = planNewCustomerCard(
    merchant,
    {
      customerId,
      pricingModelId,
      processor: deps.processor.name,
      processorMethodId: paymentMethod.processorMethodId,
      card: paymentMethod.card,
      billingDetails: session.billingAddress,
    },
    now,
  );
  const purchase = planPurchase(
    merchant,
    {
      customerId,
      pricingModelId,
      price: shownPrice,
      name,
      quantity: session.quantity,
      status: "paid",
      checkoutSessionId: session.id,
      metadata: session.outputMetadata,
    },
    now,
  );
  const invoice = planNumberedInvoice(
    merchant,
    {
      customerId,
      pricingModelId,
      type: "purchase",
      currency: plan.currency,
      lines: [{ priceId: price.id, description: name, quantity: session.quantity, unitPrice: unitAmount }],
      status: "paid",
      purchaseId: purchase.row.id,
      checkoutSessionId: session.id,
    },
    customer.invoiceNumber,
    now,
  );
  const payment = planPayment(
    merchant,
    {
      ...intentPayment(deps, session, intent),
      customerId,
      status: "succeeded",
      invoiceId: invoice.row.id,
      purchaseId: purchase.row.id,
      paymentMethodId: card.row.id,
    },
    now,
  );

  const changes: SucceededChanges = {
    processorIntentId: intent.intentId,
    customerId,
    customerEmail: customer.row.email,
    customerName: customer.row.name,
    purchaseId: purchase.row.id,
    subscriptionId: null,
    invoiceId: invoice.row.id,
    paymentId: payment.row.id,
    paymentMethodId: card.row.id,
  };
  const succeeded = succeededSession(session, changes, now);
  const plans = [customer, card, purchase, invoice, payment];
  const events = inCausalOrder(
    [
      ...plans.flatMap((p) => p.events),
      {
        organizationId: succeeded.organizationId,
        livemode: succeeded.livemode,
        type: "checkout_session.succeeded" as const,
        objectType: "checkout_session",
        objectId: succeeded.id,
        object: serializeCheckoutSession(succeeded),
      },
    ].map((event) => planEvent(event, now)),
  );
  const written = await writeAll(
    deps.db,
    plans.flatMap((p) => p.writes),
    {
      ...changes,
      id: session.id,
      attempt: session.attempt,
      claimedAt: session.updatedAt.toISOString(),
      now: now.toISOString(),
      events: JSON.stringify(events),
    },
  );
  return written ? succeeded : undefined;
}
