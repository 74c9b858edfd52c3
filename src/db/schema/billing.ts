import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { amount, tenantColumns, timestamptz } from "../columns.js";
import type { IntervalUnit, PriceType } from "./catalog.js";
import type { OutputMetadata } from "./checkout.js";

export type PurchaseStatus = "open" | "pending" | "paid" | "refunded" | "partial_refund" | "failed";
export type SubscriptionStatus =
  | "trialing"
  | "active"
  | "past_due"
  | "unpaid"
  | "cancellation_scheduled"
  | "incomplete"
  | "incomplete_expired"
  | "canceled"
  | "paused"
  | "credit_trial";
export type InvoiceStatus =
  | "draft"
  | "open"
  | "paid"
  | "void"
  | "uncollectible"
  | "refunded"
  | "partially_refunded";
export type InvoiceType = "purchase" | "subscription" | "standalone";
export type InvoiceLineType = "static" | "usage";
export type BillingPeriodStatus = "upcoming" | "active" | "completed" | "canceled" | "past_due";

export const purchases = pgTable(
  "purchases",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text().notNull(),
    customerId: text().notNull(),
    priceId: text().notNull(),
    productId: text(),
    priceType: text().$type<PriceType>().notNull(),
    name: text().notNull(),
    quantity: integer().notNull(),
    status: text().$type<PurchaseStatus>().notNull(),
    currency: text().notNull(),
    /** The price's terms when bought, so the purchase reads as Flowglad's (null for a one-time price). */
    intervalUnit: text().$type<IntervalUnit>(),
    intervalCount: integer(),
    trialPeriodDays: integer(),
    firstInvoiceValue: amount().notNull(),
    totalPurchaseValue: amount().notNull(),
    metadata: jsonb().$type<OutputMetadata>(),
    purchaseDate: timestamptz(),
    endDate: timestamptz(),
    /** One checkout session fulfils at most one purchase: the unique index is the last line of defence. */
    checkoutSessionId: text(),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    index().on(t.customerId),
    uniqueIndex("purchases_one_per_checkout_session").on(t.checkoutSessionId),
  ],
);

export const subscriptions = pgTable(
  "subscriptions",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text().notNull(),
    customerId: text().notNull(),
    priceId: text().notNull(),
    status: text().$type<SubscriptionStatus>().notNull(),
    name: text(),
    metadata: jsonb().$type<OutputMetadata>(),
    interval: text().$type<IntervalUnit>(),
    intervalCount: integer(),
    renews: boolean().notNull().default(true),
    startDate: timestamptz().notNull(),
    trialEnd: timestamptz(),
    billingCycleAnchorDate: timestamptz(),
    currentBillingPeriodStart: timestamptz(),
    currentBillingPeriodEnd: timestamptz(),
    canceledAt: timestamptz(),
    cancelScheduledAt: timestamptz(),
    cancellationReason: text(),
    defaultPaymentMethodId: text(),
    backupPaymentMethodId: text(),
    doNotCharge: boolean().notNull().default(false),
    isFreePlan: boolean().notNull().default(false),
    runBillingAtPeriodStart: boolean().notNull().default(true),
    replacedBySubscriptionId: text(),
    checkoutSessionId: text(),
    /**
     * When the set of items in force next changes on its own (a change scheduled for the period end starts,
     * or items end): the scheduled-adjustments sweep visits a subscription then, and only then.
     */
    itemsChangeAt: timestamptz(),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    index().on(t.customerId),
    uniqueIndex("subscriptions_one_per_checkout_session").on(t.checkoutSessionId),
    // The sweeps read only what is due: each index holds the subscriptions its sweep may act on, by due time.
    index("subscriptions_renewal_due")
      .on(t.currentBillingPeriodEnd)
      .where(sql`${t.status} in ('active', 'trialing')`),
    index("subscriptions_cancellation_due")
      .on(t.cancelScheduledAt)
      .where(sql`${t.status} = 'cancellation_scheduled'`),
    index("subscriptions_items_change_due").on(t.itemsChangeAt).where(sql`${t.itemsChangeAt} is not null`),
  ],
);

export const subscriptionItems = pgTable(
  "subscription_items",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    subscriptionId: text().notNull(),
    priceId: text().notNull(),
    name: text(),
    quantity: integer().notNull(),
    unitPrice: amount().notNull(),
    addedDate: timestamptz().notNull(),
    expiredAt: timestamptz(),
    metadata: jsonb().$type<OutputMetadata>(),
  },
  (t) => [index().on(t.subscriptionId)],
);

export const billingPeriods = pgTable(
  "billing_periods",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    subscriptionId: text().notNull(),
    startDate: timestamptz().notNull(),
    endDate: timestamptz().notNull(),
    status: text().$type<BillingPeriodStatus>().notNull(),
    trialPeriod: boolean().notNull().default(false),
  },
  (t) => [uniqueIndex("billing_periods_one_per_start").on(t.subscriptionId, t.startDate)],
);

export const invoices = pgTable(
  "invoices",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text().notNull(),
    customerId: text().notNull(),
    type: text().$type<InvoiceType>().notNull(),
    status: text().$type<InvoiceStatus>().notNull(),
    invoiceNumber: text().notNull(),
    currency: text().notNull(),
    subtotal: amount().notNull(),
    total: amount().notNull(),
    amountPaid: amount().notNull().default(0),
    purchaseId: text(),
    subscriptionId: text(),
    billingPeriodId: text(),
    checkoutSessionId: text(),
    invoiceDate: timestamptz().notNull(),
    dueDate: timestamptz(),
    paidAt: timestamptz(),
    memo: text(),
    /** What a discount took off the lines' subtotal: `total` = `subtotal` − `discountAmount`. */
    discountAmount: amount().notNull().default(0),
    discountRedemptionId: text(),
    /**
     * The secret part of the invoice's PDF addresses (`pdfURL`, `receiptPdfURL`): whoever holds the link may
     * read the document, as with Stripe's hosted invoice links, and nobody can guess it.
     */
    documentToken: text()
      .notNull()
      .default(sql`replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')`),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    index().on(t.customerId),
    index().on(t.subscriptionId),
    uniqueIndex("invoices_number_per_org").on(t.organizationId, t.livemode, t.invoiceNumber),
  ],
);

export const invoiceLineItems = pgTable(
  "invoice_line_items",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    invoiceId: text().notNull(),
    pricingModelId: text(),
    priceId: text(),
    description: text().notNull(),
    quantity: integer().notNull(),
    unitPrice: amount().notNull(),
    amount: amount().notNull(),
    /** `usage` lines bill a meter's usage in arrears; the rest are `static`. */
    type: text().$type<InvoiceLineType>().notNull().default("static"),
    usageMeterId: text(),
    /** Usage (meter units) that credits covered before the line's quantity was counted. */
    creditsApplied: bigint({ mode: "number" }).notNull().default(0),
    /** The billing period whose usage a usage line bills. */
    billingPeriodId: text(),
  },
  (t) => [index().on(t.invoiceId)],
);
