import { and, inArray, sql } from "drizzle-orm";
import { listUsageMetersOfPricingModels, type UsageMeterRow } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import { requireCustomerByExternalId } from "../customers/index.js";
import type { Executor } from "../db/client.js";
import { usagePeriodTotals } from "../db/schema/index.js";
import { sameTenant } from "../db/statement.js";
import { notFound } from "../lib/errors.js";
import {
  CURRENT_STATUSES,
  getCurrentBillingPeriods,
  getSubscription,
  listSubscriptionsForCustomer,
  type SubscriptionRow,
  type UsageMeterBalanceRecord,
} from "../subscriptions/index.js";
import { type CreditBook, type CreditTarget, loadCredits, remainingCredits } from "./credits.js";
import { serializeUsageMeterBalance } from "./serialize-balance.js";

export type BalanceSubscription = Pick<
  SubscriptionRow,
  "id" | "customerId" | "pricingModelId" | "currentBillingPeriodStart"
>;

/**
 * The usage not yet billed of each subscription's current period, per meter: summed from the running totals
 * by their primary key (subscription, period, meter, price), never from the events.
 */
async function unbilledUsage(
  db: Executor,
  merchant: Merchant,
  periods: { subscriptionId: string; billingPeriodId: string }[],
): Promise<Map<string, number>> {
  if (periods.length === 0) return new Map();
  const rows = await db
    .select({
      subscriptionId: usagePeriodTotals.subscriptionId,
      usageMeterId: usagePeriodTotals.usageMeterId,
      unbilled: sql<number>`sum(${usagePeriodTotals.total} - ${usagePeriodTotals.billedTotal})`.mapWith(
        Number,
      ),
    })
    .from(usagePeriodTotals)
    .where(
      and(
        inArray(
          usagePeriodTotals.subscriptionId,
          periods.map((p) => p.subscriptionId),
        ),
        inArray(
          usagePeriodTotals.billingPeriodId,
          periods.map((p) => p.billingPeriodId),
        ),
        sameTenant(usagePeriodTotals, merchant.organizationId, merchant.livemode),
      ),
    )
    .groupBy(usagePeriodTotals.subscriptionId, usagePeriodTotals.usageMeterId);
  return new Map(rows.map((r) => [`${r.subscriptionId}|${r.usageMeterId}`, r.unbilled]));
}

/**
 * Each subscription's balance on every meter of its pricing model, by subscription id: the credits available
 * at `now` (this period's periodic credits, once-grants and the customer's top-ups, less what billed periods
 * used) minus the current period's usage not yet billed. Negative is overage, billed at the period's end.
 */
export async function usageMeterBalancesFor(
  db: Executor,
  merchant: Merchant,
  subscriptions: BalanceSubscription[],
  now: Date,
): Promise<Map<string, UsageMeterBalanceRecord[]>> {
  const balances = new Map<string, UsageMeterBalanceRecord[]>();
  if (subscriptions.length === 0) return balances;
  const [periods, meters] = await Promise.all([
    getCurrentBillingPeriods(db, merchant, subscriptions),
    listUsageMetersOfPricingModels(db, merchant, [...new Set(subscriptions.map((s) => s.pricingModelId))]),
  ]);
  const metered = subscriptions.filter((s) => meters.some((m) => m.pricingModelId === s.pricingModelId));
  const customerIds = [...new Set(metered.map((s) => s.customerId))];
  const targets = (customerId: string): CreditTarget[] =>
    metered.flatMap((s) => {
      const period = periods.get(s.id);
      return s.customerId === customerId && period
        ? [{ subscriptionId: s.id, start: period.startDate, end: period.endDate }]
        : [];
    });
  const [books, unbilled] = await Promise.all([
    Promise.all(customerIds.map((c) => loadCredits(db, merchant, c, targets(c), now))),
    unbilledUsage(
      db,
      merchant,
      metered.flatMap((s) => {
        const period = periods.get(s.id);
        return period ? [{ subscriptionId: s.id, billingPeriodId: period.id }] : [];
      }),
    ),
  ]);
  const bookOf = new Map<string, CreditBook>(customerIds.map((c, i) => [c, books[i] as CreditBook]));
  for (const sub of subscriptions) {
    const book = bookOf.get(sub.customerId);
    const periodStart = periods.get(sub.id)?.startDate ?? null;
    balances.set(
      sub.id,
      meters
        .filter((m) => m.pricingModelId === sub.pricingModelId)
        .map((meter: UsageMeterRow) => {
          const credits = book ? remainingCredits(book.creditsFor(sub.id, periodStart, meter.id)) : 0;
          const used = unbilled.get(`${sub.id}|${meter.id}`) ?? 0;
          return serializeUsageMeterBalance(meter, sub.id, credits - used);
        }),
    );
  }
  return balances;
}

/**
 * `GET /customers/{externalId}/usage-balances`: the balances of the customer's current subscriptions, or of the
 * one named (which must be the customer's: another customer's or tenant's is not found).
 */
export async function getUsageBalances(
  db: Executor,
  merchant: Merchant,
  externalId: string,
  subscriptionId: string | undefined,
  now: Date,
): Promise<UsageMeterBalanceRecord[]> {
  const customer = await requireCustomerByExternalId(db, merchant, externalId);
  let subscriptions: SubscriptionRow[];
  if (subscriptionId !== undefined) {
    const sub = await getSubscription(db, merchant, subscriptionId);
    if (!sub || sub.customerId !== customer.id) throw notFound("Subscription", subscriptionId);
    subscriptions = [sub];
  } else {
    subscriptions = (await listSubscriptionsForCustomer(db, merchant, customer.id)).filter((s) =>
      CURRENT_STATUSES.has(s.status),
    );
  }
  const balances = await usageMeterBalancesFor(db, merchant, subscriptions, now);
  return subscriptions.flatMap((s) => balances.get(s.id) ?? []);
}
