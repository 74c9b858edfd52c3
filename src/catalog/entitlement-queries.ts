import { and, eq, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { features, productFeatures, resources, usageMeters } from "../db/schema/index.js";
import { ownedBy, param, sameTenant, statement, tenant } from "../db/statement.js";

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
  return metersOfPricingModels(db, { ...tenant(merchant), pricingModelIds });
}

// Read on every balance and billing view: built once (a balance read is a dozen small statements).
const metersOfPricingModels = statement("usage_meters_of_pricing_models", (db) =>
  db
    .select()
    .from(usageMeters)
    .where(
      and(sql`${usageMeters.pricingModelId} = any(${param("pricingModelIds")})`, sameTenant(usageMeters)),
    )
    .orderBy(usageMeters.position),
);

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
  const params = { ...tenant(merchant), productIds };
  return at ? liveGrantsOfProducts(db, { ...params, at: at.toISOString() }) : grantsOfProducts(db, params);
}

// The feature is found by its id and tenant-checked against the attachment (no tenant index can be chosen).
const productFeatureGrants = (db: Executor, live?: SQL) =>
  db
    .select({ productFeature: productFeatures, feature: features })
    .from(productFeatures)
    .innerJoin(
      features,
      and(
        eq(features.id, productFeatures.featureId),
        sameTenant(features, productFeatures.organizationId, productFeatures.livemode),
      ),
    )
    .where(
      and(sql`${productFeatures.productId} = any(${param("productIds")})`, sameTenant(productFeatures), live),
    )
    .orderBy(productFeatures.position);
const grantsOfProducts = statement("product_feature_grants", (db) => productFeatureGrants(db));
const liveGrantsOfProducts = statement("product_feature_grants_live_at", (db) =>
  productFeatureGrants(
    db,
    or(isNull(productFeatures.expiredAt), sql`${productFeatures.expiredAt} > ${param("at")}::timestamptz`),
  ),
);

/** Every feature of a pricing model, oldest first (an export lists the ones no product carries too). */
export async function listFeaturesOfPricingModel(
  db: Executor,
  merchant: Merchant,
  pricingModelId: string,
): Promise<FeatureRow[]> {
  return db
    .select()
    .from(features)
    .where(and(ownedBy(features, merchant), eq(features.pricingModelId, pricingModelId)))
    .orderBy(features.position);
}
