import type { resourceClaims } from "../db/schema/index.js";
import { panic } from "../lib/errors.js";
import { toEpochMs, toEpochMsOrNull } from "../lib/wire.js";
import type { SubscriptionItemFeatureRecord } from "../subscriptions/index.js";
import type { FeatureGrant } from "./grants.js";
import type { ResourceClaimRecord } from "./schemas.js";

export type ResourceClaimRow = typeof resourceClaims.$inferSelect;

/** A grant as Flowglad's subscription item feature record: one shape per feature type, nulls where it says. */
export function serializeFeatureGrant(grant: FeatureGrant): SubscriptionItemFeatureRecord {
  const common = {
    id: grant.id,
    createdAt: toEpochMs(grant.createdAt),
    updatedAt: toEpochMs(grant.updatedAt),
    featureId: grant.featureId,
    livemode: grant.livemode,
    manuallyCreated: grant.manuallyCreated,
    name: grant.name,
    slug: grant.slug,
    pricingModelId: grant.pricingModelId,
    subscriptionItemId: grant.subscriptionItemId,
    productFeatureId: grant.productFeatureId,
    detachedAt: toEpochMsOrNull(grant.detachedAt),
    detachedReason: grant.detachedReason,
    expiredAt: toEpochMsOrNull(grant.expiredAt),
  };
  switch (grant.type) {
    case "toggle":
      return {
        ...common,
        type: "toggle",
        amount: null,
        renewalFrequency: null,
        usageMeterId: null,
        resourceId: null,
      };
    case "usage_credit_grant":
      if (grant.amount === null || grant.renewalFrequency === null || grant.usageMeterId === null) {
        panic(`usage credit grant ${grant.id} lacks its amount, renewal frequency or meter`);
      }
      return {
        ...common,
        type: "usage_credit_grant",
        amount: grant.amount,
        renewalFrequency: grant.renewalFrequency,
        usageMeterId: grant.usageMeterId,
        resourceId: null,
      };
    case "resource":
      if (grant.amount === null || grant.resourceId === null) {
        panic(`resource grant ${grant.id} lacks its amount or resource`);
      }
      return {
        ...common,
        type: "resource",
        amount: grant.amount,
        renewalFrequency: null,
        usageMeterId: null,
        resourceId: grant.resourceId,
      };
  }
}

export function serializeResourceClaim(row: ResourceClaimRow): ResourceClaimRecord {
  return {
    id: row.id,
    organizationId: row.organizationId,
    livemode: row.livemode,
    pricingModelId: row.pricingModelId,
    subscriptionId: row.subscriptionId,
    subscriptionItemFeatureId: row.subscriptionItemFeatureId,
    resourceId: row.resourceId,
    externalId: row.externalId,
    metadata: row.metadata ?? null,
    claimedAt: toEpochMs(row.claimedAt),
    releasedAt: toEpochMsOrNull(row.releasedAt),
    releaseReason: row.releaseReason,
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
}
