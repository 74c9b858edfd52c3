import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { getPriceWithProduct, serializePrice } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { billingPeriods, subscriptionItems, subscriptions } from "../db/schema/index.js";
import { ownedBy, param, sameTenant, statement, tenant } from "../db/statement.js";
import { notFound } from "../lib/errors.js";
import type { SubscriptionDetailsRecord } from "./schemas.js";
import {
  type BillingPeriodRow,
  isItemInForce,
  type SubscriptionItemRow,
  type SubscriptionRow,
  serializeSubscriptionDetails,
} from "./serialize.js";

export const subscriptionScope = (merchant: Merchant) => and(ownedBy(subscriptions, merchant));

export async function getSubscription(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<SubscriptionRow | undefined> {
  const [row] = await db
    .select()
    .from(subscriptions)
    .where(and(subscriptionScope(merchant), eq(subscriptions.id, id)));
  return row;
}

export async function getSubscriptionItem(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<SubscriptionItemRow | undefined> {
  const [row] = await db
    .select()
    .from(subscriptionItems)
    .where(and(ownedBy(subscriptionItems, merchant), eq(subscriptionItems.id, id)));
  return row;
}

/** Row lock for a state change: concurrent cancels, activations and uncancels take turns. */
export async function lockSubscription(
  tx: Executor,
  merchant: Merchant,
  id: string,
): Promise<SubscriptionRow> {
  const [row] = await tx
    .select()
    .from(subscriptions)
    .where(and(subscriptionScope(merchant), eq(subscriptions.id, id)))
    .for("update");
  if (!row) throw notFound("Subscription", id);
  return row;
}

export async function listItemsForSubscriptions(
  db: Executor,
  merchant: Merchant,
  subscriptionIds: string[],
): Promise<SubscriptionItemRow[]> {
  if (subscriptionIds.length === 0) return [];
  return itemsOfSubscriptions(db, { ...tenant(merchant), subscriptionIds });
}

const itemsOfSubscriptions = statement("subscription_items_of_subscriptions", (db) =>
  db
    .select()
    .from(subscriptionItems)
    .where(
      and(
        sql`${subscriptionItems.subscriptionId} = any(${param("subscriptionIds")})`,
        sameTenant(subscriptionItems),
      ),
    )
    .orderBy(asc(subscriptionItems.position)),
);

/** Serialized prices of the given items, by price id, for the items' `price` field. */
export async function serializedItemPrices(
  db: Executor,
  merchant: Merchant,
  items: SubscriptionItemRow[],
): Promise<Map<string, Record<string, unknown>>> {
  const prices = new Map<string, Record<string, unknown>>();
  for (const priceId of new Set(items.map((i) => i.priceId))) {
    const found = await getPriceWithProduct(db, merchant, priceId);
    if (found) prices.set(priceId, serializePrice(found.price));
  }
  return prices;
}

/** Every subscription of the customer, newest first. */
const subscriptionsOfCustomer = statement("subscriptions_of_customer", (db) =>
  db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.customerId, param("customerId")), sameTenant(subscriptions)))
    .orderBy(desc(subscriptions.position)),
);

export async function listSubscriptionsForCustomer(
  db: Executor,
  merchant: Merchant,
  customerId: string,
): Promise<SubscriptionRow[]> {
  return subscriptionsOfCustomer(db, { ...tenant(merchant), customerId });
}

/**
 * Every subscription of the customer (newest first) with the items in force at `now` and each item's price,
 * as wire objects. Expired items and a plan change scheduled for later are left out.
 */
export async function listSubscriptionDetailsForCustomer(
  db: Executor,
  merchant: Merchant,
  customerId: string,
  now: Date,
): Promise<SubscriptionDetailsRecord[]> {
  const rows = await listSubscriptionsForCustomer(db, merchant, customerId);
  const items = (
    await listItemsForSubscriptions(
      db,
      merchant,
      rows.map((r) => r.id),
    )
  ).filter((item) => isItemInForce(item, now));
  const prices = await serializedItemPrices(db, merchant, items);
  return rows.map((row) =>
    serializeSubscriptionDetails(
      row,
      items.filter((i) => i.subscriptionId === row.id),
      prices,
    ),
  );
}

/**
 * Each subscription's current billing period (the period row starting at its `currentBillingPeriodStart`), by
 * subscription id; a subscription without one (incomplete, non-renewing) is left out.
 */
export async function getCurrentBillingPeriods(
  db: Executor,
  merchant: Merchant,
  subs: Pick<SubscriptionRow, "id" | "currentBillingPeriodStart">[],
): Promise<Map<string, BillingPeriodRow>> {
  const found = await Promise.all(
    subs.map(async (sub) => {
      if (!sub.currentBillingPeriodStart) return undefined;
      const [row] = await billingPeriodStarting(db, {
        ...tenant(merchant),
        subscriptionId: sub.id,
        startDate: sub.currentBillingPeriodStart.toISOString(),
      });
      return row;
    }),
  );
  return new Map(found.flatMap((row) => (row ? [[row.subscriptionId, row]] : [])));
}

const billingPeriodStarting = statement("billing_period_starting", (db) =>
  db
    .select()
    .from(billingPeriods)
    .where(
      and(
        eq(billingPeriods.subscriptionId, param("subscriptionId")),
        eq(billingPeriods.startDate, param("startDate")),
        sameTenant(billingPeriods),
      ),
    ),
);

export async function listBillingPeriodsByIds(
  db: Executor,
  merchant: Merchant,
  ids: string[],
): Promise<BillingPeriodRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(billingPeriods)
    .where(and(ownedBy(billingPeriods, merchant), inArray(billingPeriods.id, ids)));
}
