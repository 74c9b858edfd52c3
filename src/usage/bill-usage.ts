import { and, asc, eq, gt, sql } from "drizzle-orm";
import { getPrice, listUsageMetersOfPricingModels, type PriceRow } from "../catalog/index.js";
import type { ClosingPeriod, Merchant, UsageBilling, UsageInvoiceLine } from "../context/index.js";
import type { Executor, Transaction } from "../db/client.js";
import { usageCreditApplications, usagePeriodTotals } from "../db/schema/index.js";
import { sameTenant } from "../db/statement.js";
import { panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { divideRoundingUp, sumAmounts } from "../lib/money.js";
import { listBillingPeriodsByIds, listItemsForSubscriptions } from "../subscriptions/index.js";
import { consumeCredits, loadCredits } from "./credits.js";

type TotalsRow = typeof usagePeriodTotals.$inferSelect;
type Span = { start: Date; end: Date };
/** One meter's unbilled usage in one billing period, by price ('' = no price). */
type Group = { period: Span; usageMeterId: string; units: Map<string, number> };
type PriceUsage = { usageMeterId: string; units: number; credited: number };

/** The subscription's totals with usage not billed yet, locked until the renewal commits (ingest waits). */
function lockUnbilledTotals(tx: Executor, merchant: Merchant, subscriptionId: string): Promise<TotalsRow[]> {
  return tx
    .select()
    .from(usagePeriodTotals)
    .where(
      and(
        eq(usagePeriodTotals.subscriptionId, subscriptionId),
        sameTenant(usagePeriodTotals, merchant.organizationId, merchant.livemode),
        gt(usagePeriodTotals.total, usagePeriodTotals.billedTotal),
      ),
    )
    .orderBy(
      asc(usagePeriodTotals.billingPeriodId),
      asc(usagePeriodTotals.usageMeterId),
      asc(usagePeriodTotals.priceId),
    )
    .for("update");
}

/** Usage prices the subscription held as items during the period: billed as a line even when unused. */
async function heldUsagePrices(tx: Executor, merchant: Merchant, period: ClosingPeriod): Promise<PriceRow[]> {
  const items = await listItemsForSubscriptions(tx, merchant, [period.subscriptionId]);
  const held = items.filter(
    (i) =>
      i.addedDate.getTime() < period.endDate.getTime() &&
      (i.expiredAt === null || i.expiredAt.getTime() > period.startDate.getTime()),
  );
  const prices: PriceRow[] = [];
  for (const priceId of new Set(held.map((i) => i.priceId))) {
    const price = await getPrice(tx, merchant, priceId);
    if (price?.type === "usage" && price.usageMeterId) prices.push(price);
  }
  return prices;
}

/** Each row's billing period; a row without one ('') or of an unknown period counts toward the closing one. */
async function groupByPeriodAndMeter(
  tx: Executor,
  merchant: Merchant,
  period: ClosingPeriod,
  rows: TotalsRow[],
): Promise<Group[]> {
  const closing: Span = { start: period.startDate, end: period.endDate };
  const otherIds = [...new Set(rows.map((r) => r.billingPeriodId))].filter(
    (id) => id !== "" && id !== period.billingPeriodId,
  );
  const others = new Map(
    (await listBillingPeriodsByIds(tx, merchant, otherIds))
      .filter((p) => p.subscriptionId === period.subscriptionId)
      .map((p) => [p.id, { start: p.startDate, end: p.endDate }]),
  );
  const groups = new Map<string, Group>();
  for (const row of rows) {
    const span = others.get(row.billingPeriodId) ?? closing;
    const key = `${span.start.getTime()}|${row.usageMeterId}`;
    const group = groups.get(key) ?? { period: span, usageMeterId: row.usageMeterId, units: new Map() };
    groups.set(key, group);
    group.units.set(
      row.priceId,
      sumAmounts([group.units.get(row.priceId) ?? 0, row.total - row.billedTotal]),
    );
  }
  return [...groups.values()].sort(
    (a, b) =>
      a.period.start.getTime() - b.period.start.getTime() || (a.usageMeterId < b.usageMeterId ? -1 : 1),
  );
}

/** Dearest per meter unit first, so credits cover the usage that would cost the most; unpriced usage last. */
function byCostPerUnit(prices: Map<string, PriceRow>) {
  const cost = (id: string) => {
    const price = prices.get(id);
    return price ? { unitPrice: BigInt(price.unitPrice), per: BigInt(price.usageEventsPerUnit ?? 1) } : null;
  };
  return (a: string, b: string): number => {
    const ca = cost(a);
    const cb = cost(b);
    if (!ca || !cb) return ca ? -1 : cb ? 1 : 0;
    const left = ca.unitPrice * cb.per;
    const right = cb.unitPrice * ca.per;
    return left > right ? -1 : left < right ? 1 : a < b ? -1 : a > b ? 1 : 0;
  };
}

async function loadPrices(tx: Executor, merchant: Merchant, ids: string[]): Promise<Map<string, PriceRow>> {
  const prices = new Map<string, PriceRow>();
  for (const id of ids) {
    const price = await getPrice(tx, merchant, id);
    if (!price) panic(`usage price ${id} of recorded usage is missing`);
    prices.set(id, price);
  }
  return prices;
}

/**
 * Bills, in the renewal's transaction, the subscription's usage that no invoice has billed yet: the closing
 * period's, and any that arrived for an earlier period after that period's invoice. Per period and meter the
 * usage is covered by credits first (the period's own, then once-grants and top-ups oldest first), the credits
 * going to the dearest price first; what is left is billed per price in whole billing units (rounded up).
 * The credits used are written to the ledger and the totals marked billed, so a second run finds nothing.
 */
export async function billClosingPeriod(
  tx: Transaction,
  merchant: Merchant,
  period: ClosingPeriod,
  now: Date,
): Promise<UsageInvoiceLine[]> {
  const [rows, held] = await Promise.all([
    lockUnbilledTotals(tx, merchant, period.subscriptionId),
    heldUsagePrices(tx, merchant, period),
  ]);
  if (rows.length === 0 && held.length === 0) return [];
  // Top-ups are the customer's: renewals of its subscriptions use them one at a time.
  if (rows.length > 0) {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`usage_credits:${period.customerId}`}, 0))`,
    );
  }
  const groups = await groupByPeriodAndMeter(tx, merchant, period, rows);
  const recordedIds = [...new Set(rows.map((r) => r.priceId).filter((id) => id !== ""))];
  const [recorded, meters, book] = await Promise.all([
    loadPrices(
      tx,
      merchant,
      recordedIds.filter((id) => !held.some((p) => p.id === id)),
    ),
    listUsageMetersOfPricingModels(tx, merchant, [period.pricingModelId]),
    groups.length === 0
      ? undefined
      : loadCredits(
          tx,
          merchant,
          period.customerId,
          groups.map((g) => ({ subscriptionId: period.subscriptionId, ...g.period })),
          period.endDate,
        ),
  ]);

  const prices = new Map([...held.map((p): [string, PriceRow] => [p.id, p]), ...recorded]);
  const usage = new Map<string, PriceUsage>(
    held.map((p) => [
      p.id,
      { usageMeterId: p.usageMeterId ?? panic(`held price ${p.id} has no meter`), units: 0, credited: 0 },
    ]),
  );
  const applied = new Map<string, { usageMeterId: string; amount: number }>();
  const dearestFirst = byCostPerUnit(prices);
  for (const group of groups) {
    const units = sumAmounts([...group.units.values()]);
    const credits = book?.creditsFor(period.subscriptionId, group.period.start, group.usageMeterId) ?? [];
    let covered = 0;
    for (const { credit, used } of consumeCredits(credits, units)) {
      covered += used;
      const entry = applied.get(credit.key) ?? { usageMeterId: credit.usageMeterId, amount: 0 };
      entry.amount += used;
      applied.set(credit.key, entry);
    }
    for (const priceId of [...group.units.keys()].sort(dearestFirst)) {
      const priceUnits = group.units.get(priceId) ?? 0;
      const credited = Math.min(priceUnits, covered);
      covered -= credited;
      if (priceId === "") continue; // unpriced usage uses credits but bills nothing
      const entry = usage.get(priceId) ?? { usageMeterId: group.usageMeterId, units: 0, credited: 0 };
      entry.units = sumAmounts([entry.units, priceUnits]);
      entry.credited = sumAmounts([entry.credited, credited]);
      usage.set(priceId, entry);
    }
  }

  await Promise.all([
    applied.size > 0
      ? tx
          .insert(usageCreditApplications)
          .values(
            [...applied].map(([creditKey, { usageMeterId, amount }]) => ({
              id: newId("usageCreditApplication"),
              organizationId: merchant.organizationId,
              livemode: merchant.livemode,
              subscriptionId: period.subscriptionId,
              customerId: period.customerId,
              usageMeterId,
              creditKey,
              billingPeriodId: period.billingPeriodId,
              amount,
              createdAt: now,
              updatedAt: now,
            })),
          )
          .execute()
      : undefined,
    ...rows.map((row) =>
      tx
        .update(usagePeriodTotals)
        .set({ billedTotal: row.total })
        .where(
          and(
            eq(usagePeriodTotals.subscriptionId, row.subscriptionId),
            eq(usagePeriodTotals.billingPeriodId, row.billingPeriodId),
            eq(usagePeriodTotals.usageMeterId, row.usageMeterId),
            eq(usagePeriodTotals.priceId, row.priceId),
            sameTenant(usagePeriodTotals, merchant.organizationId, merchant.livemode),
          ),
        )
        .execute(),
    ),
  ]);

  const meterNames = new Map(meters.map((m) => [m.id, m.name]));
  // In the pricing model's order: its meters as listed, each meter's prices as created.
  const meterOrder = new Map(meters.map((m, i) => [m.id, i]));
  const lineOrder = ([a, ua]: [string, PriceUsage], [b, ub]: [string, PriceUsage]) =>
    (meterOrder.get(ua.usageMeterId) ?? meters.length) - (meterOrder.get(ub.usageMeterId) ?? meters.length) ||
    (prices.get(a)?.position ?? 0) - (prices.get(b)?.position ?? 0);
  return [...usage].sort(lineOrder).map(([priceId, { usageMeterId, units, credited }]) => {
    const price = prices.get(priceId) ?? panic(`usage price ${priceId} not loaded`);
    return {
      priceId,
      description: price.name ?? meterNames.get(usageMeterId) ?? "Usage",
      quantity: divideRoundingUp(units - credited, price.usageEventsPerUnit ?? 1),
      unitPrice: price.unitPrice,
      usageMeterId,
      creditsApplied: credited,
      billingPeriodId: period.billingPeriodId,
    };
  });
}

/** What a renewal is handed through `AppDeps.usageBilling`. */
export const usageBilling: UsageBilling = { billClosingPeriod };
