import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { amount, tenantColumns, timestamptz } from "../columns.js";
import type { BillingAddress } from "./customers.js";
import type { ProcessorName } from "./processors.js";

export type CheckoutSessionType = "product" | "add_payment_method" | "activate_subscription";
export type CheckoutSessionStatus = "open" | "pending" | "succeeded" | "failed" | "expired";
export type CheckoutSessionSource = "api" | "purchase_page";
export type OutputMetadata = Record<string, string | number | boolean>;

export const checkoutSessions = pgTable(
  "checkout_sessions",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text().notNull(),
    type: text().$type<CheckoutSessionType>().notNull(),
    status: text().$type<CheckoutSessionStatus>().notNull().default("open"),
    source: text().$type<CheckoutSessionSource>().notNull().default("api"),
    anonymous: boolean().notNull().default(false),
    priceId: text(),
    quantity: integer().notNull().default(1),
    /** Snapshot taken at creation so a later price edit cannot change what this customer was shown. */
    unitAmount: amount(),
    currency: text(),
    customerId: text(),
    customerEmail: text(),
    customerName: text(),
    billingAddress: jsonb().$type<BillingAddress>(),
    successUrl: text(),
    cancelUrl: text(),
    outputMetadata: jsonb().$type<OutputMetadata>(),
    outputName: text(),
    targetSubscriptionId: text(),
    preserveBillingCycleAnchor: boolean().notNull().default(false),
    automaticallyUpdateSubscriptions: boolean(),
    paymentMethodType: text().$type<"card">(),
    expiresAt: timestamptz().notNull(),
    completedAt: timestamptz(),
    /** Processor intent of the attempt in flight (or the one that succeeded). */
    processorIntentId: text(),
    /** Which processor the attempt in flight (or the one that succeeded) went to. */
    processor: text().$type<ProcessorName>().notNull().default("sandbox"),
    /** Incremented per confirm attempt; part of the processor idempotency key. */
    attempt: integer().notNull().default(0),
    lastError: text(),
    purchaseId: text(),
    subscriptionId: text(),
    invoiceId: text(),
    paymentId: text(),
    paymentMethodId: text(),
    /** The discount the customer applied on the hosted page; its amount is computed from it on the server. */
    discountId: text(),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    // Only sessions still in play are indexed for the expiry sweep and the reconciler: finished ones
    // (nearly all of them, in time) leave the index, and anonymous sessions never enter the customer one.
    index("checkout_sessions_in_play")
      .on(t.status, t.expiresAt)
      .where(sql`${t.status} in ('open', 'pending')`),
    index("checkout_sessions_customer_id").on(t.customerId).where(sql`${t.customerId} is not null`),
  ],
);
