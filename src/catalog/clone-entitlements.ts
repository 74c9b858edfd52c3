import { and, asc, eq, isNull } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { features, productFeatures, resources, usageMeters } from "../db/schema/index.js";
import { ownedBy, type Tenant } from "../db/statement.js";
import { newId } from "../lib/ids.js";

/** Rows per insert statement: far below Postgres' 65535 bind parameters whatever the catalog's size. */
const INSERT_CHUNK = 500;

export function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) out.push(rows.slice(i, i + INSERT_CHUNK));
  return out;
}

type Copy = {
  tx: Executor;
  /** The source's merchant scope (read) and the copy's tenant (written). */
  merchant: Merchant;
  scope: Tenant;
  sourceId: string;
  pricingModelId: string;
  now: Date;
};

const sourceScope = <
  T extends typeof usageMeters | typeof resources | typeof features | typeof productFeatures,
>(
  c: Copy,
  table: T,
) => and(ownedBy(table, c.merchant), eq(table.pricingModelId, c.sourceId));

/** Copies the source's usage meters under new ids; the map from old id to new is for its usage prices. */
export async function cloneUsageMeters(c: Copy): Promise<Map<string, string>> {
  const rows = await c.tx
    .select()
    .from(usageMeters)
    .where(sourceScope(c, usageMeters))
    .orderBy(asc(usageMeters.position));
  const ids = new Map(rows.map((m) => [m.id, newId("usageMeter")]));
  for (const batch of chunks(rows)) {
    await c.tx.insert(usageMeters).values(
      batch.map((m) => ({
        id: ids.get(m.id) as string,
        ...c.scope,
        pricingModelId: c.pricingModelId,
        name: m.name,
        slug: m.slug,
        aggregationType: m.aggregationType,
        createdAt: c.now,
        updatedAt: c.now,
      })),
    );
  }
  return ids;
}

/**
 * Copies the source's resources, features (pointing at the copied meters and resources) and the live
 * attachments of features to products (between the copied products and features). `productIds` maps the
 * source's products to their copies; an attachment to a product that was not copied is left out.
 */
export async function cloneFeatures(
  c: Copy,
  meterIds: Map<string, string>,
  productIds: Map<string, string>,
): Promise<void> {
  const sourceResources = await c.tx
    .select()
    .from(resources)
    .where(sourceScope(c, resources))
    .orderBy(asc(resources.position));
  const resourceIds = new Map(sourceResources.map((r) => [r.id, newId("resource")]));
  for (const batch of chunks(sourceResources)) {
    await c.tx.insert(resources).values(
      batch.map((r) => ({
        id: resourceIds.get(r.id) as string,
        ...c.scope,
        pricingModelId: c.pricingModelId,
        name: r.name,
        slug: r.slug,
        active: r.active,
        createdAt: c.now,
        updatedAt: c.now,
      })),
    );
  }

  const sourceFeatures = await c.tx
    .select()
    .from(features)
    .where(sourceScope(c, features))
    .orderBy(asc(features.position));
  const featureIds = new Map(sourceFeatures.map((f) => [f.id, newId("feature")]));
  const remap = (ids: Map<string, string>, id: string | null) => (id === null ? null : (ids.get(id) ?? id));
  for (const batch of chunks(sourceFeatures)) {
    await c.tx.insert(features).values(
      batch.map((f) => ({
        id: featureIds.get(f.id) as string,
        ...c.scope,
        pricingModelId: c.pricingModelId,
        type: f.type,
        name: f.name,
        slug: f.slug,
        description: f.description,
        amount: f.amount,
        renewalFrequency: f.renewalFrequency,
        usageMeterId: remap(meterIds, f.usageMeterId),
        resourceId: remap(resourceIds, f.resourceId),
        active: f.active,
        createdAt: c.now,
        updatedAt: c.now,
      })),
    );
  }

  const live = await c.tx
    .select()
    .from(productFeatures)
    .where(and(sourceScope(c, productFeatures), isNull(productFeatures.expiredAt)))
    .orderBy(asc(productFeatures.position));
  const copied = live.filter((pf) => productIds.has(pf.productId) && featureIds.has(pf.featureId));
  for (const batch of chunks(copied)) {
    await c.tx.insert(productFeatures).values(
      batch.map((pf) => ({
        id: newId("productFeature"),
        ...c.scope,
        pricingModelId: c.pricingModelId,
        productId: productIds.get(pf.productId) as string,
        featureId: featureIds.get(pf.featureId) as string,
        createdAt: c.now,
        updatedAt: c.now,
      })),
    );
  }
}
