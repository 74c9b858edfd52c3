import type { UsageMeterRow } from "../catalog/index.js";
import { toEpochMs } from "../lib/wire.js";
import type { UsageMeterBalanceRecord } from "../subscriptions/index.js";

/** A meter's balance for one subscription, on the wire: the meter's own fields with the subscription and the number. */
export function serializeUsageMeterBalance(
  meter: UsageMeterRow,
  subscriptionId: string,
  availableBalance: number,
): UsageMeterBalanceRecord {
  return {
    id: meter.id,
    aggregationType: meter.aggregationType,
    availableBalance,
    createdAt: toEpochMs(meter.createdAt),
    livemode: meter.livemode,
    name: meter.name,
    organizationId: meter.organizationId,
    pricingModelId: meter.pricingModelId,
    slug: meter.slug,
    subscriptionId,
    updatedAt: toEpochMs(meter.updatedAt),
  };
}
