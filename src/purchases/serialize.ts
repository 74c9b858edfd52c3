import type { PlannedRow } from "../db/planned-rows.js";
import type { purchases } from "../db/schema/index.js";
import { toEpochMs, toEpochMsOrNull } from "../lib/wire.js";
import type { PurchaseRecord } from "./schemas.js";

export type PurchaseRow = typeof purchases.$inferSelect;

export function serializePurchase(row: PlannedRow<PurchaseRow>): PurchaseRecord {
  return {
    id: row.id,
    customerId: row.customerId,
    priceId: row.priceId,
    productId: row.productId,
    priceType: row.priceType,
    name: row.name,
    quantity: row.quantity,
    status: row.status,
    currency: row.currency,
    firstInvoiceValue: row.firstInvoiceValue,
    totalPurchaseValue: row.totalPurchaseValue,
    metadata: row.metadata ?? null,
    purchaseDate: toEpochMsOrNull(row.purchaseDate),
    endDate: toEpochMsOrNull(row.endDate),
    livemode: row.livemode,
    organizationId: row.organizationId,
    pricingModelId: row.pricingModelId,
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
}
