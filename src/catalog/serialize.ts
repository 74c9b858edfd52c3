import type { prices, pricingModels, products } from "../db/schema/index.js";
import { toEpochMs } from "../lib/wire.js";
import { pricePurchaseUrl, productPurchaseUrl } from "./purchase-links.js";

export type PricingModelRow = typeof pricingModels.$inferSelect;
export type ProductRow = typeof products.$inferSelect;
export type PriceRow = typeof prices.$inferSelect;

export function serializePricingModel(row: PricingModelRow) {
  return {
    id: row.id,
    name: row.name,
    isDefault: row.isDefault,
    livemode: row.livemode,
    organizationId: row.organizationId,
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
}
export type PricingModelRecord = ReturnType<typeof serializePricingModel>;

/**
 * `publicUrl` (the server's public origin) turns on the `purchaseUrl` fields; a caller without it (a record
 * embedded where no config is at hand) gets null there rather than a wrong host.
 */
export function serializeProduct(row: ProductRow, publicUrl?: string) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    imageURL: row.imageUrl,
    slug: row.slug,
    active: row.active,
    default: row.isDefault,
    pricingModelId: row.pricingModelId,
    organizationId: row.organizationId,
    livemode: row.livemode,
    singularQuantityLabel: row.singularQuantityLabel,
    pluralQuantityLabel: row.pluralQuantityLabel,
    purchasePageEnabled: row.purchasePageEnabled,
    purchaseUrl: publicUrl ? productPurchaseUrl(publicUrl, row.id) : null,
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
}
export type ProductRecord = ReturnType<typeof serializeProduct>;

/** Usage prices are charged through subscriptions, never bought on a page, so they have no purchase URL. */
export function serializePrice(row: PriceRow, publicUrl?: string) {
  return {
    id: row.id,
    productId: row.productId,
    type: row.type,
    name: row.name,
    slug: row.slug,
    unitPrice: row.unitPrice,
    currency: row.currency,
    intervalUnit: row.intervalUnit,
    intervalCount: row.intervalCount,
    trialPeriodDays: row.trialPeriodDays,
    usageMeterId: row.usageMeterId,
    usageEventsPerUnit: row.usageEventsPerUnit,
    isDefault: row.isDefault,
    active: row.active,
    livemode: row.livemode,
    pricingModelId: row.pricingModelId,
    purchasePageEnabled: row.purchasePageEnabled,
    purchaseUrl: publicUrl && row.type !== "usage" ? pricePurchaseUrl(publicUrl, row.id) : null,
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
}
export type PriceRecord = ReturnType<typeof serializePrice>;
