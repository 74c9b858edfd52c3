import type { PlannedRow } from "../db/planned-rows.js";
import type { purchases } from "../db/schema/index.js";
import { toEpochMs, toEpochMsOrNull } from "../lib/wire.js";
import type { PurchaseRecord } from "./schemas.js";

export type PurchaseRow = typeof purchases.$inferSelect;

/**
 * Flowglad's three purchase shapes: a subscription purchase names its interval, trial and price per billing
 * cycle and has no total (it runs on); the others have a total and no interval.
 */
export function serializePurchase(row: PlannedRow<PurchaseRow> & { position?: number }): PurchaseRecord {
  const recurring = row.priceType === "subscription";
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
    totalPurchaseValue: recurring ? null : row.totalPurchaseValue,
    pricePerBillingCycle: recurring ? row.totalPurchaseValue : null,
    intervalUnit: recurring ? row.intervalUnit : null,
    intervalCount: recurring ? row.intervalCount : null,
    trialPeriodDays: recurring ? (row.trialPeriodDays ?? 0) : null,
    archived: false,
    bankPaymentOnly: false,
    proposal: null,
    // A row planned for a composed statement (its purchase.completed event) has no position yet.
    ...(row.position === undefined ? {} : { position: row.position }),
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
