import type { AppDeps, Merchant } from "../context/index.js";
import { conflict } from "../lib/errors.js";
import { takeBackScheduledChange } from "./adjust-subscription.js";
import { itemsInForce, nextItemChangeAt } from "./items.js";
import { listItemsForSubscriptions, lockSubscription } from "./queries.js";
import type { SubscriptionItemRow, SubscriptionRow } from "./serialize.js";
import { applySubscriptionChange } from "./update-subscription.js";

/**
 * POST /subscriptions/{id}/cancel-scheduled-adjustment: takes back a change scheduled for the period end. Its
 * future items never start and the items in force run on past the period end. Under the subscription's row
 * lock, as the sweep that applies started changes is: once the period end has passed, the change has started
 * and there is nothing left to take back (409), whether or not the sweep has run yet.
 */
export async function cancelScheduledAdjustment(
  deps: AppDeps,
  merchant: Merchant,
  subscriptionId: string,
): Promise<{ subscription: SubscriptionRow; items: SubscriptionItemRow[] }> {
  return deps.db.transaction(async (tx) => {
    const locked = await lockSubscription(tx, merchant, subscriptionId);
    const now = deps.now();
    const items = await listItemsForSubscriptions(tx, merchant, [locked.id]);
    if (!(await takeBackScheduledChange(tx, merchant, locked.id, items, now))) {
      throw conflict(`Subscription ${locked.id} has no scheduled adjustment to cancel`);
    }
    const after = await listItemsForSubscriptions(tx, merchant, [locked.id]);
    const subscription = await applySubscriptionChange(
      tx,
      merchant,
      locked,
      { itemsChangeAt: nextItemChangeAt(after, now) },
      "subscription.updated",
      now,
    );
    return { subscription, items: itemsInForce(after, now) };
  });
}
