import type { PlannedRow } from "../db/planned-rows.js";
import type {
  billingPeriods,
  SubscriptionStatus,
  subscriptionItems,
  subscriptions,
} from "../db/schema/index.js";
import { toEpochMs, toEpochMsOrNull } from "../lib/wire.js";
import type { SubscriptionDetailsRecord, SubscriptionItemRecord, SubscriptionRecord } from "./schemas.js";

export type SubscriptionRow = typeof subscriptions.$inferSelect;
export type SubscriptionItemRow = typeof subscriptionItems.$inferSelect;
export type BillingPeriodRow = typeof billingPeriods.$inferSelect;

/** Statuses in which the customer currently has the plan (what Flowglad calls `current`). */
export const CURRENT_STATUSES: ReadonlySet<SubscriptionStatus> = new Set([
  "active",
  "trialing",
  "past_due",
  "cancellation_scheduled",
]);

export function serializeSubscription(row: PlannedRow<SubscriptionRow>): SubscriptionRecord {
  return {
    id: row.id,
    customerId: row.customerId,
    priceId: row.priceId,
    pricingModelId: row.pricingModelId,
    organizationId: row.organizationId,
    status: row.status,
    current: CURRENT_STATUSES.has(row.status),
    renews: row.renews,
    interval: row.interval,
    intervalCount: row.intervalCount,
    startDate: toEpochMs(row.startDate),
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
    backupPaymentMethodId: row.backupPaymentMethodId,
    defaultPaymentMethodId: row.defaultPaymentMethodId,
    cancellationReason: row.cancellationReason,
    name: row.name,
    replacedBySubscriptionId: row.replacedBySubscriptionId,
    doNotCharge: row.doNotCharge,
    isFreePlan: row.isFreePlan,
    runBillingAtPeriodStart: row.runBillingAtPeriodStart,
    livemode: row.livemode,
    billingCycleAnchorDate: toEpochMsOrNull(row.billingCycleAnchorDate),
    currentBillingPeriodStart: toEpochMsOrNull(row.currentBillingPeriodStart),
    currentBillingPeriodEnd: toEpochMsOrNull(row.currentBillingPeriodEnd),
    trialEnd: toEpochMsOrNull(row.trialEnd),
    canceledAt: toEpochMsOrNull(row.canceledAt),
    cancelScheduledAt: toEpochMsOrNull(row.cancelScheduledAt),
    metadata: row.metadata ?? null,
  };
}

/**
 * Whether the item is billed at `at`. Items are never deleted: a plan change expires the old item and adds
 * the new one, possibly dated in the future (a change scheduled for the period end).
 */
export function isItemInForce(item: SubscriptionItemRow, at: Date): boolean {
  return (
    item.addedDate.getTime() <= at.getTime() &&
    (item.expiredAt === null || item.expiredAt.getTime() > at.getTime())
  );
}

/** An item of a subscription, which owns its pricing model. Glade's items are never made outside an API call. */
export function serializeSubscriptionItem(
  row: SubscriptionItemRow,
  pricingModelId: string,
  price?: Record<string, unknown>,
): SubscriptionItemRecord {
  const record: SubscriptionItemRecord = {
    id: row.id,
    subscriptionId: row.subscriptionId,
    pricingModelId,
    externalId: null,
    manuallyCreated: false,
    priceId: row.priceId,
    name: row.name,
    quantity: row.quantity,
    unitPrice: row.unitPrice,
    addedDate: toEpochMs(row.addedDate),
    expiredAt: toEpochMsOrNull(row.expiredAt),
    metadata: row.metadata ?? null,
    type: "static",
    livemode: row.livemode,
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
  if (price) record.price = price;
  return record;
}

/**
 * The billing view's subscription: the record plus its items. `prices` (by price id, already serialized)
 * fills each item's `price` when the caller has them.
 */
export function serializeSubscriptionDetails(
  row: SubscriptionRow,
  items: SubscriptionItemRow[],
  prices?: ReadonlyMap<string, Record<string, unknown>>,
): SubscriptionDetailsRecord {
  return {
    ...serializeSubscription(row),
    subscriptionItems: items.map((item) =>
      serializeSubscriptionItem(item, row.pricingModelId, prices?.get(item.priceId)),
    ),
  };
}
