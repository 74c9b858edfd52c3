import { getPrice, getPriceWithProduct, type PriceRow, type ProductRow } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import type { SubscriptionStatus } from "../db/schema/index.js";
import { conflict, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { multiplyAmount } from "../lib/money.js";
import { getPaymentMethod, type PaymentMethodRow } from "../payments/index.js";
import { itemsInForce, itemsTotal } from "./items.js";
import { type ProrationEntry, type ProrationLine, prorate, prorationLines } from "./proration.js";
import { resolveAdjustItems } from "./resolve-adjust-items.js";
import type { AdjustmentInput, ResolvedAdjustmentTiming } from "./schemas.js";
import type { SubscriptionItemRow, SubscriptionRow } from "./serialize.js";

/** Statuses whose plan may change. A scheduled cancellation must be taken back first. */
const ADJUSTABLE: ReadonlySet<SubscriptionStatus> = new Set(["active", "trialing", "past_due"]);

export function requireAdjustable(subscription: SubscriptionRow): void {
  if (ADJUSTABLE.has(subscription.status)) return;
  if (subscription.status === "cancellation_scheduled") {
    throw conflict(
      `Subscription ${subscription.id} is scheduled to cancel; uncancel it first, then adjust it`,
    );
  }
  throw conflict(
    `Subscription ${subscription.id} is ${subscription.status}; only active, trialing or past_due subscriptions can be adjusted`,
  );
}

/** One entry of the new set: an item in force that runs on unchanged (`keep`), or one the change adds. */
export type PlannedItem = {
  /** The kept item's id, or the pre-generated id of the item to add. */
  id: string;
  keep: SubscriptionItemRow | null;
  price: PriceRow;
  product: ProductRow | null;
  name: string | null;
  quantity: number;
  /** A kept item keeps the amount it was snapshotted at; an added one takes the price's. */
  unitPrice: number;
};

/** What the request asks for, checked against the subscription; nothing written yet. */
export type AdjustmentPlan = {
  subscription: SubscriptionRow;
  currency: string;
  /** The items in force now, in the order they were added. */
  currentItems: SubscriptionItemRow[];
  /** The new set, in request order. */
  newItems: PlannedItem[];
  /** Items of the new set that do not run yet; their rows are inserted, in this order. */
  added: PlannedItem[];
  /** Items in force now that the change ends. */
  removed: SubscriptionItemRow[];
  isUpgrade: boolean;
  resolvedTiming: ResolvedAdjustmentTiming;
  /** When the change takes effect: now, or the end of the current billing period. */
  effectiveAt: Date;
  /** The new set is the set already in force: only a pending scheduled change is taken back. */
  keepsCurrentPlan: boolean;
  /** Minor units to charge now for the rest of the period; 0 when nothing is charged. */
  proration: number;
  /** The breakdown of `proration` (credits for ended items, charges for added ones); empty when it is 0. */
  prorationLines: ProrationLine[];
  /** The card the proration is charged to, when there is one to charge. */
  paymentMethod: PaymentMethodRow | null;
};

function hasRunningPeriod(subscription: SubscriptionRow, now: Date): boolean {
  const { currentBillingPeriodStart: start, currentBillingPeriodEnd: end } = subscription;
  return start !== null && end !== null && start <= now && end > now;
}

/** The subscription's currency: its primary price's (every item shares it). */
async function billedCurrency(
  db: Executor,
  merchant: Merchant,
  subscription: SubscriptionRow,
  current: SubscriptionItemRow[],
): Promise<string> {
  for (const priceId of [subscription.priceId, ...current.map((item) => item.priceId)]) {
    const price = await getPrice(db, merchant, priceId);
    if (price) return price.currency;
  }
  panic(`subscription ${subscription.id} has no price left to read its currency from`);
}

/** An item's display name: its own, else its price's or product's. */
async function itemName(db: Executor, merchant: Merchant, item: SubscriptionItemRow) {
  if (item.name) return item.name;
  const found = await getPriceWithProduct(db, merchant, item.priceId);
  return found?.price.name ?? found?.product?.name ?? null;
}

const label = (name: string | null, quantity: number) =>
  quantity === 1 ? (name ?? "Subscription") : `${name ?? "Subscription"} × ${quantity}`;

/**
 * Matches the request against the items in force: an entry with the price and quantity of an item in force
 * keeps that item (its id, start date and feature grants run on); every other entry is a new item, and every
 * item in force that no entry kept ends. A quantity change is an item ended and one added, as before.
 */
function matchItems(
  subscription: SubscriptionRow,
  current: SubscriptionItemRow[],
  wanted: Awaited<ReturnType<typeof resolveAdjustItems>>,
): PlannedItem[] {
  const unmatched = [...current];
  const keptPrimary = wanted.some((w) => w.price.id === subscription.priceId);
  let firstAdded = true;
  return wanted.map((w) => {
    const at = unmatched.findIndex((item) => item.priceId === w.price.id && item.quantity === w.quantity);
    const keep = at >= 0 ? (unmatched.splice(at, 1)[0] ?? null) : null;
    const ownName = w.price.name ?? w.product?.name ?? null;
    // The item that will carry the subscription's priceId gets the subscription's name, as at creation.
    const becomesPrimary =
      keep === null && (w.price.id === subscription.priceId || (!keptPrimary && firstAdded));
    if (keep === null) firstAdded = false;
    return {
      id: keep?.id ?? newId("subscriptionItem"),
      keep,
      price: w.price,
      product: w.product,
      name: keep ? keep.name : becomesPrimary ? (subscription.name ?? ownName) : ownName,
      quantity: w.quantity,
      unitPrice: keep ? keep.unitPrice : w.price.unitPrice,
    };
  });
}

/**
 * Checks the request against the subscription as it is now and decides timing and proration. The request
 * names the whole new set of items (a base plan and its add-ons); what it keeps runs on untouched.
 */
export async function planAdjustment(
  db: Executor,
  merchant: Merchant,
  subscription: SubscriptionRow,
  items: SubscriptionItemRow[],
  input: AdjustmentInput,
  now: Date,
): Promise<AdjustmentPlan> {
  requireAdjustable(subscription);
  const current = itemsInForce(items, now);
  if (current.length === 0) throw conflict(`Subscription ${subscription.id} has no item in force to replace`);
  const currency = await billedCurrency(db, merchant, subscription, current);
  const wanted = await resolveAdjustItems(
    db,
    merchant,
    subscription,
    currency,
    input.newSubscriptionItems,
    now,
  );
  const newItems = matchItems(subscription, current, wanted);
  const keptIds = new Set(newItems.flatMap((item) => (item.keep ? [item.keep.id] : [])));
  const added = newItems.filter((item) => item.keep === null);
  const removed = current.filter((item) => !keptIds.has(item.id));

  const oldTotal = itemsTotal(current);
  const newTotal = itemsTotal(newItems);
  const isUpgrade = newTotal > oldTotal;
  const running = hasRunningPeriod(subscription, now);
  const asked =
    input.timing === "auto" ? (isUpgrade ? "immediately" : "at_end_of_current_billing_period") : input.timing;
  // Without a running period there is no end to wait for: the change applies now, with nothing to prorate.
  const resolvedTiming: ResolvedAdjustmentTiming = running ? asked : "immediately";
  const chargeable =
    resolvedTiming === "immediately" &&
    input.prorateCurrentBillingPeriod !== false &&
    isUpgrade &&
    running &&
    subscription.status === "active" &&
    subscription.defaultPaymentMethodId !== null &&
    !subscription.doNotCharge;
  const paymentMethod =
    chargeable && subscription.defaultPaymentMethodId
      ? ((await getPaymentMethod(db, merchant, subscription.defaultPaymentMethodId)) ?? null)
      : null;
  const period = {
    start: subscription.currentBillingPeriodStart as Date,
    end: subscription.currentBillingPeriodEnd as Date,
  };
  const proration = paymentMethod ? prorate(oldTotal, newTotal, period, now) : 0;
  const entries: ProrationEntry[] = [];
  for (const item of proration > 0 ? removed : []) {
    entries.push({
      description: `Unused time on ${label(await itemName(db, merchant, item), item.quantity)}`,
      periodTotal: -multiplyAmount(item.unitPrice, item.quantity),
    });
  }
  entries.push(
    ...added.map((item) => ({
      description: `Remaining time on ${label(item.name, item.quantity)}`,
      periodTotal: multiplyAmount(item.unitPrice, item.quantity),
    })),
  );
  return {
    subscription,
    currency,
    currentItems: current,
    newItems,
    added,
    removed,
    isUpgrade,
    resolvedTiming,
    effectiveAt: resolvedTiming === "immediately" ? now : period.end,
    keepsCurrentPlan: added.length === 0 && removed.length === 0,
    proration,
    prorationLines: proration > 0 ? prorationLines(entries, period, now) : [],
    paymentMethod: proration > 0 ? paymentMethod : null,
  };
}
