import { sql } from "drizzle-orm";
import { countInvoiceSql, nextInvoiceNumberOf, planCustomerWithFirstInvoice } from "../customers/index.js";
import { guardedWrites } from "../db/planned-rows.js";
import { checkoutSessions } from "../db/schema/index.js";
import { param } from "../db/statement.js";
import { uniqueViolationConstraint } from "../db/unique-violation.js";
import type { AppDeps, Merchant } from "../http/types.js";
import { planNumberedInvoice } from "../invoices/index.js";
import { newId } from "../lib/ids.js";
import { planCard, planPayment } from "../payments/index.js";
import type { IntentResult } from "../payments/processor.js";
import { planPurchase } from "../purchases/index.js";
import { planSubscription } from "../subscriptions/index.js";
import { eventsWithDeliveriesSql, inCausalOrder, planEvent } from "../webhooks/index.js";
import type { ClaimedBuyer } from "./attempt.js";
import { type ChargePlan, intentPayment, sessionMerchant } from "./charge-plan.js";
import { type SucceededChanges, sessionSucceededEvent, succeededSession } from "./fulfill.js";
import { guestExternalId, whatWasBought } from "./fulfill-product.js";
import type { CheckoutSessionRow } from "./serialize.js";

/**
 * The claimed attempt's pending → succeeded move, only while the session is exactly as its claim left it:
 * same attempt, still pending, not touched since (`updated_at` is set by every change to a session).
 */
const claimedAttemptSucceeds = sql`update ${checkoutSessions} set status = 'succeeded', last_error = null,
    processor_intent_id = ${param("processorIntentId")}, customer_id = ${param("customerId")},
    customer_email = ${param("customerEmail")}, customer_name = ${param("customerName")},
    purchase_id = ${param("purchaseId")}, subscription_id = ${param("subscriptionId")},
    invoice_id = ${param("invoiceId")},
    payment_id = ${param("paymentId")}, payment_method_id = ${param("paymentMethodId")},
    completed_at = ${param("now")}::timestamptz, updated_at = ${param("now")}::timestamptz
  where id = ${param("id")} and status = 'pending' and attempt = ${param("attempt")}::int
    and updated_at = ${param("claimedAt")}::timestamptz
  returning id`;

const writeGuestCheckout = guardedWrites("fulfil_guest_checkout", claimedAttemptSucceeds, (guard) =>
  eventsWithDeliveriesSql(param("events"), guard),
);
const writeKnownBuyerCheckout = guardedWrites(
  "fulfil_known_buyer_checkout",
  claimedAttemptSucceeds,
  (guard) => sql`numbered as (${countInvoiceSql(guard)}), ${eventsWithDeliveriesSql(param("events"), guard)}`,
);

/**
 * Whether `fulfilInOneStatement` can settle this attempt: the everyday paid checkout, a one-time price or a
 * subscription paid from its first day, whose charge went through, bought by a guest or by the session's
 * known customer as the claim read them. Everything else (trials, which owe no first invoice; free orders;
 * setup sessions; a settlement without the claim's reading of the buyer, such as a challenge answer or the
 * reconciler) is settled by `fulfilSession`.
 */
export function fitsOneStatement(
  session: CheckoutSessionRow,
  plan: ChargePlan,
  intent: IntentResult,
  buyer: ClaimedBuyer | null = null,
): boolean {
  const buyerKnown =
    session.customerId === null
      ? session.customerEmail !== null
      : buyer?.id === session.customerId && buyer.invoiceNumberBase !== null;
  return (
    buyerKnown &&
    session.type === "product" &&
    session.status === "pending" &&
    plan.mode === "payment" &&
    (plan.price?.type === "single_payment" || plan.price?.type === "subscription") &&
    plan.trialDays === 0 &&
    intent.kind === "payment" &&
    intent.status === "succeeded" &&
    intent.amount > 0 &&
    intent.paymentMethod !== undefined
  );
}

type CheckoutBuyerPlan = {
  customerId: string;
  email: string;
  name: string;
  invoiceNumber: string;
  cardIsDefault: boolean;
  /** A guest's customer row and its `customer.created`; nothing for a known customer. */
  writes: ReturnType<typeof planCustomerWithFirstInvoice>["writes"];
  events: ReturnType<typeof planCustomerWithFirstInvoice>["events"];
};

/** Who pays: a guest becomes a customer here; a known customer's next invoice number is predicted. */
function planBuyer(
  merchant: Merchant,
  session: CheckoutSessionRow,
  buyer: ClaimedBuyer | null,
  now: Date,
): CheckoutBuyerPlan | undefined {
  if (session.customerId === null) {
    if (!session.customerEmail) return undefined;
    const guest = planCustomerWithFirstInvoice(
      merchant,
      {
        externalId: guestExternalId(),
        email: session.customerEmail,
        name: session.customerName ?? session.customerEmail,
        pricingModelId: session.pricingModelId,
      },
      now,
    );
    return {
      customerId: guest.row.id,
      email: guest.row.email,
      name: guest.row.name,
      invoiceNumber: guest.invoiceNumber,
      cardIsDefault: true,
      writes: guest.writes,
      events: guest.events,
    };
  }
  if (buyer?.id !== session.customerId || buyer.invoiceNumberBase === null) return undefined;
  return {
    customerId: buyer.id,
    email: buyer.email,
    name: buyer.name,
    invoiceNumber: nextInvoiceNumberOf(buyer),
    cardIsDefault: !buyer.hasDefaultCard,
    writes: [],
    events: [],
  };
}

/**
 * Settles a paid one-time checkout in ONE statement: the session's `succeeded` for the attempt that was
 * claimed, and every record that implies (a guest's new customer or a known customer's invoice count,
 * the card, purchase, invoice and its line, payment) with their events and webhook deliveries, written only
 * if the session is still as the claim left it. A statement is its own transaction, so all of it is stored
 * or none. Each domain plans its own rows and events (the same builders its own writes use); this only
 * decides what is bought and by whom. Returns undefined when nothing was written: the session had moved on
 * (a second tab, the reconciler), or what was read with the claim had (another invoice numbered for the
 * customer, a first card saved meanwhile: a unique index refuses the row). `fulfilSession` then settles
 * it under the row lock.
 */
export async function fulfilInOneStatement(
  deps: AppDeps,
  session: CheckoutSessionRow,
  plan: ChargePlan,
  intent: IntentResult,
  claimedBuyer: ClaimedBuyer | null = null,
): Promise<CheckoutSessionRow | undefined> {
  const paymentMethod = intent.paymentMethod;
  if (!fitsOneStatement(session, plan, intent, claimedBuyer) || !paymentMethod) return undefined;
  const now = deps.now();
  const merchant = sessionMerchant(session);
  const buyer = planBuyer(merchant, session, claimedBuyer, now);
  if (!buyer) return undefined;
  const { price, shownPrice, unitAmount, name } = whatWasBought(session, plan);
  const { customerId } = buyer;
  const pricingModelId = session.pricingModelId;

  const card = planCard(
    merchant,
    {
      customerId,
      pricingModelId,
      processor: deps.processor.name,
      processorMethodId: paymentMethod.processorMethodId,
      card: paymentMethod.card,
      billingDetails: session.billingAddress,
    },
    buyer.cardIsDefault,
    now,
  );
  // A subscription paid today starts active, with the card as its default and its first period invoiced.
  const billingPeriodId = price.type === "subscription" ? newId("billingPeriod") : undefined;
  const subscription =
    billingPeriodId !== undefined
      ? planSubscription(
          merchant,
          {
            billingPeriodId,
            customerId,
            price: shownPrice,
            quantity: session.quantity,
            startDate: now,
            trialEnd: null,
            status: "active",
            defaultPaymentMethodId: card.row.id,
            name: session.outputName,
            metadata: session.outputMetadata,
            checkoutSessionId: session.id,
          },
          now,
        )
      : undefined;
  const subscriptionId = subscription?.row.id;
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
      type: subscriptionId ? "subscription" : "purchase",
      currency: plan.currency,
      lines: [{ priceId: price.id, description: name, quantity: session.quantity, unitPrice: unitAmount }],
      status: "paid",
      purchaseId: purchase.row.id,
      subscriptionId,
      billingPeriodId,
      checkoutSessionId: session.id,
    },
    buyer.invoiceNumber,
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
      subscriptionId,
      paymentMethodId: card.row.id,
    },
    now,
  );

  const changes: SucceededChanges = {
    processorIntentId: intent.intentId,
    customerId,
    customerEmail: buyer.email,
    customerName: buyer.name,
    purchaseId: purchase.row.id,
    subscriptionId: subscriptionId ?? null,
    invoiceId: invoice.row.id,
    paymentId: payment.row.id,
    paymentMethodId: card.row.id,
  };
  const succeeded = succeededSession(session, changes, now);
  const plans = [buyer, card, ...(subscription ? [subscription] : []), purchase, invoice, payment];
  const events = inCausalOrder(
    [...plans.flatMap((p) => p.events), sessionSucceededEvent(succeeded)].map((event) =>
      planEvent(event, now),
    ),
  );
  const write = session.customerId === null ? writeGuestCheckout : writeKnownBuyerCheckout;
  try {
    const written = await write(
      deps.db,
      plans.flatMap((p) => p.writes),
      {
        ...changes,
        id: session.id,
        attempt: session.attempt,
        claimedAt: session.updatedAt.toISOString(),
        now: now.toISOString(),
        events: JSON.stringify(events),
        organizationId: merchant.organizationId,
        livemode: merchant.livemode,
      },
    );
    return written ? succeeded : undefined;
  } catch (err) {
    // A number or a default card taken since the claim: the statement was rolled back whole.
    if (uniqueViolationConstraint(err) === undefined) throw err;
    deps.logger.info(
      { sessionId: session.id, constraint: uniqueViolationConstraint(err) },
      "one-statement fulfilment refused by a unique index; settling under the row lock",
    );
    return undefined;
  }
}
