import { and, asc, eq } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { prices, pricingModels, products } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { AppError, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { chunks, cloneFeatures, cloneUsageMeters } from "./clone-entitlements.js";
import { requirePricingModel } from "./queries.js";
import type { PricingModelRow } from "./serialize.js";

export type CloneDestination = "livemode" | "testmode";

export type ClonePricingModelInput = {
  name: string;
  /** The mode the copy lands in; the caller's own mode when absent. */
  destinationEnvironment?: CloneDestination | undefined;
};

export const TEST_KEY_WRITES_LIVE =
  "A test key cannot write live data. To copy this pricing model into live mode, export it " +
  "(GET /api/v1/pricing-models/{id}/export) and set the file up with a live key (POST /api/v1/pricing-models/setup).";

/**
 * Copies a pricing model with all its products and prices (inactive ones included), usage meters, resources,
 * features and live product features under new ids, into the same organization, in the destination mode.
 * References between them point at the copies (a usage price at the copied meter, a feature at the copied
 * meter or resource). Names, slugs, amounts, charging terms, active, default and purchase-page flags are
 * kept; the copy itself is never the default pricing model. Call it inside one
 * transaction: either the whole catalog is copied or nothing is. Returns the new pricing model and the
 * merchant scope it lives in.
 */
export async function clonePricingModel(
  tx: Executor,
  merchant: Merchant,
  sourceId: string,
  input: ClonePricingModelInput,
  now: Date,
): Promise<{ pricingModel: PricingModelRow; destination: Merchant }> {
  const source = await requirePricingModel(tx, merchant, sourceId);
  const destination: Merchant = {
    ...merchant,
    livemode:
      input.destinationEnvironment === undefined
        ? merchant.livemode
        : input.destinationEnvironment === "livemode",
  };
  // A test key is handed to developers and CI: it must never make what live customers can buy.
  if (destination.livemode && !merchant.livemode) throw new AppError("FORBIDDEN", TEST_KEY_WRITES_LIVE);
  const sourceScope = <T extends typeof products | typeof prices>(table: T) =>
    and(ownedBy(table, merchant), eq(table.pricingModelId, source.id));
  const sourceProducts = await tx
    .select()
    .from(products)
    .where(sourceScope(products))
    .orderBy(asc(products.position));
  const sourcePrices = await tx
    .select()
    .from(prices)
    .where(sourceScope(prices))
    .orderBy(asc(prices.position));

  const scope = { organizationId: destination.organizationId, livemode: destination.livemode };
  const [pricingModel] = await tx
    .insert(pricingModels)
    .values({
      id: newId("pricingModel"),
      ...scope,
      name: input.name,
      isDefault: false,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!pricingModel) panic("pricing model insert returned nothing");

  const productIds = new Map(sourceProducts.map((p) => [p.id, newId("product")]));
  // Multi-row inserts in source order, so positions (and list order) follow the original.
  for (const batch of chunks(sourceProducts)) {
    await tx.insert(products).values(
      batch.map((p) => ({
        id: productIds.get(p.id) as string,
        ...scope,
        pricingModelId: pricingModel.id,
        name: p.name,
        description: p.description,
        imageUrl: p.imageUrl,
        slug: p.slug,
        active: p.active,
        isDefault: p.isDefault,
        singularQuantityLabel: p.singularQuantityLabel,
        pluralQuantityLabel: p.pluralQuantityLabel,
        purchasePageEnabled: p.purchasePageEnabled,
        metadata: p.metadata,
        createdAt: now,
        updatedAt: now,
      })),
    );
  }
  const copy = { tx, merchant, scope, sourceId: source.id, pricingModelId: pricingModel.id, now };
  const meterIds = await cloneUsageMeters(copy);
  // A price of a product added after the products were read has no copy to attach to: it is left out. A usage
  // price points at its meter's copy; one written before prices had to name a meter of their own model keeps
  // the id it had.
  const copiedPrices = sourcePrices.filter((p) => p.productId === null || productIds.has(p.productId));
  for (const batch of chunks(copiedPrices)) {
    await tx.insert(prices).values(
      batch.map((p) => ({
        id: newId("price"),
        ...scope,
        pricingModelId: pricingModel.id,
        productId: p.productId === null ? null : (productIds.get(p.productId) as string),
        type: p.type,
        name: p.name,
        slug: p.slug,
        unitPrice: p.unitPrice,
        currency: p.currency,
        intervalUnit: p.intervalUnit,
        intervalCount: p.intervalCount,
        trialPeriodDays: p.trialPeriodDays,
        usageMeterId: p.usageMeterId === null ? null : (meterIds.get(p.usageMeterId) ?? p.usageMeterId),
        usageEventsPerUnit: p.usageEventsPerUnit,
        isDefault: p.isDefault,
        active: p.active,
        purchasePageEnabled: p.purchasePageEnabled,
        createdAt: now,
        updatedAt: now,
      })),
    );
  }
  await cloneFeatures(copy, meterIds, productIds);
  return { pricingModel, destination };
}
