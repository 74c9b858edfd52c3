import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { amount, tenantColumns, timestamptz } from "../columns.js";
import type { BillingAddress } from "./customers.js";
import type { ProcessorName } from "./processors.js";

/** Flowglad's enum: a partial refund leaves a payment `succeeded` with `refundedAmount` > 0. */
export type PaymentStatus = "processing" | "succeeded" | "failed" | "canceled" | "refunded";

export const paymentMethods = pgTable(
  "payment_methods",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text(),
    customerId: text().notNull(),
    type: text().$type<"card">().notNull().default("card"),
    /** Only display facts about the card: never the number or CVC. */
    brand: text().notNull(),
    last4: text().notNull(),
    expMonth: integer().notNull(),
    expYear: integer().notNull(),
    billingDetails: jsonb().$type<BillingAddress>(),
    isDefault: boolean().notNull().default(false),
    processor: text().$type<ProcessorName>().notNull(),
    processorMethodId: text().notNull(),
    /** The processor's customer the method is attached to (Stripe needs it to charge off-session). */
    processorCustomerId: text(),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    index().on(t.customerId),
    uniqueIndex("payment_methods_one_default_per_customer").on(t.customerId).where(sql`${t.isDefault}`),
  ],
);

export const payments = pgTable(
  "payments",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text(),
    customerId: text(),
    invoiceId: text(),
    purchaseId: text(),
    subscriptionId: text(),
    billingPeriodId: text(),
    checkoutSessionId: text(),
    description: text(),
    paymentMethodId: text(),
    amount: amount().notNull(),
    currency: text().notNull(),
    status: text().$type<PaymentStatus>().notNull(),
    refundedAmount: amount().notNull().default(0),
    refundedAt: timestamptz(),
    failureCode: text(),
    failureMessage: text(),
    processor: text().$type<ProcessorName>().notNull(),
    processorIntentId: text().notNull(),
    chargeDate: timestamptz().notNull(),
    /** Set when the cardholder disputed the charge with their bank. */
    disputedAt: timestamptz(),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    index().on(t.customerId),
    index().on(t.invoiceId),
    // The dashboard's volume by day reads only its window, from the index alone.
    index("payments_tenant_charge_date").on(t.organizationId, t.livemode, t.chargeDate),
    // One processor intent settles into at most one payment record.
    uniqueIndex("payments_one_per_intent").on(t.processor, t.processorIntentId),
  ],
);
