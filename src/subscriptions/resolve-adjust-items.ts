import { type PriceRow, type ProductRow, resolveCheckoutPrice } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { AppError, badRequest } from "../lib/errors.js";
import type { AdjustmentInput } from "./schemas.js";
import type { SubscriptionRow } from "./serialize.js";

export type WantedItem = { price: PriceRow; product: ProductRow | null; quantity: number };

type RequestedItem = AdjustmentInput["newSubscriptionItems"][number];

/** Prefixes a refusal with the entry it is about, so a merchant sending several items knows which one. */
function about(index: number, err: unknown): unknown {
  if (!(err instanceof AppError)) return err;
  return new AppError(err.code, `newSubscriptionItems[${index}]: ${err.message}`, {
    ...(err.issues ? { issues: err.issues } : {}),
    retryable: err.retryable,
  });
}

async function resolveOne(
  db: Executor,
  merchant: Merchant,
  subscription: SubscriptionRow,
  currency: string,
  item: RequestedItem,
  now: Date,
): Promise<WantedItem> {
  // Whole item records carry `priceId: null` next to a slug; null means "not given".
  const priceId = item.priceId ?? undefined;
  if ((priceId === undefined) === (item.priceSlug === undefined)) {
    throw badRequest("needs exactly one of priceId or priceSlug");
  }
  // A slug is looked up in the subscription's own pricing model, never the default one.
  const { price, product } = await resolveCheckoutPrice(
    db,
    merchant,
    { priceId, priceSlug: item.priceSlug, pricingModelId: subscription.pricingModelId },
    now,
  );
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
  if (price.currency !== currency) {
    throw badRequest(
      `Price ${price.id} is in ${price.currency}, but subscription ${subscription.id} is billed in ${currency}`,
    );
  }
  return { price, product, quantity: item.quantity };
}

/**
 * The requested set, each entry checked against the subscription: an active subscription price of its pricing
 * model, interval and currency. A price named twice is refused rather than merged: the entries' quantities
 * are the customer's intent, and summing them silently could bill for seats nobody meant to add.
 */
export async function resolveAdjustItems(
  db: Executor,
  merchant: Merchant,
  subscription: SubscriptionRow,
  currency: string,
  requested: RequestedItem[],
  now: Date,
): Promise<WantedItem[]> {
  if (requested.length === 0) {
    throw badRequest(
      "newSubscriptionItems must hold at least one item: the subscription's new set of prices",
    );
  }
  const wanted: WantedItem[] = [];
  const seen = new Map<string, number>();
  for (const [index, item] of requested.entries()) {
    const resolved = await resolveOne(db, merchant, subscription, currency, item, now).catch(
      (err: unknown) => {
        throw about(index, err);
      },
    );
    const first = seen.get(resolved.price.id);
    if (first !== undefined) {
      throw badRequest(
        `newSubscriptionItems[${index}] names price ${resolved.price.id} again (as newSubscriptionItems[${first}] does); give each price once, with its total quantity`,
      );
    }
    seen.set(resolved.price.id, index);
    wanted.push(resolved);
  }
  return wanted;
}
