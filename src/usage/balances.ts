import { and, eq, sql } from "drizzle-orm";
import { listUsageMetersOfPricingModels, type UsageMeterRow } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import { requireCustomerByExternalId } from "../customers/index.js";
import type { Executor } from "../db/client.js";
import { usagePeriodTotals } from "../db/schema/index.js";
import { param, sameTenant, statement, tenant } from "../db/statement.js";
import type { FeatureGrant } from "../entitlements/index.js";
import { notFound } from "../lib/errors.js";
import {
  CURRENT_STATUSES,
  getCurrentBillingPeriods,
  getSubscription,
  listSubscriptionsForCustomer,
  type SubscriptionRow,
  type UsageMeterBalanceRecord,
} from "../subscriptions/index.js";
import {
  bookCredits,
  type CreditBook,
  type CreditTarget,
  loadCreditSources,
  remainingCredits,
} from "./credits.js";
import { serializeUsageMeterBalance } from "./serialize-balance.js";

export type BalanceSubscription = Pick<
  SubscriptionRow,
  "id" | "customerId" | "pricingModelId" | "currentBillingPeriodStart"
>;

const unbilledOfPeriod = statement("usage_unbilled_of_period", (db) =>
  db
    .select({
      usageMeterId: usagePeriodTotals.usageMeterId,
      unbilled: sql<number>`sum(${usagePeriodTotals.total} - ${usagePeriodTotals.billedTotal})`.mapWith(
        Number,
      ),
    })
    .from(usagePeriodTotals)
    .where(
      and(
        eq(usagePeriodTotals.subscriptionId, param("subscriptionId")),
        eq(usagePeriodTotals.billingPeriodId, param("billingPeriodId")),
        sameTenant(usagePeriodTotals),
      ),
    )
    .groupBy(usagePeriodTotals.usageMeterId),
);

/**
 * The usage not yet billed of each subscription's current period, per meter (by `subscription|meter`): summed
 * from the running totals by the leading columns of their primary key (subscription, period, meter, price),
 * never from the events.
 */
async function unbilledUsage(
  db: Executor,
  merchant: Merchant,
  periods: { subscriptionId: string; billingPeriodId: string }[],
): Promise<Map<string, number>> {
  const rows = await Promise.all(
    periods.map(async (p) =>
      (await unbilledOfPeriod(db, { ...tenant(merchant), ...p })).map((r): [string, number] => [
        `${p.subscriptionId}|${r.usageMeterId}`,
        r.unbilled,
      ]),
    ),
  );
  return new Map(rows.flat());
}

/**
 * Each subscription's balance on every meter of its pricing model, by subscription id: the credits available
 * at `now` (this period's periodic credits, once-grants and the customer's top-ups, less what billed periods
 * used) minus the current period's usage not yet billed. Negative is overage, billed at the period's end.
 * `eager` reads the credits' sources alongside the meters (one round trip less, a few statements more when the
 * pricing model turns out to have no meter): for callers that ask for balances. `grants` hands over the
 * subscriptions' grants when the caller reads them anyway (the billing view), so they are not read twice.
 */
export async function usageMeterBalancesFor(
  db: Executor,
  merchant: Merchant,
  subscriptions: BalanceSubscription[],
  now: Date,
  options: { eager?: boolean; grants?: Promise<FeatureGrant[]> } = {},
): Promise<Map<string, UsageMeterBalanceRecord[]>> {
  const balances = new Map<string, UsageMeterBalanceRecord[]>();
  if (subscriptions.length === 0) return balances;
  const customerIds = [...new Set(subscriptions.map((s) => s.customerId))];
  const readSources = (customerId: string, subs: BalanceSubscription[]) =>
    loadCreditSources(
      db,
      merchant,
      customerId,
      subs.filter((s) => s.customerId === customerId).map((s) => s.id),
      now,
      options.grants,
    );
  const [periods, meters, eagerSources] = await Promise.all([
    getCurrentBillingPeriods(db, merchant, subscriptions),
    listUsageMetersOfPricingModels(db, merchant, [...new Set(subscriptions.map((s) => s.pricingModelId))]),
    options.eager ? Promise.all(customerIds.map((c) => readSources(c, subscriptions))) : undefined,
  ]);
  const metered = subscriptions.filter((s) => meters.some((m) => m.pricingModelId === s.pricingModelId));
  const targets: CreditTarget[] = metered.flatMap((s) => {
    const period = periods.get(s.id);
    return period ? [{ subscriptionId: s.id, start: period.startDate, end: period.endDate }] : [];
  });
  const meteredCustomers = customerIds.filter((c) => metered.some((s) => s.customerId === c));
  const [books, unbilled] = await Promise.all([
    Promise.all(
      meteredCustomers.map(async (c) => {
        const sources = eagerSources?.find((s) => s.customerId === c) ?? (await readSources(c, metered));
        return bookCredits(db, merchant, sources, targets);
      }),
    ),
    unbilledUsage(
      db,
      merchant,
      metered.flatMap((s) => {
        const period = periods.get(s.id);
        return period ? [{ subscriptionId: s.id, billingPeriodId: period.id }] : [];
      }),
    ),
  ]);
  const bookOf = new Map<string, CreditBook>(meteredCustomers.map((c, i) => [c, books[i] as CreditBook]));
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
  let subscriptions: SubscriptionRow[];
  if (subscriptionId !== undefined) {
    const [customer, sub] = await Promise.all([
      requireCustomerByExternalId(db, merchant, externalId),
      getSubscription(db, merchant, subscriptionId),
    ]);
    if (!sub || sub.customerId !== customer.id) throw notFound("Subscription", subscriptionId);
    subscriptions = [sub];
  } else {
    const customer = await requireCustomerByExternalId(db, merchant, externalId);
    subscriptions = (await listSubscriptionsForCustomer(db, merchant, customer.id)).filter((s) =>
      CURRENT_STATUSES.has(s.status),
    );
  }
  const balances = await usageMeterBalancesFor(db, merchant, subscriptions, now, { eager: true });
  return subscriptions.flatMap((s) => balances.get(s.id) ?? []);
}
