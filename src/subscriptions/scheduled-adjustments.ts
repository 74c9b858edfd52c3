import { asc, eq, lte } from "drizzle-orm";
import type { AppDeps, Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { type SubscriptionStatus, subscriptions } from "../db/schema/index.js";
import { itemsInForce, nextItemChangeAt, primaryItem } from "./items.js";
import { listItemsForSubscriptions, lockSubscription } from "./queries.js";
import type { SubscriptionItemRow, SubscriptionRow } from "./serialize.js";
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

/** The item in force that should carry the subscription's price but does not yet, if any. */
function startedChange(locked: SubscriptionRow, items: SubscriptionItemRow[], now: Date) {
  if (!RUNNING.includes(locked.status)) return undefined;
  const primary = primaryItem(itemsInForce(items, now), locked.priceId);
  if (!primary || primary.priceId === locked.priceId) return undefined;
  // Ending no later than the change starts, the subscription never bills the new plan.
  if (
    locked.status === "cancellation_scheduled" &&
    locked.cancelScheduledAt &&
    locked.cancelScheduledAt <= primary.addedDate
  ) {
    return undefined;
  }
  return primary;
}

/**
 * Background job: a plan change scheduled for the period end is a set of items dated then; once it has
 * started, the subscription's `priceId` follows its primary item (`primaryItem`). It reads only subscriptions
 * whose `itemsChangeAt` has come (a partial index holds just those with one set), across all merchants, in
 * batches. Each is settled in its own transaction and re-checked under its row lock, so concurrent sweeps
 * (several processes) and a racing adjustment or cancellation are safe; each visit moves `itemsChangeAt` on to
 * the next scheduled moment or clears it, so a second run changes nothing. Returns how many changed plan.
 */
export async function applyScheduledAdjustments(deps: AppDeps): Promise<number> {
  const now = deps.now();
  const due = await deps.db
    .select({
      id: subscriptions.id,
      organizationId: subscriptions.organizationId,
      livemode: subscriptions.livemode,
    })
    .from(subscriptions)
    .where(lte(subscriptions.itemsChangeAt, now))
    .orderBy(asc(subscriptions.itemsChangeAt))
    .limit(SWEEP_BATCH);
  let applied = 0;
  for (const row of due) {
    const merchant: Merchant = {
      organizationId: row.organizationId,
      livemode: row.livemode,
      apiKeyId: "system",
    };
    const changed = await deps.db
      .transaction(async (tx) => {
        const locked = await lockSubscription(tx, merchant, row.id);
        const items = await listItemsForSubscriptions(tx, merchant, [locked.id]);
        const itemsChangeAt = nextItemChangeAt(items, now);
        const started = startedChange(locked, items, now);
        if (!started) {
          // Taken back, overtaken by a cancellation, or only items ending: nothing shows on the subscription.
          await rescheduleItemsChange(tx, locked.id, itemsChangeAt);
          return false;
        }
        await applySubscriptionChange(
          tx,
          merchant,
          locked,
          { priceId: started.priceId, isFreePlan: started.unitPrice === 0, itemsChangeAt },
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

/** Moves the sweep's next visit without touching anything a merchant sees (no event: nothing changed for them). */
async function rescheduleItemsChange(tx: Executor, subscriptionId: string, at: Date | null) {
  await tx.update(subscriptions).set({ itemsChangeAt: at }).where(eq(subscriptions.id, subscriptionId));
}
