import type { discounts } from "../db/schema/index.js";
import { toEpochMs } from "../lib/wire.js";

export type DiscountRow = typeof discounts.$inferSelect;

/** Flowglad's three discount shapes in one: `numberOfPayments` is null unless the duration counts payments. */
export function serializeDiscount(row: DiscountRow) {
  return {
    id: row.id,
    name: row.name,
    code: row.code,
    amountType: row.amountType,
    amount: row.amount,
    duration: row.duration,
    numberOfPayments: row.duration === "number_of_payments" ? row.numberOfPayments : null,
    active: row.active,
    pricingModelId: row.pricingModelId,
    organizationId: row.organizationId,
    livemode: row.livemode,
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
}
export type DiscountRecord = ReturnType<typeof serializeDiscount>;

export function serializeDiscountWithRedemptions(row: DiscountRow, redemptionCount: number) {
  return { ...serializeDiscount(row), redemptionCount };
}
