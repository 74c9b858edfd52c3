import { toEpochMs, toEpochMsOrNull } from "../lib/wire.js";
import type { FeatureRow, ProductFeatureRow, ResourceRow, UsageMeterRow } from "./entitlement-queries.js";

/** `UsageMeterClientSelectSchema`. */
export function serializeUsageMeter(row: UsageMeterRow) {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    aggregationType: row.aggregationType,
    pricingModelId: row.pricingModelId,
    organizationId: row.organizationId,
    livemode: row.livemode,
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
}
export type UsageMeterRecord = ReturnType<typeof serializeUsageMeter>;

/**
 * Flowglad's three feature shapes in one: `toggle` (amount, renewalFrequency, usageMeterId and resourceId
 * null), `usage_credit_grant` (amount, renewalFrequency, usageMeterId) and `resource` (amount, resourceId).
 * Every field is always present; the ones a type does not use are null, as the SDK's types allow.
 */
export function serializeFeature(row: FeatureRow) {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    slug: row.slug,
    description: row.description,
    amount: row.amount,
    renewalFrequency: row.renewalFrequency,
    usageMeterId: row.usageMeterId,
    resourceId: row.resourceId,
    active: row.active,
    pricingModelId: row.pricingModelId,
    organizationId: row.organizationId,
    livemode: row.livemode,
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
}
export type FeatureRecord = ReturnType<typeof serializeFeature>;

export function serializeResource(row: ResourceRow) {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    active: row.active,
    pricingModelId: row.pricingModelId,
    organizationId: row.organizationId,
    livemode: row.livemode,
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
}
export type ResourceRecord = ReturnType<typeof serializeResource>;

export function serializeProductFeature(row: ProductFeatureRow) {
  return {
    id: row.id,
    productId: row.productId,
    featureId: row.featureId,
    pricingModelId: row.pricingModelId,
    organizationId: row.organizationId,
    livemode: row.livemode,
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
    expiredAt: toEpochMsOrNull(row.expiredAt),
  };
}
export type ProductFeatureRecord = ReturnType<typeof serializeProductFeature>;
