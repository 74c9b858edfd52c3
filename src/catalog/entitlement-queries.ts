import { and, eq, gt, inArray, isNull, or } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { features, productFeatures, resources, usageMeters } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";

export type UsageMeterRow = typeof usageMeters.$inferSelect;
export type FeatureRow = typeof features.$inferSelect;
export type ProductFeatureRow = typeof productFeatures.$inferSelect;
export type ResourceRow = typeof resources.$inferSelect;

/** A product's feature as granted to whoever holds the product: the attachment and the feature it names. */
export type ProductFeatureGrant = { productFeature: ProductFeatureRow; feature: FeatureRow };

export async function getUsageMeter(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<UsageMeterRow | undefined> {
  const [row] = await db
    .select()
    .from(usageMeters)
    .where(and(ownedBy(usageMeters, merchant), eq(usageMeters.id, id)));
  return row;
}

export async function listUsageMetersOfPricingModels(
  db: Executor,
  merchant: Merchant,
  pricingModelIds: string[],
): Promise<UsageMeterRow[]> {
  if (pricingModelIds.length === 0) return [];
  return db
    .select()
    .from(usageMeters)
    .where(and(ownedBy(usageMeters, merchant), inArray(usageMeters.pricingModelId, pricingModelIds)))
    .orderBy(usageMeters.position);
}

export async function getFeature(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<FeatureRow | undefined> {
  const [row] = await db
    .select()
    .from(features)
    .where(and(ownedBy(features, merchant), eq(features.id, id)));
  return row;
}

export async function listFeaturesByIds(
  db: Executor,
  merchant: Merchant,
  ids: string[],
): Promise<FeatureRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(features)
    .where(and(ownedBy(features, merchant), inArray(features.id, ids)));
}

export async function getResource(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<ResourceRow | undefined> {
  const [row] = await db
    .select()
    .from(resources)
    .where(and(ownedBy(resources, merchant), eq(resources.id, id)));
  return row;
}

export async function findResourceBySlug(
  db: Executor,
  merchant: Merchant,
  pricingModelId: string,
  slug: string,
): Promise<ResourceRow | undefined> {
  const [row] = await db
    .select()
    .from(resources)
    .where(
      and(
        ownedBy(resources, merchant),
        eq(resources.pricingModelId, pricingModelId),
        eq(resources.slug, slug),
      ),
    );
  return row;
}

export async function listResourcesByIds(
  db: Executor,
  merchant: Merchant,
  ids: string[],
): Promise<ResourceRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(resources)
    .where(and(ownedBy(resources, merchant), inArray(resources.id, ids)));
}

/**
 * The features attached to these products and not expired at `at` (all attachments ever made when `at` is
 * omitted), oldest attachment first. Entitlements derives every subscription's grants from this.
 */
export async function listProductFeatureGrants(
  db: Executor,
  merchant: Merchant,
  productIds: string[],
  at?: Date,
): Promise<ProductFeatureGrant[]> {
  if (productIds.length === 0) return [];
  const live = at ? or(isNull(productFeatures.expiredAt), gt(productFeatures.expiredAt, at)) : undefined;
  return db
    .select({ productFeature: productFeatures, feature: features })
    .from(productFeatures)
    .innerJoin(
      features,
      and(
        eq(features.id, productFeatures.featureId),
        eq(features.organizationId, productFeatures.organizationId),
        eq(features.livemode, productFeatures.livemode),
      ),
    )
    .where(and(ownedBy(productFeatures, merchant), inArray(productFeatures.productId, productIds), live))
    .orderBy(productFeatures.position);
}
