import { sql } from "drizzle-orm";
import { bigint, boolean, index, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { amount, tenantColumns, timestamptz } from "../columns.js";

export type AggregationType = "sum" | "count_distinct_properties";
export type FeatureType = "toggle" | "usage_credit_grant" | "resource";
export type RenewalFrequency = "once" | "every_billing_period";

/* ---- catalog: what a pricing model offers ---- */

export const usageMeters = pgTable(
  "usage_meters",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text().notNull(),
    name: text().notNull(),
    slug: text().notNull(),
    aggregationType: text().$type<AggregationType>().notNull().default("sum"),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    uniqueIndex("usage_meters_slug_per_pricing_model").on(t.pricingModelId, t.slug),
  ],
);

export const resources = pgTable(
  "resources",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text().notNull(),
    name: text().notNull(),
    slug: text().notNull(),
    active: boolean().notNull().default(true),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    uniqueIndex("resources_slug_per_pricing_model").on(t.pricingModelId, t.slug),
  ],
);

export const features = pgTable(
  "features",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text().notNull(),
    type: text().$type<FeatureType>().notNull(),
    name: text().notNull(),
    slug: text().notNull(),
    description: text().notNull().default(""),
    /** usage_credit_grant: credits per grant (meter units); resource: capacity per unit of the item. */
    amount: bigint({ mode: "number" }),
    renewalFrequency: text().$type<RenewalFrequency>(),
    usageMeterId: text(),
    resourceId: text(),
    active: boolean().notNull().default(true),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    uniqueIndex("features_slug_per_pricing_model").on(t.pricingModelId, t.slug),
  ],
);

export const productFeatures = pgTable(
  "product_features",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text().notNull(),
    productId: text().notNull(),
    featureId: text().notNull(),
    expiredAt: timestamptz(),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    index().on(t.productId),
    uniqueIndex("product_features_one_live_per_pair")
      .on(t.productId, t.featureId)
      .where(sql`${t.expiredAt} is null`),
  ],
);

/* ---- entitlements: what a subscription was granted ---- */

/**
 * Grants stored as rows: the ones made by hand (`manuallyCreated`) and overrides of a product feature's grant
 * (same id as the derived grant, see entitlements). Grants that follow from a product's features are derived.
 */
export const subscriptionItemFeatures = pgTable(
  "subscription_item_features",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text().notNull(),
    subscriptionId: text().notNull(),
    subscriptionItemId: text().notNull(),
    featureId: text().notNull(),
    productFeatureId: text(),
    amount: bigint({ mode: "number" }),
    manuallyCreated: boolean().notNull(),
    expiredAt: timestamptz(),
    detachedAt: timestamptz(),
    detachedReason: text(),
  },
  (t) => [index().on(t.organizationId, t.livemode, t.position), index().on(t.subscriptionId)],
);

export const resourceClaims = pgTable(
  "resource_claims",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text().notNull(),
    subscriptionId: text().notNull(),
    subscriptionItemFeatureId: text().notNull(),
    resourceId: text().notNull(),
    externalId: text(),
    metadata: jsonb().$type<Record<string, string | number | boolean>>(),
    claimedAt: timestamptz().notNull(),
    releasedAt: timestamptz(),
    releaseReason: text(),
  },
  (t) => [
    index("resource_claims_active").on(t.subscriptionId, t.resourceId).where(sql`${t.releasedAt} is null`),
    uniqueIndex("resource_claims_one_active_external_id")
      .on(t.subscriptionId, t.resourceId, t.externalId)
      .where(sql`${t.releasedAt} is null and ${t.externalId} is not null`),
  ],
);

/* ---- usage: what was used, and what of it was billed ---- */

export const usageEvents = pgTable(
  "usage_events",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text().notNull(),
    customerId: text().notNull(),
    subscriptionId: text().notNull(),
    usageMeterId: text().notNull(),
    priceId: text(),
    /** The subscription's billing period when the event arrived: the one whose usage it counts toward. */
    billingPeriodId: text(),
    amount: amount().notNull(),
    usageDate: timestamptz().notNull(),
    transactionId: text().notNull(),
    properties: jsonb().$type<Record<string, unknown>>(),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    uniqueIndex("usage_events_transaction_per_tenant").on(t.organizationId, t.livemode, t.transactionId),
  ],
);

/**
 * Running usage per subscription, billing period, meter and price, kept by the statement that records an
 * event, so a balance read or a renewal never scans events. `billedTotal` is how much of `total` an invoice
 * has billed; an event counted after its period's invoice is billed by the next one. '' stands for "none"
 * in the key columns (no billing period, no price).
 */
export const usagePeriodTotals = pgTable(
  "usage_period_totals",
  {
    organizationId: text().notNull(),
    livemode: boolean().notNull(),
    subscriptionId: text().notNull(),
    billingPeriodId: text().notNull(),
    usageMeterId: text().notNull(),
    priceId: text().notNull(),
    total: bigint({ mode: "number" }).notNull(),
    billedTotal: bigint({ mode: "number" }).notNull().default(0),
    eventCount: bigint({ mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.billingPeriodId, t.usageMeterId, t.priceId] })],
);

/** The distinct `properties` values a count_distinct_properties meter has seen in a period. */
export const usageDistinctValues = pgTable(
  "usage_distinct_values",
  {
    subscriptionId: text().notNull(),
    billingPeriodId: text().notNull(),
    usageMeterId: text().notNull(),
    valueHash: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.billingPeriodId, t.usageMeterId, t.valueHash] })],
);

/** Credits used up by a billed period: one row per credit and period, written with the period's invoice. */
export const usageCreditApplications = pgTable(
  "usage_credit_applications",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    subscriptionId: text().notNull(),
    customerId: text().notNull(),
    usageMeterId: text().notNull(),
    /** Which credit: `grant:<subscription item feature id>[:<period start ms>]` or `purchase:<purchase id>:<product feature id>`. */
    creditKey: text().notNull(),
    billingPeriodId: text().notNull(),
    amount: bigint({ mode: "number" }).notNull(),
  },
  (t) => [
    index().on(t.customerId, t.usageMeterId),
    uniqueIndex("usage_credit_applications_once_per_period").on(t.creditKey, t.billingPeriodId),
  ],
);
