import { getPrice, type PriceRow, type ProductRow, resolveCheckoutPrice } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import type { SubscriptionStatus } from "../db/schema/index.js";
import { badRequest, conflict } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { multiplyAmount } from "../lib/money.js";
import type { AdjustmentInput, ResolvedAdjustmentTiming } from "./schemas.js";
import { isItemInForce, type SubscriptionItemRow, type SubscriptionRow } from "./serialize.js";

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

/** What the request asks for, checked against the subscription; nothing written yet. */
export type AdjustmentPlan = {
  subscription: SubscriptionRow;
  currentItem: SubscriptionItemRow;
  price: PriceRow;
  product: ProductRow | null;
  quantity: number;
  isUpgrade: boolean;
  resolvedTiming: ResolvedAdjustmentTiming;
  /** When the new item starts: now, or the end of the current billing period. */
  effectiveAt: Date;
  /** The item that will be added; its id keys the proration charge. */
  newItemId: string;
  /** The new plan is the one already in force: only a pending scheduled change is taken back. */
  keepsCurrentPlan: boolean;
  /** Minor units to charge now for the rest of the period; 0 when nothing is charged. */
  proration: number;
};

async function resolveNewPrice(
  db: Executor,
  merchant: Merchant,
  subscription: SubscriptionRow,
  currentItem: SubscriptionItemRow,
  item: AdjustmentInput["newSubscriptionItems"][number],
  now: Date,
): Promise<{ price: PriceRow; product: ProductRow | null }> {
  // Whole item records carry `priceId: null` next to a slug; null means "not given".
  const priceId = item.priceId ?? undefined;
  if ((priceId === undefined) === (item.priceSlug === undefined)) {
    throw badRequest("newSubscriptionItems[0] needs exactly one of priceId or priceSlug");
  }
  // A slug is looked up in the subscription's own pricing model, never the default one.
  const found = await resolveCheckoutPrice(
    db,
    merchant,
    {
      priceId,
      priceSlug: item.priceSlug,
      pricingModelId: subscription.pricingModelId,
    },
    now,
  );
  const { price } = found;
  if (price.type !== "subscription") {
    throw badRequest(`Price ${price.id} is a ${price.type} price; a plan change needs a subscription price`);
  }
  if (!price.active) throw badRequest(`Price ${price.id} is not active`);
  if (price.pricingModelId !== subscription.pricingModelId) {
    throw badRequest(
      `Price ${price.id} belongs to another pricing model than subscription ${subscription.id}`,
    );
  }
  if (
    price.intervalUnit !== subscription.interval ||
    (price.intervalCount ?? 1) !== subscription.intervalCount
  ) {
    throw badRequest(
      `Price ${price.id} bills every ${price.intervalCount ?? 1} ${price.intervalUnit}, but subscription ${subscription.id} bills every ${subscription.intervalCount} ${subscription.interval}; the billing interval cannot change`,
    );
  }
  const currentPrice = await getPrice(db, merchant, currentItem.priceId);
  if (currentPrice && currentPrice.currency !== price.currency) {
    throw badRequest(
      `Price ${price.id} is in ${price.currency}, but subscription ${subscription.id} is billed in ${currentPrice.currency}`,
    );
  }
  return found;
}

function hasRunningPeriod(subscription: SubscriptionRow, now: Date): boolean {
  const { currentBillingPeriodStart: start, currentBillingPeriodEnd: end } = subscription;
  return start !== null && end !== null && start <= now && end > now;
}

/**
 * The price difference for the rest of the current period, rounded down (the customer is never charged
 * a fraction of a minor unit more than the exact share). Exact integer math throughout.
 */
export function prorate(oldTotal: number, newTotal: number, period: { start: Date; end: Date }, now: Date) {
  const difference = BigInt(newTotal) - BigInt(oldTotal);
  const remaining = BigInt(period.end.getTime() - now.getTime());
  const length = BigInt(period.end.getTime() - period.start.getTime());
  if (difference <= 0n || remaining <= 0n || length <= 0n) return 0;
  return Number((difference * remaining) / length);
}

/**
 * Checks the request against the subscription as it is now and decides timing and proration. Glade
 * subscriptions carry exactly one priced item, so a plan change swaps that one item.
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
  const requested = input.newSubscriptionItems;
  const [wanted] = requested;
  if (!wanted || requested.length !== 1) {
    throw badRequest(
      `newSubscriptionItems must hold exactly one item (got ${requested.length}): a Glade subscription carries a single priced item, so a plan change names its one new price`,
    );
  }
  const currentItem = items.find((item) => isItemInForce(item, now));
  if (!currentItem) throw conflict(`Subscription ${subscription.id} has no item in force to replace`);
  const { price, product } = await resolveNewPrice(db, merchant, subscription, currentItem, wanted, now);

  const oldTotal = multiplyAmount(currentItem.unitPrice, currentItem.quantity);
  const newTotal = multiplyAmount(price.unitPrice, wanted.quantity);
  const isUpgrade = newTotal > oldTotal;
  const running = hasRunningPeriod(subscription, now);
  const asked =
    input.timing === "auto" ? (isUpgrade ? "immediately" : "at_end_of_current_billing_period") : input.timing;
  // Without a running period there is no end to wait for: the change applies now, with nothing to prorate.
  const resolvedTiming: ResolvedAdjustmentTiming = running ? asked : "immediately";
  const chargesProration =
    resolvedTiming === "immediately" &&
    input.prorateCurrentBillingPeriod !== false &&
    isUpgrade &&
    running &&
    subscription.status === "active" &&
    subscription.defaultPaymentMethodId !== null &&
    !subscription.doNotCharge;
  const proration = chargesProration
    ? prorate(
        oldTotal,
        newTotal,
        {
          start: subscription.currentBillingPeriodStart as Date,
          end: subscription.currentBillingPeriodEnd as Date,
        },
        now,
      )
    : 0;
  return {
    subscription,
    currentItem,
    price,
    product,
    quantity: wanted.quantity,
    isUpgrade,
    resolvedTiming,
    effectiveAt: resolvedTiming === "immediately" ? now : (subscription.currentBillingPeriodEnd as Date),
    newItemId: newId("subscriptionItem"),
    keepsCurrentPlan: price.id === currentItem.priceId && wanted.quantity === currentItem.quantity,
    proration,
  };
}
