import { type SQL, sql } from "drizzle-orm";
import { priceColumns, priceJoinSql } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { queryRows } from "../db/raw.js";
import { subscriptionItems, subscriptions } from "../db/schema/index.js";
import { sameTenant } from "../db/statement.js";
import { CURRENT_STATUSES } from "./serialize.js";

const currentStatuses = sql.raw([...CURRENT_STATUSES].map((status) => `'${status}'`).join(", "));

/**
 * When a subscription is in force: from its start, while current now, or until it was canceled. (Glade keeps no
 * status history; the past is read from the start and cancellation dates, and at now this is exactly "current".)
 */
const counted = sql`(${subscriptions.status} in (${currentStatuses})
  or (${subscriptions.status} = 'canceled' and ${subscriptions.canceledAt} is not null))`;
const subscriptionStop = sql`case when ${subscriptions.status} = 'canceled' then ${subscriptions.canceledAt} end`;

/**
 * A value in force over spans [start, stop) (stop null: still in force), read at each instant of `at` (ascending)
 * in one pass over the spans, however many instants: each span is a +value at its start and a −value at its
 * stop; an event counts from the first instant at or after it (width_bucket finds it), and a running sum per
 * `key` gives the value at every instant that has an event. Rows: `i` (1-based instant), `key`, `value`.
 */
function runningTotals(at: Date[], spans: SQL): SQL {
  const instants = sql`array[${sql.join(
    at.map((a) => sql`${a.toISOString()}`),
    sql`, `,
  )}]::timestamptz[]`;
  return sql`with spans as (${spans}),
    events as (
      select key, start as at, value from spans where stop is null or stop > start
      union all select key, stop, -value from spans where stop > start),
    placed as (
      select key, value, at, width_bucket(at, ${instants}) as w from events)
    select i, key, sum(sum(value)) over (partition by key order by i)::text as value
    from (select key, value,
        w + case when w > 0 and (${instants})[w] = at then 0 else 1 end as i from placed) as e
    where i <= ${at.length}
    group by i, key order by i`;
}

/** Fills the instants without an event with the value before them (0 before the first). */
function carried(rows: { i: number; value: number }[], length: number): number[] {
  const values: number[] = [];
  let last = 0;
  for (let i = 1; i <= length; i++) {
    const row = rows.find((r) => r.i === i);
    if (row) last = row.value;
    values.push(last);
  }
  return values;
}

/** Current subscriptions at each instant of `at` (ascending; the last one is usually now), counted by Postgres. */
export async function countActiveSubscriptions(
  db: Executor,
  merchant: Merchant,
  at: Date[],
): Promise<number[]> {
  if (at.length === 0) return [];
  const rows = await queryRows<{ i: string; value: string }>(
    db,
    runningTotals(
      at,
      sql`select '' as key, 1 as value, ${subscriptions.startDate} as start, ${subscriptionStop} as stop
        from ${subscriptions}
        where ${sameTenant(subscriptions, merchant.organizationId, merchant.livemode, "find")} and ${counted}`,
    ),
  );
  return carried(
    rows.map((r) => ({ i: Number(r.i), value: Number(r.value) })),
    at.length,
  );
}

/**
 * Monthly recurring revenue at each instant of `at` (ascending), per currency, in minor units: the items in force
 * of the subscriptions in force, unit price × quantity normalized to a month (a year / 12, a week × 52 / 12, a
 * day × 365 / 12, each divided by the interval count), summed exactly by Postgres and rounded once per point.
 * Usage prices bill what was used, not a fixed amount, so they are not recurring revenue.
 */
export async function monthlyRecurringRevenue(
  db: Executor,
  merchant: Merchant,
  at: Date[],
): Promise<{ currency: string; values: number[] }[]> {
  if (at.length === 0) return [];
  const interval = sql`coalesce(${subscriptions.interval}, ${priceColumns.intervalUnit})`;
  const count = sql`greatest(coalesce(${subscriptions.intervalCount}, ${priceColumns.intervalCount}, 1), 1)`;
  const rows = await queryRows<{ i: string; key: string; value: string }>(
    db,
    runningTotals(
      at,
      sql`select ${priceColumns.currency} as key,
          ${subscriptionItems.unitPrice}::numeric * ${subscriptionItems.quantity}
            * (case ${interval} when 'year' then 1 when 'week' then 52 when 'day' then 365 else 12 end)
            / (12 * ${count}) as value,
          greatest(${subscriptions.startDate}, ${subscriptionItems.addedDate}) as start,
          least(${subscriptionItems.expiredAt}, ${subscriptionStop}) as stop
        from ${subscriptions}
        join ${subscriptionItems} on ${subscriptionItems.subscriptionId} = ${subscriptions.id}
          and ${sameTenant(subscriptionItems, subscriptions.organizationId, subscriptions.livemode)}
        ${priceJoinSql({
          priceId: subscriptionItems.priceId,
          organizationId: subscriptionItems.organizationId,
          livemode: subscriptionItems.livemode,
        })}
        where ${sameTenant(subscriptions, merchant.organizationId, merchant.livemode, "find")} and ${counted}
          and ${priceColumns.currency} is not null and ${priceColumns.type} <> 'usage' and ${interval} is not null`,
    ),
  );
  const currencies = [...new Set(rows.map((r) => r.key))];
  return currencies.map((currency) => ({
    currency,
    values: carried(
      rows
        .filter((r) => r.key === currency)
        // The running sum is exact (numeric); each point is rounded once, to minor units.
        .map((r) => ({ i: Number(r.i), value: Math.round(Number(r.value)) })),
      at.length,
    ),
  }));
}
