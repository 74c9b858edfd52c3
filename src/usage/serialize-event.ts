import type { z } from "@hono/zod-openapi";
import type { usageEvents } from "../db/schema/index.js";
import type { UsageEventRecordSchema } from "./schemas-events.js";

export type UsageEventRow = typeof usageEvents.$inferSelect;
/** An event as the ingest knows it without reading it back: every column but `position`. */
export type UsageEventData = Omit<UsageEventRow, "position">;
export type UsageEventRecord = z.infer<typeof UsageEventRecordSchema>;

/** Flowglad's usage event record (`UsageEventCreateResponse.UsageEvent` of `@flowglad/node`). */
export function serializeUsageEvent(row: UsageEventData): UsageEventRecord {
  return {
    id: row.id,
    amount: row.amount,
    createdAt: row.createdAt.getTime(),
    customerId: row.customerId,
    livemode: row.livemode,
    priceId: row.priceId,
    pricingModelId: row.pricingModelId,
    subscriptionId: row.subscriptionId,
    transactionId: row.transactionId,
    updatedAt: row.updatedAt.getTime(),
    usageDate: row.usageDate.getTime(),
    usageMeterId: row.usageMeterId,
    billingPeriodId: row.billingPeriodId,
    properties: row.properties ?? null,
  };
}
