import type { PriceRow } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Transaction } from "../db/client.js";
import { type PlannedRow, rowWrite } from "../db/planned-rows.js";
import { billingPeriods, type OutputMetadata, subscriptionItems, subscriptions } from "../db/schema/index.js";
import { badRequest, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { type EmitEventInput, emitEvent, eventAbout, type Planned } from "../webhooks/index.js";
import { addInterval } from "./periods.js";
import {
  type BillingPeriodRow,
  type SubscriptionItemRow,
  type SubscriptionRow,
  serializeSubscription,
} from "./serialize.js";

export type CreateSubscriptionInput = {
  customerId: string;
  price: PriceRow;
  quantity: number;
  startDate: Date;
  trialEnd?: Date | null | undefined;
  status: "active" | "trialing" | "incomplete";
  defaultPaymentMethodId?: string | null | undefined;
  name?: string | null | undefined;
  metadata?: OutputMetadata | null | undefined;
  checkoutSessionId?: string | null | undefined;
  /** Pre-generated id, for callers that must key a processor charge on the subscription before it exists. */
  id?: string | undefined;
  /** Pre-generated id of the first billing period, for callers that write rows pointing at it alongside. */
  billingPeriodId?: string | undefined;
  backupPaymentMethodId?: string | null | undefined;
  doNotCharge?: boolean | undefined;
};

export type CreatedSubscription = {
  subscription: SubscriptionRow;
  items: SubscriptionItemRow[];
  billingPeriod: BillingPeriodRow | null;
};

type Plan = {
  anchor: Date | null;
  period: { start: Date; end: Date; trial: boolean } | null;
  trialEnd: Date | null;
};

function planFirstPeriod(
  input: CreateSubscriptionInput,
  interval: PriceRow["intervalUnit"],
  count: number,
): Plan {
  if (input.status === "incomplete") return { anchor: null, period: null, trialEnd: input.trialEnd ?? null };
  if (input.status === "trialing") {
    const trialEnd = input.trialEnd;
    if (!trialEnd) throw badRequest("A trialing subscription needs a trialEnd");
    if (trialEnd.getTime() <= input.startDate.getTime())
      throw badRequest("trialEnd must be after the start date");
    // Paid billing starts when the trial ends, so that is the day every later period is aligned to.
    return { anchor: trialEnd, period: { start: input.startDate, end: trialEnd, trial: true }, trialEnd };
  }
  if (!interval) throw badRequest(`Price ${input.price.id} has no billing interval`);
  const end = addInterval(input.startDate, interval, count);
  return {
    anchor: input.startDate,
    period: { start: input.startDate, end, trial: false },
    trialEnd: input.trialEnd ?? null,
  };
}

/** The three rows of a new subscription, decided before anything is written. */
function planSubscriptionRows(
  merchant: Merchant,
  input: CreateSubscriptionInput,
  now: Date,
): {
  subscription: PlannedRow<SubscriptionRow>;
  item: PlannedRow<SubscriptionItemRow>;
  period: PlannedRow<BillingPeriodRow> | null;
} {
  const { price } = input;
  if (price.type !== "subscription" || !price.intervalUnit) {
    throw badRequest(`Price ${price.id} is not a subscription price`);
  }
  if (!Number.isInteger(input.quantity) || input.quantity < 1) {
    throw badRequest(`Subscription quantity must be a positive integer, got ${input.quantity}`);
  }
  const intervalCount = price.intervalCount ?? 1;
  const plan = planFirstPeriod(input, price.intervalUnit, intervalCount);
  const id = input.id ?? newId("subscription");
  const scope = { organizationId: merchant.organizationId, livemode: merchant.livemode };
  const subscription: PlannedRow<SubscriptionRow> = {
    id,
    ...scope,
    pricingModelId: price.pricingModelId,
    customerId: input.customerId,
    priceId: price.id,
    status: input.status,
    name: input.name ?? null,
    metadata: input.metadata ?? null,
    interval: price.intervalUnit,
    intervalCount,
    renews: true,
    startDate: input.startDate,
    trialEnd: plan.trialEnd,
    billingCycleAnchorDate: plan.anchor,
    currentBillingPeriodStart: plan.period?.start ?? null,
    currentBillingPeriodEnd: plan.period?.end ?? null,
    defaultPaymentMethodId: input.defaultPaymentMethodId ?? null,
    backupPaymentMethodId: input.backupPaymentMethodId ?? null,
    doNotCharge: input.doNotCharge ?? false,
    isFreePlan: price.unitPrice === 0,
    checkoutSessionId: input.checkoutSessionId ?? null,
    canceledAt: null,
    cancelScheduledAt: null,
    cancellationReason: null,
    runBillingAtPeriodStart: true,
    replacedBySubscriptionId: null,
    // Its items start now and end with it: nothing is scheduled yet.
    itemsChangeAt: null,
    createdAt: now,
    updatedAt: now,
  };
  const item: PlannedRow<SubscriptionItemRow> = {
    id: newId("subscriptionItem"),
    ...scope,
    subscriptionId: id,
    priceId: price.id,
    name: input.name ?? price.name ?? null,
    quantity: input.quantity,
    unitPrice: price.unitPrice,
    addedDate: input.startDate,
    expiredAt: null,
    metadata: null,
    createdAt: now,
    updatedAt: now,
  };
  const period: PlannedRow<BillingPeriodRow> | null = plan.period
    ? {
        id: input.billingPeriodId ?? newId("billingPeriod"),
        ...scope,
        subscriptionId: id,
        startDate: plan.period.start,
        endDate: plan.period.end,
        status: "active",
        trialPeriod: plan.period.trial,
        createdAt: now,
        updatedAt: now,
      }
    : null;
  return { subscription, item, period };
}

function subscriptionCreatedEvent(row: PlannedRow<SubscriptionRow>): EmitEventInput {
  return eventAbout(row, "subscription.created", "subscription", serializeSubscription(row));
}

/** A new subscription planned to be written in a statement composed elsewhere, with `subscription.created`. */
export function planSubscription(
  merchant: Merchant,
  input: CreateSubscriptionInput,
  now: Date,
): Planned<SubscriptionRow> {
  const { subscription, item, period } = planSubscriptionRows(merchant, input, now);
  return {
    row: subscription,
    writes: [
      rowWrite(subscriptions, subscription),
      rowWrite(subscriptionItems, item),
      ...(period ? [rowWrite(billingPeriods, period)] : []),
    ],
    events: [subscriptionCreatedEvent(subscription)],
  };
}

/**
 * Creates the subscription, its single item (a snapshot of the price's unit amount) and its first billing
 * period: a regular one when active, the trial when trialing, none while incomplete.
 */
export async function createSubscription(
  tx: Transaction,
  merchant: Merchant,
  input: CreateSubscriptionInput,
  now: Date,
): Promise<CreatedSubscription> {
  const rows = planSubscriptionRows(merchant, input, now);
  // The three rows are sent together: item and period name the subscription by its pre-generated id.
  const [[subscription], items, periods] = await Promise.all([
    tx.insert(subscriptions).values(rows.subscription).returning().execute(),
    tx.insert(subscriptionItems).values(rows.item).returning().execute(),
    rows.period ? tx.insert(billingPeriods).values(rows.period).returning().execute() : undefined,
  ]);
  if (!subscription) panic("subscription insert returned nothing");
  const billingPeriod: BillingPeriodRow | null = periods?.[0] ?? null;
  await emitEvent(tx, subscriptionCreatedEvent(subscription), now);
  return { subscription, items, billingPeriod };
}
