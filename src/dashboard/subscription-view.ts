// Turns subscription rows into what the subscriptions pages show: plan name, amount per period, items.
import type { SubscriptionItemView } from "../../web/dashboard/subscriptions-page.js";
import { getPriceWithProduct } from "../catalog/index.js";
import type { AppDeps, Merchant } from "../context/index.js";
import { multiplyAmount, sumAmounts } from "../lib/money.js";
import {
  isItemInForce,
  listItemsForSubscriptions,
  type SubscriptionItemRow,
  type SubscriptionRow,
} from "../subscriptions/index.js";
import { when } from "./format.js";
import { money } from "./records-shared.js";

type PriceInfo = { currency: string; name: string };

async function priceInfo(deps: AppDeps, merchant: Merchant, priceIds: string[]) {
  const found = new Map<string, PriceInfo>();
  await Promise.all(
    [...new Set(priceIds)].map(async (id) => {
      const row = await getPriceWithProduct(deps.db, merchant, id);
      if (row) {
        const name = [row.product?.name, row.price.name].filter((n) => n).join(" · ") || id;
        found.set(id, { currency: row.price.currency, name });
      }
    }),
  );
  return found;
}

/** The instant whose items are the subscription's plan: now, or just before it ended for a canceled one. */
function planInstant(sub: SubscriptionRow, now: Date): Date {
  return sub.canceledAt && sub.canceledAt <= now ? new Date(sub.canceledAt.getTime() - 1) : now;
}

function per(sub: SubscriptionRow): string {
  if (!sub.interval) return "";
  const n = sub.intervalCount ?? 1;
  return n === 1 ? ` / ${sub.interval}` : ` every ${n} ${sub.interval}s`;
}

export type SubscriptionSummary = { plan: string; amount: string };

/** Plan and amount per period of each subscription of a page, from its items in force and their prices. */
export async function summarize(
  deps: AppDeps,
  merchant: Merchant,
  subs: SubscriptionRow[],
  now: Date,
): Promise<{
  summaries: Map<string, SubscriptionSummary>;
  items: SubscriptionItemRow[];
  prices: Map<string, PriceInfo>;
}> {
  const items = await listItemsForSubscriptions(
    deps.db,
    merchant,
    subs.map((s) => s.id),
  );
  const prices = await priceInfo(deps, merchant, [
    ...subs.map((s) => s.priceId),
    ...items.map((i) => i.priceId),
  ]);
  const summaries = new Map<string, SubscriptionSummary>();
  for (const sub of subs) {
    const at = planInstant(sub, now);
    const inForce = items.filter((i) => i.subscriptionId === sub.id && isItemInForce(i, at));
    const currency = prices.get(sub.priceId)?.currency;
    const total = sumAmounts(inForce.map((i) => multiplyAmount(i.unitPrice, i.quantity)));
    summaries.set(sub.id, {
      plan: sub.name ?? prices.get(sub.priceId)?.name ?? sub.priceId,
      amount: currency ? `${money(total, currency)}${per(sub)}` : "—",
    });
  }
  return { summaries, items, prices };
}

export function itemViews(
  sub: SubscriptionRow,
  items: SubscriptionItemRow[],
  prices: Map<string, PriceInfo>,
): SubscriptionItemView[] {
  return items
    .filter((i) => i.subscriptionId === sub.id)
    .map((i) => {
      const currency = prices.get(i.priceId)?.currency;
      const show = (n: number) => (currency ? money(n, currency) : String(n));
      return {
        name: i.name ?? prices.get(i.priceId)?.name ?? i.priceId,
        quantity: i.quantity,
        unitPrice: show(i.unitPrice),
        amount: show(multiplyAmount(i.unitPrice, i.quantity)),
        added: when(i.addedDate),
        ends: i.expiredAt ? when(i.expiredAt) : "—",
      };
    });
}
