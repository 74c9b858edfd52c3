import type { IntentResult, Merchant } from "../context/index.js";
import { nextInvoiceNumberOf, planCustomer, planCustomerWithFirstInvoice } from "../customers/index.js";
import { planRedemption } from "../discounts/index.js";
import { planNumberedInvoice } from "../invoices/index.js";
import { panic } from "../lib/errors.js";
import { randomToken } from "../lib/ids.js";
import { planCard, planPayment } from "../payments/index.js";
import { planPurchase } from "../purchases/index.js";
import { planSubscription } from "../subscriptions/index.js";
import type { Planned } from "../webhooks/index.js";
import { type ChargePlan, sessionMerchant } from "./charge-plan.js";
import { invoicedToday, productRecords } from "./product-records.js";
import type { SessionReading } from "./session-reading.js";
import type { SucceededChanges } from "./session-succeeds.js";

/** The merchant-side id of a customer who bought as a guest on the hosted page. */
export const guestExternalId = () => `guest_${randomToken(20)}`;

type BuyerPlan = Pick<Planned<unknown>, "writes" | "events"> & {
  customerId: string;
  email: string;
  name: string;
  /** The number the checkout's invoice takes, when it has one today. */
  invoiceNumber: string | undefined;
  hasDefaultCard: boolean;
};

/**
 * Who pays: a guest becomes a customer here (with its first invoice number taken when it is invoiced today);
 * a known customer, as they were read with the session, has their next number predicted.
 */
function planBuyer(merchant: Merchant, reading: SessionReading, invoiced: boolean, now: Date): BuyerPlan {
  const { session, buyer } = reading;
  if (session.customerId === null) {
    if (!session.customerEmail) panic(`anonymous session ${session.id} settled without an email`);
    const input = {
      externalId: guestExternalId(),
      email: session.customerEmail,
      name: session.customerName ?? session.customerEmail,
      pricingModelId: session.pricingModelId,
    };
    const guest = invoiced
      ? planCustomerWithFirstInvoice(merchant, input, now)
      : { ...planCustomer(merchant, input, now), invoiceNumber: undefined };
    const { row, writes, events, invoiceNumber } = guest;
    return {
      customerId: row.id,
      email: row.email,
      name: row.name,
      invoiceNumber,
      hasDefaultCard: false,
      writes,
      events,
    };
  }
  if (buyer?.id !== session.customerId)
    panic(`customer ${session.customerId} of session ${session.id} is gone`);
  return {
    customerId: buyer.id,
    email: buyer.email,
    name: buyer.name,
    invoiceNumber: invoiced ? nextInvoiceNumberOf(buyer) : undefined,
    hasDefaultCard: buyer.hasDefaultCard,
    writes: [],
    events: [],
  };
}

export type FulfilmentPlan = {
  /** Every domain's plan, in the order their rows are written. */
  plans: Pick<Planned<unknown>, "writes" | "events">[];
  changes: SucceededChanges;
  /** A known customer's invoice is numbered in the statement (their count goes up with it). */
  countsKnownCustomerInvoice: boolean;
};

/**
 * Every record a successful product session implies, as the domains plan them (the same builders their own
 * writes use): the buyer, the card when one was saved, the subscription with its first period, the
 * purchase, and unless a trial defers it the invoice, with its payment when the processor charged for it.
 * Nothing is read or written here: `reading` is what the session and its buyer were when they were read.
 */
export function planFulfilment(
  reading: SessionReading,
  plan: ChargePlan,
  intent: IntentResult | undefined,
  now: Date,
): FulfilmentPlan {
  const { session } = reading;
  const merchant = sessionMerchant(session);
  const buyer = planBuyer(merchant, reading, invoicedToday(plan), now);
  const { customerId } = buyer;

  const paymentMethod = intent?.paymentMethod;
  const card =
    paymentMethod &&
    planCard(
      merchant,
      {
        customerId,
        pricingModelId: session.pricingModelId,
        processor: intent.processor,
        processorMethodId: paymentMethod.processorMethodId,
        processorCustomerId: paymentMethod.processorCustomerId ?? null,
        card: paymentMethod.card,
        billingDetails: session.billingAddress,
      },
      buyer.hasDefaultCard,
      now,
    );
  const records = productRecords(session, plan, intent, customerId, card?.row.id, now);
  const subscription = records.subscription && planSubscription(merchant, records.subscription, now);
  const purchase = planPurchase(merchant, records.purchase, now);
  const invoice =
    records.invoice &&
    planNumberedInvoice(
      merchant,
      records.invoice,
      buyer.invoiceNumber ?? panic(`invoice of session ${session.id} planned without a number`),
      now,
    );
  const payment = records.payment && planPayment(merchant, records.payment, now);
  const redemption = records.redemption && planRedemption(merchant, records.redemption, now);

  return {
    plans: [buyer, card, subscription, purchase, invoice, payment, redemption].filter((p) => p !== undefined),
    changes: {
      processorIntentId: intent?.intentId ?? null,
      customerId,
      customerEmail: buyer.email,
      customerName: buyer.name,
      purchaseId: purchase.row.id,
      subscriptionId: subscription?.row.id ?? null,
      invoiceId: invoice?.row.id ?? null,
      paymentId: payment?.row.id ?? null,
      paymentMethodId: card?.row.id ?? null,
    },
    countsKnownCustomerInvoice: session.customerId !== null && invoice !== undefined,
  };
}
