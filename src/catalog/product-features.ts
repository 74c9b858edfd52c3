import { and, asc, eq, inArray, isNull, notInArray } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { features, productFeatures } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { badRequest, notFound, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { type FeatureRow, listFeaturesByIds, type ProductFeatureRow } from "./entitlement-queries.js";
import { requireFeature } from "./features.js";
import { requireProduct } from "./queries.js";
import type { ProductRow } from "./serialize.js";

export async function requireProductFeature(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<ProductFeatureRow> {
  const [row] = await db
    .select()
    .from(productFeatures)
    .where(and(ownedBy(productFeatures, merchant), eq(productFeatures.id, id)));
  if (!row) throw notFound("Product feature", id);
  return row;
}

/** A product has features of its own pricing model only. `path` names the field that named the feature. */
function samePricingModel(pricingModelId: string, feature: FeatureRow, path: (string | number)[]): void {
  if (feature.pricingModelId !== pricingModelId) {
    throw badRequest(`Feature ${feature.id} belongs to another pricing model than the product`, [
      { path, message: "must be a feature of the product's pricing model" },
    ]);
  }
}

/** The live attachments of these features to the product, one per feature, attaching the missing ones. */
async function attach(
  tx: Executor,
  merchant: Merchant,
  product: ProductRow,
  featureIds: string[],
  now: Date,
): Promise<ProductFeatureRow[]> {
  if (featureIds.length === 0) return [];
  // A pair already live (or attached meanwhile by a concurrent request) keeps its attachment: the partial
  // unique index allows one live row per pair, and the conflict leaves it as it is.
  await tx
    .insert(productFeatures)
    .values(
      featureIds.map((featureId) => ({
        id: newId("productFeature"),
        organizationId: merchant.organizationId,
        livemode: merchant.livemode,
        pricingModelId: product.pricingModelId,
        productId: product.id,
        featureId,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .onConflictDoNothing();
  return tx
    .select()
    .from(productFeatures)
    .where(
      and(
        ownedBy(productFeatures, merchant),
        eq(productFeatures.productId, product.id),
        inArray(productFeatures.featureId, featureIds),
        isNull(productFeatures.expiredAt),
      ),
    );
}

/** `POST /product-features`: attaching a pair that is already live returns the live attachment. */
export async function attachProductFeature(
  tx: Executor,
  merchant: Merchant,
  input: { productId: string; featureId: string },
  now: Date,
): Promise<ProductFeatureRow> {
  const product = await requireProduct(tx, merchant, input.productId);
  const feature = await requireFeature(tx, merchant, input.featureId);
  samePricingModel(product.pricingModelId, feature, ["productFeature", "featureId"]);
  const [row] = await attach(tx, merchant, product, [feature.id], now);
  if (!row) panic("product feature attach left no live row");
  return row;
}

/** Detaches the feature from the product from `now` on; expiring an expired attachment changes nothing. */
export async function expireProductFeature(
  tx: Executor,
  merchant: Merchant,
  id: string,
  now: Date,
): Promise<ProductFeatureRow> {
  const [row] = await tx
    .update(productFeatures)
    .set({ expiredAt: now, updatedAt: now })
    .where(
      and(ownedBy(productFeatures, merchant), eq(productFeatures.id, id), isNull(productFeatures.expiredAt)),
    )
    .returning();
  return row ?? requireProductFeature(tx, merchant, id);
}

/** Detaches the feature from the product from `now` on (the dashboard names the pair); undefined if not attached. */
export async function detachProductFeature(
  tx: Executor,
  merchant: Merchant,
  input: { productId: string; featureId: string },
  now: Date,
): Promise<ProductFeatureRow | undefined> {
  const [row] = await tx
    .update(productFeatures)
    .set({ expiredAt: now, updatedAt: now })
    .where(
      and(
        ownedBy(productFeatures, merchant),
        eq(productFeatures.productId, input.productId),
        eq(productFeatures.featureId, input.featureId),
        isNull(productFeatures.expiredAt),
      ),
    )
    .returning();
  return row;
}

/**
 * A product's `featureIds`, without repeats: each this merchant's (404) and of the product's pricing model
 * (400). A product's create checks them before it writes anything.
 */
export async function checkFeatureIds(
  tx: Executor,
  merchant: Merchant,
  pricingModelId: string,
  featureIds: string[],
): Promise<string[]> {
  const unique = [...new Set(featureIds)];
  const rows = await listFeaturesByIds(tx, merchant, unique);
  const found = new Map(rows.map((f) => [f.id, f]));
  unique.forEach((id, i) => {
    const feature = found.get(id);
    if (!feature) throw notFound("Feature", id);
    samePricingModel(pricingModelId, feature, ["featureIds", i]);
  });
  return unique;
}

/** A new product's features (already checked with `checkFeatureIds`). */
export async function attachFeatures(
  tx: Executor,
  merchant: Merchant,
  product: ProductRow,
  featureIds: string[],
  now: Date,
): Promise<void> {
  await attach(tx, merchant, product, featureIds, now);
}

/** Makes the product's live features exactly `featureIds`: the missing ones attached, the others expired. */
export async function syncProductFeatures(
  tx: Executor,
  merchant: Merchant,
  product: ProductRow,
  featureIds: string[],
  now: Date,
): Promise<void> {
  const wanted = await checkFeatureIds(tx, merchant, product.pricingModelId, featureIds);
  await tx
    .update(productFeatures)
    .set({ expiredAt: now, updatedAt: now })
    .where(
      and(
        ownedBy(productFeatures, merchant),
        eq(productFeatures.productId, product.id),
        isNull(productFeatures.expiredAt),
        wanted.length > 0 ? notInArray(productFeatures.featureId, wanted) : undefined,
      ),
    );
  await attach(tx, merchant, product, wanted, now);
}

/** Each product's live features, in the order they were attached; `activeOnly` leaves inactive ones out. */
export async function listLiveFeaturesOfProducts(
  db: Executor,
  merchant: Merchant,
  productIds: string[],
  options: { activeOnly?: boolean } = {},
): Promise<Map<string, FeatureRow[]>> {
  const byProduct = new Map<string, FeatureRow[]>();
  if (productIds.length === 0) return byProduct;
  const rows = await db
    .select({ productId: productFeatures.productId, feature: features })
    .from(productFeatures)
    .innerJoin(
      features,
      and(
        eq(features.id, productFeatures.featureId),
        eq(features.organizationId, productFeatures.organizationId),
        eq(features.livemode, productFeatures.livemode),
      ),
    )
    .where(
      and(
        ownedBy(productFeatures, merchant),
        inArray(productFeatures.productId, productIds),
        isNull(productFeatures.expiredAt),
        options.activeOnly ? eq(features.active, true) : undefined,
      ),
    )
    .orderBy(asc(productFeatures.position));
  for (const { productId, feature } of rows) {
    const list = byProduct.get(productId) ?? [];
    list.push(feature);
    byProduct.set(productId, list);
  }
  return byProduct;
}
