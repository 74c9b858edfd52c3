import { and, eq, gt, inArray, isNull, lte, or } from "drizzle-orm";
import type { AppDeps, Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { billingPeriods, subscriptionItems, subscriptions } from "../db/schema/index.js";
import { inConstants, ownedBy } from "../db/statement.js";
import { voidOpenInvoicesForSubscription } from "../invoices/index.js";
import { badRequest } from "../lib/errors.js";
import { lockSubscription } from "./queries.js";
import type { SubscriptionRow } from "./serialize.js";
import { applySubscriptionChange } from "./update-subscription.js";

export type CancellationTiming = "immediately" | "at_end_of_current_billing_period";

/**
 * Ends the subscription at `at`: its open periods, items and unpaid invoices end with it. `now` is when
 * the change is written (a sweep ends a subscription at its scheduled instant, some time after it).
 */
async function cancelNow(tx: Executor, merchant: Merchant, locked: SubscriptionRow, at: Date, now: Date) {
  const tenant = (table: typeof billingPeriods | typeof subscriptionItems) => and(ownedBy(table, merchant));
  await tx
    .update(billingPeriods)
    .set({ status: "canceled", updatedAt: now })
    .where(
      and(
        tenant(billingPeriods),
        eq(billingPeriods.subscriptionId, locked.id),
        inArray(billingPeriods.status, ["active", "upcoming", "past_due"]),
      ),
    );
  await tx
    .update(subscriptionItems)
    .set({ expiredAt: at, updatedAt: now })
    .where(
      and(
        tenant(subscriptionItems),
        eq(subscriptionItems.subscriptionId, locked.id),
        // Also items a scheduled plan change had set to end (or start) later: nothing runs past `at`.
        or(isNull(subscriptionItems.expiredAt), gt(subscriptionItems.expiredAt, at)),
      ),
    );
  await voidOpenInvoicesForSubscription(tx, merchant, locked.id, now);
  return applySubscriptionChange(
    tx,
    merchant,
    locked,
    // Nothing it scheduled will start any more.
    { status: "canceled", canceledAt: at, itemsChangeAt: null },
    "subscription.canceled",
    now,
  );
}

/**
 * Called inside the change's transaction when the subscription changed (not for a no-op), so a caller's own
 * record of the change (the dashboard's audit entry) commits or rolls back with it.
 */
export type OnSubscriptionChange = (
  tx: Executor,
  before: SubscriptionRow,
  after: SubscriptionRow,
) => Promise<void>;

/**
 * Cancels now, or schedules the cancellation for the end of the current billing period. A subscription
 * without a running period (incomplete, or its period already over) has nothing to wait for and ends now.
 */
export async function cancelSubscription(
  deps: AppDeps,
  merchant: Merchant,
  subscriptionId: string,
  timing: CancellationTiming,
  onChange?: OnSubscriptionChange,
): Promise<SubscriptionRow> {
  return deps.db.transaction(async (tx) => {
    const locked = await lockSubscription(tx, merchant, subscriptionId);
    if (locked.status === "canceled" || locked.status === "incomplete_expired") {
      throw badRequest(`Subscription ${subscriptionId} is already canceled`);
    }
    const now = deps.now();
    const changed = await cancelLocked(tx, merchant, locked, timing, now);
    if (changed !== locked) await onChange?.(tx, locked, changed);
    return changed;
  });
}

async function cancelLocked(
  tx: Executor,
  merchant: Merchant,
  locked: SubscriptionRow,
  timing: CancellationTiming,
  now: Date,
): Promise<SubscriptionRow> {
  const periodEnd = locked.currentBillingPeriodEnd;
  const hasRunningPeriod = locked.status !== "incomplete" && periodEnd !== null && periodEnd > now;
  if (timing === "immediately" || !hasRunningPeriod) return cancelNow(tx, merchant, locked, now, now);
  if (
    locked.status === "cancellation_scheduled" &&
    locked.cancelScheduledAt?.getTime() === periodEnd.getTime()
  ) {
    return locked;
  }
  return applySubscriptionChange(
    tx,
    merchant,
    locked,
    { status: "cancellation_scheduled", cancelScheduledAt: periodEnd },
    "subscription.updated",
    now,
  );
}

/** Takes back a scheduled cancellation; any other status is returned unchanged. */
export async function uncancelSubscription(
  deps: AppDeps,
  merchant: Merchant,
  subscriptionId: string,
  onChange?: OnSubscriptionChange,
): Promise<SubscriptionRow> {
  return deps.db.transaction(async (tx) => {
    const locked = await lockSubscription(tx, merchant, subscriptionId);
    if (locked.status !== "cancellation_scheduled") return locked;
    const now = deps.now();
    // Scheduling a cancellation does not end a trial, so taking it back returns to the trial if one is running.
    const status = locked.trialEnd && locked.trialEnd > now ? "trialing" : "active";
    const changed = await applySubscriptionChange(
      tx,
      merchant,
      locked,
      { status, cancelScheduledAt: null },
      "subscription.updated",
      now,
    );
    await onChange?.(tx, locked, changed);
    return changed;
  });
}

const SWEEP_BATCH = 100;

/**
 * Background job: ends every subscription whose scheduled cancellation is due, across all merchants.
 * Each one is settled in its own transaction and re-checked under its row lock, so concurrent sweeps and
 * a racing uncancel are safe. Returns how many were canceled.
 */
export async function runScheduledCancellations(deps: AppDeps): Promise<number> {
  const now = deps.now();
  const due = await deps.db
    .select({
      id: subscriptions.id,
      organizationId: subscriptions.organizationId,
      livemode: subscriptions.livemode,
    })
    .from(subscriptions)
    .where(
      and(
        inConstants(subscriptions.status, ["cancellation_scheduled"]),
        lte(subscriptions.cancelScheduledAt, now),
      ),
    )
    .orderBy(subscriptions.cancelScheduledAt)
    .limit(SWEEP_BATCH);
  let canceled = 0;
  for (const row of due) {
    const merchant: Merchant = {
      organizationId: row.organizationId,
      livemode: row.livemode,
      apiKeyId: "system",
    };
    const done = await deps.db.transaction(async (tx) => {
      const locked = await lockSubscription(tx, merchant, row.id);
      const at = locked.cancelScheduledAt;
      if (locked.status !== "cancellation_scheduled" || !at || at > now) return false;
      await cancelNow(tx, merchant, locked, at, now);
      return true;
    });
    if (done) canceled++;
  }
  return canceled;
}
