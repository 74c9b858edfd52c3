import type { AppDeps, IntentResult, Merchant } from "../context/index.js";
import { nextInvoiceNumberOf, planCustomer, planCustomerWithFirstInvoice } from "../customers/index.js";
import { planNumberedInvoice } from "../invoices/index.js";
import { panic } from "../lib/errors.js";
import { planCard, planPayment } from "../payments/index.js";
import { planPurchase } from "../purchases/index.js";
import { planSubscription } from "../subscriptions/index.js";
import type { Planned } from "../webhooks/index.js";
import type { ClaimedBuyer } from "./attempt.js";
import { type ChargePlan, sessionMerchant } from "./charge-plan.js";
import type { SucceededChanges } from "./fulfill.js";
import { guestExternalId } from "./fulfill-product.js";
import { invoicedToday, productRecords } from "./product-records.js";
import type { CheckoutSessionRow } from "./serialize.js";

type BuyerPlan = Pick<Planned<unknown>, "writes" | "events"> & {
  customerId: string;
  email: string;
  name: string;
  /** The number the checkout's invoice takes, when it has one today. */
  invoiceNumber: string | undefined;
  cardIsDefault: boolean;
};

/**
 * Who pays: a guest becomes a customer here (with its first invoice number taken when it is invoiced today);
 * a known customer, as the claim read them, has their next number predicted.
 */
function planBuyer(
  merchant: Merchant,
  session: CheckoutSessionRow,
  buyer: ClaimedBuyer | null,
  invoiced: boolean,
  now: Date,
): BuyerPlan | undefined {
  if (session.customerId === null) {
    if (!session.customerEmail) return undefined;
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
      cardIsDefault: true,
      writes,
      events,
    };
  }
  if (buyer?.id !== session.customerId || buyer.invoiceNumberBase === null) return undefined;
  return {
    customerId: buyer.id,
    email: buyer.email,
    name: buyer.name,
    invoiceNumber: invoiced ? nextInvoiceNumberOf(buyer) : undefined,
    cardIsDefault: !buyer.hasDefaultCard,
    writes: [],
    events: [],
  };
}

export type FulfilmentPlan = {
  /** Every domain's plan, in the order their rows are written. */
  plans: Pick<Planned<unknown>, "writes" | "events">[];
  changes: SucceededChanges;
  /** A known customer's invoice is numbered in the statement (their count goes up with it). */
  numbersKnownCustomerInvoice: boolean;
};

/**
 * Every record a successful product session implies, as the domains plan them (the same builders their own
 * writes use, from the same `productRecords` the transaction path creates): the buyer, the card, the
 * subscription with its first period, the purchase, and, when something is owed today, the invoice and its
 * payment. Nothing is read or written here.
 */
export function planFulfilment(
  deps: AppDeps,
  session: CheckoutSessionRow,
  plan: ChargePlan,
  intent: IntentResult,
  claimedBuyer: ClaimedBuyer | null,
  now: Date,
): FulfilmentPlan | undefined {
  const paymentMethod = intent.paymentMethod;
  if (!paymentMethod) return undefined;
  const merchant = sessionMerchant(session);
  const buyer = planBuyer(merchant, session, claimedBuyer, invoicedToday(plan), now);
  if (!buyer) return undefined;
  const { customerId } = buyer;

  const card = planCard(
    merchant,
    {
      customerId,
      pricingModelId: session.pricingModelId,
      processor: deps.processor.name,
      processorMethodId: paymentMethod.processorMethodId,
      card: paymentMethod.card,
      billingDetails: session.billingAddress,
    },
    buyer.cardIsDefault,
    now,
  );
  const records = productRecords(deps, session, plan, intent, customerId, card.row.id, now);
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

  return {
    plans: [buyer, card, subscription, purchase, invoice, payment].filter((p) => p !== undefined),
    changes: {
      processorIntentId: intent.intentId,
      customerId,
      customerEmail: buyer.email,
      customerName: buyer.name,
      purchaseId: purchase.row.id,
      subscriptionId: subscription?.row.id ?? null,
      invoiceId: invoice?.row.id ?? null,
      paymentId: payment?.row.id ?? null,
      paymentMethodId: card.row.id,
    },
    numbersKnownCustomerInvoice: session.customerId !== null && invoice !== undefined,
  };
}
