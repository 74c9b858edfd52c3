import { z } from "@hono/zod-openapi";
import { EpochMs } from "../lib/wire.js";

// The billing view's `experimental` object on a subscription. The records are entitlements' and usage's, but
// SubscriptionDetailsRecord is declared here, below both, so their wire schemas are too; entitlements'
// routes reuse the grant record from here.

/** Fields every kind of grant (subscription item feature) carries, as `@flowglad/node` declares them. */
const grantFields = {
  id: z.string(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
  featureId: z.string(),
  livemode: z.boolean(),
  manuallyCreated: z.boolean(),
  name: z.string(),
  slug: z.string(),
  pricingModelId: z.string(),
  subscriptionItemId: z.string(),
  productFeatureId: z.string().nullable(),
  detachedAt: EpochMs.nullable(),
  detachedReason: z.string().nullable(),
  expiredAt: EpochMs.nullable(),
};

export const ToggleSubscriptionItemFeatureRecord = z
  .object({
    ...grantFields,
    type: z.literal("toggle"),
    amount: z.null(),
    renewalFrequency: z.null(),
    usageMeterId: z.null(),
    resourceId: z.null(),
  })
  .openapi("ToggleSubscriptionItemFeature");

export const UsageCreditGrantSubscriptionItemFeatureRecord = z
  .object({
    ...grantFields,
    type: z.literal("usage_credit_grant"),
    amount: z.number().int(),
    renewalFrequency: z.enum(["once", "every_billing_period"]),
    usageMeterId: z.string(),
    resourceId: z.null(),
  })
  .openapi("UsageCreditGrantSubscriptionItemFeature");

export const ResourceSubscriptionItemFeatureRecord = z
  .object({
    ...grantFields,
    type: z.literal("resource"),
    amount: z.number().int(),
    renewalFrequency: z.null(),
    usageMeterId: z.null(),
    resourceId: z.string(),
  })
  .openapi("ResourceSubscriptionItemFeature");

export const SubscriptionItemFeatureRecord = z
  .discriminatedUnion("type", [
    ToggleSubscriptionItemFeatureRecord,
    UsageCreditGrantSubscriptionItemFeatureRecord,
    ResourceSubscriptionItemFeatureRecord,
  ])
  .openapi("SubscriptionItemFeature");
export type SubscriptionItemFeatureRecord = z.infer<typeof SubscriptionItemFeatureRecord>;

/** A usage meter and the balance available on it, for one subscription. */
export const UsageMeterBalanceRecord = z
  .object({
    id: z.string(),
    aggregationType: z.enum(["sum", "count_distinct_properties"]),
    availableBalance: z.number().int(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
    livemode: z.boolean(),
    name: z.string(),
    organizationId: z.string(),
    pricingModelId: z.string(),
    slug: z.string(),
    subscriptionId: z.string(),
  })
  .openapi("UsageMeterBalance");
export type UsageMeterBalanceRecord = z.infer<typeof UsageMeterBalanceRecord>;

export const SubscriptionExperimental = z
  .object({
    featureItems: z.array(SubscriptionItemFeatureRecord).openapi({
      description: "The subscription's feature grants in force now (checkFeatureAccess reads the toggles)",
    }),
    usageMeterBalances: z.array(UsageMeterBalanceRecord),
  })
  .openapi("SubscriptionExperimental");
export type SubscriptionExperimental = z.infer<typeof SubscriptionExperimental>;
