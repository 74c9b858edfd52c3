import { type SQL, sql } from "drizzle-orm";
import { priceColumns, priceJoinSql } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { queryRows } from "../db/raw.js";
import { subscriptionItems, subscriptions } from "../db/schema/index.js";
import { sameTenant } from "../db/statement.js";
import { CURRENT_STATUSES } from "./serialize.js";

const currentStatuses = sql.raw([...CURRENT_STATUSES].map((status) => `'${status}'`).join(", "));

/** `at` as one SQL array, numbered from 1 by `with ordinality` in the statements below. */
const instants = (at: Date[]): SQL =>
  sql`unnest(array[${sql.join(
    at.map((a) => sql`${a.toISOString()}`),
    sql`, `,
  )}]::timestamptz[]) with ordinality as t(at, i)`;

/**
 * A subscription in force at `t.at`: started by then and current now, or canceled after then. (Glade keeps no
 * status history; this reads the past from the start and cancellation dates, and at now it is exactly "current".)
 */
const inForceAt = sql`${subscriptions.startDate} <= t.at
  and (${subscriptions.status} in (${currentStatuses})
    or (${subscriptions.status} = 'canceled' and ${subscriptions.canceledAt} > t.at))`;

/** Current subscriptions at each instant of `at` (the last one is usually now), counted by Postgres. */
export async function countActiveSubscriptions(
  db: Executor,
  merchant: Merchant,
  at: Date[],
): Promise<number[]> {
  if (at.length === 0) return [];
  const rows = await queryRows<{ i: string; count: string }>(
    db,
    sql`select t.i, count(${subscriptions.id}) as count
      from ${instants(at)}
      left join ${subscriptions} on ${sameTenant(subscriptions, merchant.organizationId, merchant.livemode, "find")}
        and ${inForceAt}
      group by t.i order by t.i`,
  );
  return at.map((_, index) => Number(rows.find((r) => Number(r.i) === index + 1)?.count ?? 0));
}

/**
 * Monthly recurring revenue at each instant of `at`, per currency, in minor units: the items in force of the
 * subscriptions in force, unit price × quantity normalized to a month (a year / 12, a week × 52 / 12, a day ×
 * 365 / 12, each divided by the interval count), summed exactly by Postgres and rounded once per currency.
 * Usage prices bill what was used, not a fixed amount, so they are not recurring revenue.
 */
export async function monthlyRecurringRevenue(
  db: Executor,
  merchant: Merchant,
  at: Date[],
): Promise<{ index: number; currency: string; amount: number }[]> {
  if (at.length === 0) return [];
  const interval = sql`coalesce(${subscriptions.interval}, ${priceColumns.intervalUnit})`;
  const count = sql`greatest(coalesce(${subscriptions.intervalCount}, ${priceColumns.intervalCount}, 1), 1)`;
  const rows = await queryRows<{ i: string; currency: string; amount: string }>(
    db,
    sql`select t.i, ${priceColumns.currency} as currency,
        round(sum(${subscriptionItems.unitPrice}::numeric * ${subscriptionItems.quantity}
          * (case ${interval} when 'year' then 1 when 'week' then 52 when 'day' then 365 else 12 end)
          / (12 * ${count})))::text as amount
      from ${instants(at)}
      join ${subscriptions} on ${sameTenant(subscriptions, merchant.organizationId, merchant.livemode, "find")}
        and ${inForceAt}
      join ${subscriptionItems} on ${subscriptionItems.subscriptionId} = ${subscriptions.id}
        and ${sameTenant(subscriptionItems, subscriptions.organizationId, subscriptions.livemode)}
        and ${subscriptionItems.addedDate} <= t.at
        and (${subscriptionItems.expiredAt} is null or ${subscriptionItems.expiredAt} > t.at)
      ${priceJoinSql({
        priceId: subscriptionItems.priceId,
        organizationId: subscriptionItems.organizationId,
        livemode: subscriptionItems.livemode,
      })}
      where ${priceColumns.currency} is not null and ${priceColumns.type} <> 'usage' and ${interval} is not null
      group by t.i, ${priceColumns.currency} order by t.i`,
  );
  return rows.map((r) => ({ index: Number(r.i) - 1, currency: r.currency, amount: Number(r.amount) }));
}
