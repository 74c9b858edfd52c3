import { and, eq, ne } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { billingPeriods, type SubscriptionStatus } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { conflict, notFound } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { getPaymentMethod } from "../payments/index.js";
import { periodContaining } from "./periods.js";
import { listSubscriptionsForCustomer, lockSubscription } from "./queries.js";
import { type BillingPeriodRow, CURRENT_STATUSES, type SubscriptionRow } from "./serialize.js";
import { applySubscriptionChange } from "./update-subscription.js";

/** Waiting for a first or renewed payment; checkout's activate_subscription accepts the same set. */
const ACTIVATABLE: ReadonlySet<SubscriptionStatus> = new Set([
  "incomplete",
  "credit_trial",
  "trialing",
  "past_due",
  "unpaid",
]);

function refuseActivation(subscription: SubscriptionRow): never {
  switch (subscription.status) {
    case "canceled":
    case "incomplete_expired":
      throw conflict(`Subscription ${subscription.id} is canceled`);
    case "paused":
      throw conflict(`Subscription ${subscription.id} is paused`);
    default:
      throw conflict(`Subscription ${subscription.id} is already active`);
  }
}

async function requireCustomerMethod(
  tx: Executor,
  merchant: Merchant,
  subscription: SubscriptionRow,
  paymentMethodId: string,
): Promise<void> {
  const method = await getPaymentMethod(tx, merchant, paymentMethodId);
  if (!method || method.customerId !== subscription.customerId)
    throw notFound("Payment method", paymentMethodId);
}

/**
 * Makes a waiting subscription active with the given card. The new current period is the one aligned
 * to the billing cycle anchor that contains `now`; the anchor is `now` unless the caller asks to keep an
 * existing one.
 */
export async function activateSubscription(
  tx: Executor,
  merchant: Merchant,
  subscriptionId: string,
  options: { defaultPaymentMethodId: string; preserveBillingCycleAnchor: boolean; now: Date },
): Promise<{ subscription: SubscriptionRow; billingPeriod: BillingPeriodRow | null }> {
  const locked = await lockSubscription(tx, merchant, subscriptionId);
  if (!ACTIVATABLE.has(locked.status)) refuseActivation(locked);
  await requireCustomerMethod(tx, merchant, locked, options.defaultPaymentMethodId);
  const { now } = options;

  if (!locked.interval) {
    // A non-renewing plan has no periods to align: it simply becomes active.
    const subscription = await applySubscriptionChange(
      tx,
      merchant,
      locked,
      { status: "active", defaultPaymentMethodId: options.defaultPaymentMethodId },
      "subscription.updated",
      now,
    );
    return { subscription, billingPeriod: null };
  }

  const anchor =
    options.preserveBillingCycleAnchor && locked.billingCycleAnchorDate ? locked.billingCycleAnchorDate : now;
  const period = periodContaining(anchor, locked.interval, locked.intervalCount ?? 1, now);
  // The trial (or the lapsed period) is over: only the new period is current from here on.
  await tx
    .update(billingPeriods)
    .set({ status: "completed", updatedAt: now })
    .where(
      and(
        ownedBy(billingPeriods, merchant),
        eq(billingPeriods.subscriptionId, locked.id),
        eq(billingPeriods.status, "active"),
        ne(billingPeriods.startDate, period.start),
      ),
    );
  const [billingPeriod] = await tx
    .insert(billingPeriods)
    .values({
      id: newId("billingPeriod"),
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      subscriptionId: locked.id,
      startDate: period.start,
      endDate: period.end,
      status: "active",
      trialPeriod: false,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: [billingPeriods.subscriptionId, billingPeriods.startDate],
      set: { endDate: period.end, status: "active", trialPeriod: false, updatedAt: now },
    })
    .returning();
  const subscription = await applySubscriptionChange(
    tx,
    merchant,
    locked,
    {
      status: "active",
      defaultPaymentMethodId: options.defaultPaymentMethodId,
      billingCycleAnchorDate: anchor,
      currentBillingPeriodStart: period.start,
      currentBillingPeriodEnd: period.end,
    },
    "subscription.updated",
    now,
  );
  return { subscription, billingPeriod: billingPeriod ?? null };
}

export async function setSubscriptionDefaultPaymentMethod(
  tx: Executor,
  merchant: Merchant,
  subscriptionId: string,
  paymentMethodId: string,
  now: Date,
): Promise<SubscriptionRow> {
  const locked = await lockSubscription(tx, merchant, subscriptionId);
  await requireCustomerMethod(tx, merchant, locked, paymentMethodId);
  if (locked.defaultPaymentMethodId === paymentMethodId) return locked;
  return applySubscriptionChange(
    tx,
    merchant,
    locked,
    { defaultPaymentMethodId: paymentMethodId },
    "subscription.updated",
    now,
  );
}

/**
 * Every current subscription of the customer switches to the card (an add_payment_method session with
 * `automaticallyUpdateSubscriptions`, which the billing portal's "Replace card" makes): renewals charge it.
 */
export async function setDefaultPaymentMethodOfCurrentSubscriptions(
  tx: Executor,
  merchant: Merchant,
  customerId: string,
  paymentMethodId: string,
  now: Date,
): Promise<void> {
  const owned = await listSubscriptionsForCustomer(tx, merchant, customerId);
  for (const subscription of owned) {
    if (!CURRENT_STATUSES.has(subscription.status)) continue;
    await setSubscriptionDefaultPaymentMethod(tx, merchant, subscription.id, paymentMethodId, now);
  }
}
