import { and, eq, inArray } from "drizzle-orm";
import type { AppDeps, IntentResult, Merchant, ProcessorName } from "../context/index.js";
import type { Executor, Transaction } from "../db/client.js";
import { billingPeriods, subscriptionItems } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { createInvoice } from "../invoices/index.js";
import { AppError, notFound } from "../lib/errors.js";
import { chargeSavedCard, recordPayment, refundUnrecordedCharge } from "../payments/index.js";
import { type AdjustmentPlan, type PlannedItem, planAdjustment, requireAdjustable } from "./adjust-plan.js";
import { isPending, itemsInForce, nextItemChangeAt, primaryItem } from "./items.js";
import { getSubscription, listItemsForSubscriptions, lockSubscription } from "./queries.js";
import type { AdjustmentInput, ResolvedAdjustmentTiming } from "./schemas.js";
import type { SubscriptionItemRow, SubscriptionRow } from "./serialize.js";
import { applySubscriptionChange, type SubscriptionChanges } from "./update-subscription.js";

export type AdjustedSubscription = {
  subscription: SubscriptionRow;
  /** Items in force after the change (a scheduled change is not in force yet). */
  items: SubscriptionItemRow[];
  isUpgrade: boolean;
  resolvedTiming: ResolvedAdjustmentTiming;
};

type Proration = { intent: IntentResult; paymentMethodId: string; processor: ProcessorName };

export const itemScope = (merchant: Merchant, subscriptionId: string) =>
  and(ownedBy(subscriptionItems, merchant), eq(subscriptionItems.subscriptionId, subscriptionId));

/**
 * Charges the proration off-session before anything is written. The key is the subscription plus the id of
 * the first item the change will add, so a processor-level retry of this call is one charge; a repeated
 * request finds the change already in force and owes nothing.
 */
async function chargeProration(
  deps: AppDeps,
  merchant: Merchant,
  plan: AdjustmentPlan,
): Promise<Proration | null> {
  const { subscription, paymentMethod: method } = plan;
  const [first] = plan.added;
  if (plan.proration <= 0 || !method || !first) return null;
  const intent = await chargeSavedCard(deps, merchant, method, {
    amount: plan.proration,
    currency: plan.currency,
    idempotencyKey: `subscription_adjust:${subscription.id}:${first.id}`,
    metadata: { subscriptionId: subscription.id, subscriptionItemId: first.id },
  });
  if (intent.status !== "succeeded") {
    const reason = intent.failure?.message ?? "The payment method could not be charged.";
    throw new AppError("PAYMENT_REQUIRED", `${reason} The subscription was not changed.`);
  }
  return { intent, paymentMethodId: method.id, processor: method.processor };
}

/** Ends the given items at `at`: now for a change that applies now, the period end for a scheduled one. */
export async function endItems(
  tx: Executor,
  merchant: Merchant,
  subscriptionId: string,
  ids: string[],
  at: Date | null,
  now: Date,
) {
  if (ids.length === 0) return;
  await tx
    .update(subscriptionItems)
    .set({ expiredAt: at, updatedAt: now })
    .where(and(itemScope(merchant, subscriptionId), inArray(subscriptionItems.id, ids)));
}

/**
 * Takes back a change scheduled for the period end: its future items never start (expired before they began),
 * and the items in force it had set to end run on, except `stillEnding` (which the caller ends itself). Returns
 * whether there was anything to take back.
 */
export async function takeBackScheduledChange(
  tx: Executor,
  merchant: Merchant,
  subscriptionId: string,
  items: SubscriptionItemRow[],
  now: Date,
  stillEnding: ReadonlySet<string> = new Set(),
): Promise<boolean> {
  const pending = items.filter((item) => isPending(item, now)).map((item) => item.id);
  // Only a scheduled change gives an item in force a future end: a cancellation ends items when it happens.
  const ending = itemsInForce(items, now)
    .filter((item) => item.expiredAt !== null && !stillEnding.has(item.id))
    .map((item) => item.id);
  await endItems(tx, merchant, subscriptionId, pending, now, now);
  await endItems(tx, merchant, subscriptionId, ending, null, now);
  return pending.length > 0 || ending.length > 0;
}

async function currentPeriodId(tx: Executor, merchant: Merchant, subscription: SubscriptionRow) {
  if (!subscription.currentBillingPeriodStart) return null;
  const [period] = await tx
    .select({ id: billingPeriods.id })
    .from(billingPeriods)
    .where(
      and(
        ownedBy(billingPeriods, merchant),
        eq(billingPeriods.subscriptionId, subscription.id),
        eq(billingPeriods.startDate, subscription.currentBillingPeriodStart),
      ),
    );
  return period?.id ?? null;
}

const addedLabel = (item: PlannedItem) => {
  const name = item.price.name ?? item.product?.name ?? item.name ?? "Subscription";
  return item.quantity === 1 ? name : `${name} × ${item.quantity}`;
};

/** The charged proration as a paid invoice of one net line (invoice lines are never negative) and its payment. */
async function recordProration(
  tx: Transaction,
  merchant: Merchant,
  plan: AdjustmentPlan,
  locked: SubscriptionRow,
  proration: Proration,
  now: Date,
) {
  const { intent } = proration;
  const { invoice } = await createInvoice(
    tx,
    merchant,
    {
      customerId: locked.customerId,
      pricingModelId: locked.pricingModelId,
      type: "subscription",
      currency: intent.currency,
      lines: [
        {
          priceId: plan.added[0]?.price.id ?? locked.priceId,
          description: `Proration: ${plan.added.map(addedLabel).join(", ")}`,
          quantity: 1,
          unitPrice: intent.amount,
        },
      ],
      status: "paid",
      subscriptionId: locked.id,
      billingPeriodId: await currentPeriodId(tx, merchant, locked),
    },
    now,
  );
  await recordPayment(
    tx,
    merchant,
    {
      customerId: locked.customerId,
      pricingModelId: locked.pricingModelId,
      amount: intent.amount,
      currency: intent.currency,
      status: "succeeded",
      processor: proration.processor,
      processorIntentId: intent.intentId,
      invoiceId: invoice.id,
      subscriptionId: locked.id,
      billingPeriodId: invoice.billingPeriodId,
      description: `Plan change proration (invoice ${invoice.invoiceNumber})`,
      paymentMethodId: proration.paymentMethodId,
    },
    now,
  );
}

const sameIds = (a: SubscriptionItemRow[], b: SubscriptionItemRow[]) =>
  a.length === b.length && a.every((item) => b.some((other) => other.id === item.id));

/** The planned scheduled change is the one already pending: the same new items, the same items ending. */
function isAlreadyScheduled(plan: AdjustmentPlan, items: SubscriptionItemRow[], now: Date): boolean {
  if (plan.resolvedTiming !== "at_end_of_current_billing_period") return false;
  const at = plan.effectiveAt.getTime();
  const pending = items.filter((item) => isPending(item, now));
  const unmatched = [...pending];
  for (const item of plan.added) {
    const i = unmatched.findIndex(
      (p) => p.addedDate.getTime() === at && p.priceId === item.price.id && p.quantity === item.quantity,
    );
    if (i < 0) return false;
    unmatched.splice(i, 1);
  }
  const removedIds = new Set(plan.removed.map((item) => item.id));
  return (
    unmatched.length === 0 &&
    plan.currentItems.every((item) =>
      removedIds.has(item.id) ? item.expiredAt?.getTime() === at : item.expiredAt === null,
    )
  );
}

/** Writes the planned change under the subscription's row lock, re-checking that nothing moved meanwhile. */
async function writeAdjustment(
  tx: Transaction,
  merchant: Merchant,
  plan: AdjustmentPlan,
  proration: Proration | null,
  now: Date,
): Promise<AdjustedSubscription> {
  const locked = await lockSubscription(tx, merchant, plan.subscription.id);
  requireAdjustable(locked);
  const items = await listItemsForSubscriptions(tx, merchant, [locked.id]);
  const current = itemsInForce(items, now);
  if (!sameIds(current, plan.currentItems)) {
    throw new AppError("CONFLICT", `Subscription ${locked.id} changed while it was being adjusted; retry`, {
      retryable: true,
    });
  }
  // Compared on the rows as read under the lock, not on the plan's copies.
  const lockedPlan = { ...plan, currentItems: current };
  const result = (subscription: SubscriptionRow, after: SubscriptionItemRow[]) => ({
    subscription,
    items: itemsInForce(after, now),
    isUpgrade: plan.isUpgrade,
    resolvedTiming: plan.resolvedTiming,
  });
  const nothingPending =
    current.every((item) => item.expiredAt === null) && !items.some((item) => isPending(item, now));
  // A repeated scheduling request, or asking for the set in force with nothing pending, changes nothing.
  if (isAlreadyScheduled(lockedPlan, items, now) || (plan.keepsCurrentPlan && nothingPending)) {
    return result(locked, items);
  }

  const { effectiveAt } = plan;
  // A change scheduled earlier gives way to this one; the items this one removes are ended just below.
  await takeBackScheduledChange(
    tx,
    merchant,
    locked.id,
    items,
    now,
    new Set(plan.removed.map((item) => item.id)),
  );
  await endItems(
    tx,
    merchant,
    locked.id,
    plan.removed.map((item) => item.id),
    effectiveAt,
    now,
  );
  if (plan.added.length > 0) {
    // One statement, rows in request order: their positions keep that order (the primary is the first).
    await tx.insert(subscriptionItems).values(
      plan.added.map((item) => ({
        id: item.id,
        organizationId: merchant.organizationId,
        livemode: merchant.livemode,
        subscriptionId: locked.id,
        priceId: item.price.id,
        name: item.name,
        quantity: item.quantity,
        unitPrice: item.unitPrice,
        addedDate: effectiveAt,
        metadata: null,
        createdAt: now,
        updatedAt: now,
      })),
    );
  }
  const after = await listItemsForSubscriptions(tx, merchant, [locked.id]);
  const changes: SubscriptionChanges = { itemsChangeAt: nextItemChangeAt(after, now) };
  // A scheduled change leaves the subscription's price alone until it starts (applyScheduledAdjustments).
  const primary = primaryItem(itemsInForce(after, now), locked.priceId);
  if (primary && primary.priceId !== locked.priceId) {
    changes.priceId = primary.priceId;
    changes.isFreePlan = primary.unitPrice === 0;
  }
  const subscription = await applySubscriptionChange(
    tx,
    merchant,
    locked,
    changes,
    "subscription.updated",
    now,
  );
  if (proration) await recordProration(tx, merchant, plan, locked, proration, now);
  return result(subscription, after);
}

/**
 * POST /subscriptions/{id}/adjust: replaces the subscription's set of items (a base plan and its add-ons, each
 * with a quantity) now or at the end of the current billing period. Items the request repeats unchanged run
 * on. An immediate upgrade of an active subscription with a saved card is charged the prorated difference of
 * the whole set first; a decline changes nothing. Downgrades are never credited (Glade keeps no credit balance).
 */
export async function adjustSubscription(
  deps: AppDeps,
  merchant: Merchant,
  subscriptionId: string,
  input: AdjustmentInput,
): Promise<AdjustedSubscription> {
  const { plan, now } = await planAdjustmentFor(deps, merchant, subscriptionId, input);
  const proration = await chargeProration(deps, merchant, plan);
  try {
    return await deps.db.transaction((tx) => writeAdjustment(tx, merchant, plan, proration, now));
  } catch (err) {
    if (proration) {
      // The card was charged but the change did not happen: give the money back rather than keep it.
      await refundUnrecordedCharge(deps, merchant, proration.processor, proration.intent);
    }
    throw err;
  }
}

/** The plan an adjustment of the subscription would carry out now; reads only (preview-adjust uses it as is). */
export async function planAdjustmentFor(
  deps: AppDeps,
  merchant: Merchant,
  subscriptionId: string,
  input: AdjustmentInput,
): Promise<{ plan: AdjustmentPlan; now: Date }> {
  const subscription = await getSubscription(deps.db, merchant, subscriptionId);
  if (!subscription) throw notFound("Subscription", subscriptionId);
  const now = deps.now();
  const items = await listItemsForSubscriptions(deps.db, merchant, [subscription.id]);
  return { plan: await planAdjustment(deps.db, merchant, subscription, items, input, now), now };
}
