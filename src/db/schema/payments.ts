import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
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

/**
 * Payments summed per UTC day of `charge_date` and currency, kept by row triggers on `payments` (migration
 * 0015) in the transaction of every write, so the dashboard's 30-day volume reads at most a few rows per day
 * instead of every payment. Concurrent writers add to the shard of their own database connection (backend pid
 * mod 1024), so they never wait on one another's row; a day's figure is the sum over its shards.
 */
export const paymentDailyTotals = pgTable(
  "payment_daily_totals",
  {
    organizationId: text().notNull(),
    livemode: boolean().notNull(),
    day: date({ mode: "string" }).notNull(),
    currency: text().notNull(),
    shard: smallint().notNull(),
    /** Settled (succeeded or refunded) amounts, before refunds. */
    gross: bigint({ mode: "number" }).notNull().default(0),
    /** Settled amounts less what was refunded of them. */
    net: bigint({ mode: "number" }).notNull().default(0),
    failedCount: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.livemode, t.day, t.currency, t.shard] })],
);
