import { and, eq } from "drizzle-orm";
import type { AppDeps, IntentResult, Merchant, ProcessorName } from "../context/index.js";
import type { Executor, Transaction } from "../db/client.js";
import { billingPeriods, subscriptionItems } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { createInvoice } from "../invoices/index.js";
import { AppError, notFound } from "../lib/errors.js";
import {
  chargeSavedCard,
  getPaymentMethod,
  recordPayment,
  refundUnrecordedCharge,
} from "../payments/index.js";
import { type AdjustmentPlan, planAdjustment, requireAdjustable } from "./adjust-plan.js";
import { getSubscription, listItemsForSubscriptions, lockSubscription } from "./queries.js";
import type { AdjustmentInput, ResolvedAdjustmentTiming } from "./schemas.js";
import { isItemInForce, type SubscriptionItemRow, type SubscriptionRow } from "./serialize.js";
import { applySubscriptionChange } from "./update-subscription.js";

export type AdjustedSubscription = {
  subscription: SubscriptionRow;
  /** Items in force after the change (a scheduled change is not in force yet). */
  items: SubscriptionItemRow[];
  isUpgrade: boolean;
  resolvedTiming: ResolvedAdjustmentTiming;
};

type Proration = { intent: IntentResult; paymentMethodId: string; processor: ProcessorName };

const itemScope = (merchant: Merchant, subscriptionId: string) =>
  and(ownedBy(subscriptionItems, merchant), eq(subscriptionItems.subscriptionId, subscriptionId));

/**
 * Charges the proration off-session before anything is written. The key is the subscription plus the id of
 * the item the change will add, so a processor-level retry of this call is one charge; a repeated request
 * finds the upgrade already in force and owes nothing.
 */
async function chargeProration(
  deps: AppDeps,
  merchant: Merchant,
  plan: AdjustmentPlan,
): Promise<Proration | null> {
  const { subscription } = plan;
  if (plan.proration <= 0 || plan.keepsCurrentPlan || !subscription.defaultPaymentMethodId) return null;
  const method = await getPaymentMethod(deps.db, merchant, subscription.defaultPaymentMethodId);
  if (!method) return null;
  const intent = await chargeSavedCard(deps, merchant, method, {
    amount: plan.proration,
    currency: plan.price.currency,
    idempotencyKey: `subscription_adjust:${subscription.id}:${plan.newItemId}`,
    metadata: { subscriptionId: subscription.id, subscriptionItemId: plan.newItemId },
  });
  if (intent.status !== "succeeded") {
    const reason = intent.failure?.message ?? "The payment method could not be charged.";
    throw new AppError("PAYMENT_REQUIRED", `${reason} The subscription was not changed.`);
  }
  return { intent, paymentMethodId: method.id, processor: method.processor };
}

/** An item of a change scheduled for later: it has not started and nothing has ended it yet. */
const isPending = (item: SubscriptionItemRow, now: Date) =>
  item.addedDate > now && (item.expiredAt === null || item.expiredAt > item.addedDate);

/** Takes back a change scheduled earlier: its future item never starts (expired before it began). */
async function dropPendingChange(tx: Executor, merchant: Merchant, items: SubscriptionItemRow[], now: Date) {
  for (const item of items.filter((i) => isPending(i, now))) {
    await tx
      .update(subscriptionItems)
      .set({ expiredAt: now, updatedAt: now })
      .where(and(itemScope(merchant, item.subscriptionId), eq(subscriptionItems.id, item.id)));
  }
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

async function recordProration(
  tx: Transaction,
  merchant: Merchant,
  plan: AdjustmentPlan,
  locked: SubscriptionRow,
  proration: Proration,
  now: Date,
) {
  const { price, product } = plan;
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
          priceId: price.id,
          description: `Proration: ${price.name ?? product?.name ?? locked.name ?? "Subscription"}`,
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
      paymentMethodId: proration.paymentMethodId,
    },
    now,
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
  const current = items.find((item) => isItemInForce(item, now));
  if (current?.id !== plan.currentItem.id) {
    throw new AppError("CONFLICT", `Subscription ${locked.id} changed while it was being adjusted; retry`, {
      retryable: true,
    });
  }
  const { price, effectiveAt } = plan;
  const alreadyScheduled =
    plan.resolvedTiming === "at_end_of_current_billing_period" &&
    items.some(
      (item) =>
        item.addedDate.getTime() === effectiveAt.getTime() &&
        item.expiredAt === null &&
        item.priceId === price.id &&
        item.quantity === plan.quantity,
    );
  const result = (subscription: SubscriptionRow, after: SubscriptionItemRow[]) => ({
    subscription,
    items: after.filter((item) => isItemInForce(item, now)),
    isUpgrade: plan.isUpgrade,
    resolvedTiming: plan.resolvedTiming,
  });
  const nothingPending = current.expiredAt === null && !items.some((item) => isPending(item, now));
  // A repeated scheduling request, or asking for the plan in force with nothing pending, changes nothing.
  if (alreadyScheduled || (plan.keepsCurrentPlan && nothingPending)) return result(locked, items);

  await dropPendingChange(tx, merchant, items, now);
  if (plan.keepsCurrentPlan) {
    // Asking for the plan already in force takes back the pending change: the current item runs on.
    await tx
      .update(subscriptionItems)
      .set({ expiredAt: null, updatedAt: now })
      .where(and(itemScope(merchant, locked.id), eq(subscriptionItems.id, current.id)));
  } else {
    await tx
      .update(subscriptionItems)
      .set({ expiredAt: effectiveAt, updatedAt: now })
      .where(and(itemScope(merchant, locked.id), eq(subscriptionItems.id, current.id)));
    await tx.insert(subscriptionItems).values({
      id: plan.newItemId,
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      subscriptionId: locked.id,
      priceId: price.id,
      name: locked.name ?? price.name ?? null,
      quantity: plan.quantity,
      unitPrice: price.unitPrice,
      addedDate: effectiveAt,
      metadata: null,
      createdAt: now,
      updatedAt: now,
    });
  }
  const switchesNow = plan.resolvedTiming === "immediately" && !plan.keepsCurrentPlan;
  const subscription = await applySubscriptionChange(
    tx,
    merchant,
    locked,
    // A scheduled change leaves the subscription's price alone until it starts (applyScheduledAdjustments).
    switchesNow ? { priceId: price.id, isFreePlan: price.unitPrice === 0 } : {},
    "subscription.updated",
    now,
  );
  if (proration) await recordProration(tx, merchant, plan, locked, proration, now);
  return result(subscription, await listItemsForSubscriptions(tx, merchant, [locked.id]));
}

/**
 * POST /subscriptions/{id}/adjust: swaps the subscription's one priced item for another price and quantity,
 * now or at the end of the current billing period. An immediate upgrade of an active subscription with a
 * saved card is charged the prorated difference first; a decline changes nothing. Downgrades are never
 * credited (Glade keeps no credit balance).
 */
export async function adjustSubscription(
  deps: AppDeps,
  merchant: Merchant,
  subscriptionId: string,
  input: AdjustmentInput,
): Promise<AdjustedSubscription> {
  const subscription = await getSubscription(deps.db, merchant, subscriptionId);
  if (!subscription) throw notFound("Subscription", subscriptionId);
  const now = deps.now();
  const items = await listItemsForSubscriptions(deps.db, merchant, [subscription.id]);
  const plan = await planAdjustment(deps.db, merchant, subscription, items, input, now);
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
