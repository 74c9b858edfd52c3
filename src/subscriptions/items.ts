import { multiplyAmount, sumAmounts } from "../lib/money.js";
import { isItemInForce, type SubscriptionItemRow } from "./serialize.js";

/** The items billed at `at`, in the order they were added. */
export const itemsInForce = (items: SubscriptionItemRow[], at: Date) =>
  items.filter((item) => isItemInForce(item, at));

/** An item of a change scheduled for later: it has not started and nothing has ended it yet. */
export const isPending = (item: SubscriptionItemRow, now: Date) =>
  item.addedDate > now && (item.expiredAt === null || item.expiredAt > item.addedDate);

/**
 * The next instant after `now` at which the set of items in force changes on its own: a scheduled change's
 * items start, or items end. Null when nothing is scheduled. Kept on the subscription (`itemsChangeAt`) so the
 * sweep that applies started changes reads only the subscriptions whose moment has come.
 */
export function nextItemChangeAt(items: SubscriptionItemRow[], now: Date): Date | null {
  let next: Date | null = null;
  for (const item of items) {
    for (const at of [item.addedDate, item.expiredAt]) {
      if (at && at > now && (next === null || at < next)) next = at;
    }
  }
  return next;
}

/** What the items cost per billing period, in minor units. */
export const itemsTotal = (items: Pick<SubscriptionItemRow, "unitPrice" | "quantity">[]) =>
  sumAmounts(items.map((item) => multiplyAmount(item.unitPrice, item.quantity)));

/**
 * The item whose price the subscription shows as its `priceId` (its "primary" item). While an item of the
 * subscription's current price is in force, that one stays primary: a change that keeps the base plan and
 * swaps add-ons leaves `priceId` alone. Once no item of that price runs, the primary is the first of the
 * items added last: the first new item of the change, in the order the request listed them (items are
 * added in request order, and `items` comes in that order).
 */
export function primaryItem(
  inForce: SubscriptionItemRow[],
  currentPriceId: string,
): SubscriptionItemRow | undefined {
  const keeps = inForce.find((item) => item.priceId === currentPriceId);
  if (keeps) return keeps;
  let primary: SubscriptionItemRow | undefined;
  for (const item of inForce) {
    if (!primary || item.addedDate > primary.addedDate) primary = item;
  }
  return primary;
}
