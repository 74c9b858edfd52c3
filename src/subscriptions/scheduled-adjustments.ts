import { and, asc, eq, gt, inArray, isNull, lte, ne, or } from "drizzle-orm";
import type { AppDeps, Merchant } from "../context/index.js";
import { type SubscriptionStatus, subscriptionItems, subscriptions } from "../db/schema/index.js";
import { listItemsForSubscriptions, lockSubscription } from "./queries.js";
import { isItemInForce, type SubscriptionItemRow, type SubscriptionRow } from "./serialize.js";
import { applySubscriptionChange } from "./update-subscription.js";

/** Statuses in which the subscription still runs, so a plan change that started must show on it. */
const RUNNING: SubscriptionStatus[] = [
  "active",
  "trialing",
  "past_due",
  "unpaid",
  "paused",
  "cancellation_scheduled",
];

const SWEEP_BATCH = 100;

/** The started item whose price the subscription does not show yet, if any. */
function startedChange(locked: SubscriptionRow, items: SubscriptionItemRow[], now: Date) {
  if (!RUNNING.includes(locked.status)) return undefined;
  const current = items.find((item) => isItemInForce(item, now));
  if (!current || current.priceId === locked.priceId) return undefined;
  // Ending no later than the change starts, the subscription never bills the new plan.
  if (
    locked.status === "cancellation_scheduled" &&
    locked.cancelScheduledAt &&
    locked.cancelScheduledAt <= current.addedDate
  ) {
    return undefined;
  }
  return current;
}

/**
 * Background job: a plan change scheduled for the period end is an item dated then; once it has started,
 * the subscription's `priceId` follows it. Across all merchants, in batches. Each subscription is settled in
 * its own transaction and re-checked under its row lock, so concurrent sweeps (several processes) and a
 * racing adjustment or cancellation are safe, and a second run changes nothing. Returns how many changed.
 */
export async function applyScheduledAdjustments(deps: AppDeps): Promise<number> {
  const now = deps.now();
  const due = await deps.db
    .select({
      id: subscriptions.id,
      organizationId: subscriptions.organizationId,
      livemode: subscriptions.livemode,
    })
    .from(subscriptionItems)
    .innerJoin(
      subscriptions,
      and(
        eq(subscriptions.id, subscriptionItems.subscriptionId),
        eq(subscriptions.organizationId, subscriptionItems.organizationId),
        eq(subscriptions.livemode, subscriptionItems.livemode),
      ),
    )
    .where(
      and(
        inArray(subscriptions.status, RUNNING),
        ne(subscriptions.priceId, subscriptionItems.priceId),
        lte(subscriptionItems.addedDate, now),
        or(isNull(subscriptionItems.expiredAt), gt(subscriptionItems.expiredAt, now)),
        or(
          ne(subscriptions.status, "cancellation_scheduled"),
          gt(subscriptions.cancelScheduledAt, subscriptionItems.addedDate),
        ),
      ),
    )
    .orderBy(asc(subscriptionItems.addedDate))
    .limit(SWEEP_BATCH);
  let applied = 0;
  const seen = new Set<string>();
  for (const row of due) {
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    const merchant: Merchant = {
      organizationId: row.organizationId,
      livemode: row.livemode,
      apiKeyId: "system",
    };
    const changed = await deps.db
      .transaction(async (tx) => {
        const locked = await lockSubscription(tx, merchant, row.id);
        const items = await listItemsForSubscriptions(tx, merchant, [locked.id]);
        const started = startedChange(locked, items, now);
        if (!started) return false;
        await applySubscriptionChange(
          tx,
          merchant,
          locked,
          { priceId: started.priceId, isFreePlan: started.unitPrice === 0 },
          "subscription.updated",
          now,
        );
        return true;
      })
      .catch((err: unknown) => {
        // One subscription's failure must not hold up the others; the next run retries it.
        deps.logger.error({ err, subscriptionId: row.id }, "applying a scheduled adjustment failed");
        return false;
      });
    if (changed) applied++;
  }
  return applied;
}
