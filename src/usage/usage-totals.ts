import { type SQL, sql } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { usagePeriodTotals } from "../db/schema/index.js";
import { param, rawStatement, sameTenant } from "../db/statement.js";

/*
 * The statement pieces that keep `usage_period_totals` (and the distinct values behind a
 * count_distinct_properties meter) in step with `usage_events`: the statement that inserts events runs
 * them on the rows it inserted, so an event and its count are written, or not, together. Key columns hold
 * '' for "none" (an event outside any billing period, a meter without a usage price).
 */

/**
 * The distinct value an event's properties stand for: jsonb's text form is canonical (keys sorted, one of
 * each, no insignificant whitespace), so equal properties in another key order hash alike.
 */
export function valueHashSql(properties: SQL): SQL {
  return sql`encode(sha256(convert_to((${properties})::text, 'UTF8')), 'hex')`;
}

const TOTALS_UPSERT = sql`on conflict (subscription_id, billing_period_id, usage_meter_id, price_id) do update
    set total = usage_period_totals.total + excluded.total,
      event_count = usage_period_totals.event_count + excluded.event_count`;

/**
 * CTEs (`fresh`, `totals`) counting the ONE event the CTE `ins` inserted (columns subscription_id,
 * billing_period_id, usage_meter_id, price_id, amount, properties; no row when nothing was inserted) whose
 * meter's aggregation is `aggregation_type` of the CTE `target`: a sum meter adds the amount, a distinct
 * meter adds 1 when the properties are new for the subscription, period and meter. Placeholders
 * `organizationId`, `livemode`.
 */
export function oneEventTotalsSql(): SQL {
  return sql`fresh as (
      insert into usage_distinct_values (subscription_id, billing_period_id, usage_meter_id, value_hash)
      select ins.subscription_id, coalesce(ins.billing_period_id, ''), ins.usage_meter_id,
        ${valueHashSql(sql`ins.properties`)}
      from ins, target where target.aggregation_type = 'count_distinct_properties'
      on conflict do nothing
      returning 1
    ), totals as (
      insert into usage_period_totals (organization_id, livemode, subscription_id, billing_period_id,
        usage_meter_id, price_id, total, event_count)
      select ${param("organizationId")}::text, ${param("livemode")}::boolean, ins.subscription_id,
        coalesce(ins.billing_period_id, ''), ins.usage_meter_id, coalesce(ins.price_id, ''),
        case when target.aggregation_type = 'count_distinct_properties' then (select count(*) from fresh)
          else ins.amount end,
        1
      from ins, target
      ${TOTALS_UPSERT}
    )`;
}

/**
 * CTEs (`counted`, `firsts`, `fresh`, `added`, `sums`, `totals`) counting the events the CTE `ins` inserted
 * (columns id, subscription_id, billing_period_id, usage_meter_id, price_id, amount, properties), with
 * `counts_distinct` and `ord` (input order) read from the CTE `input` by id. Rows with the same key are
 * grouped first, so the upsert touches each totals row once; a value new to the period counts once, toward
 * the first event (in input order) that carried it. Locks are taken in key order, so concurrent batches
 * cannot deadlock on them. Placeholders `organizationId`, `livemode`.
 */
export function batchTotalsSql(): SQL {
  return sql`counted as (
      select ins.subscription_id, coalesce(ins.billing_period_id, '') as period_key, ins.usage_meter_id,
        coalesce(ins.price_id, '') as price_key, ins.amount,
        case when input.counts_distinct then ${valueHashSql(sql`ins.properties`)} end as value_hash, input.ord
      from ins join input on input.id = ins.id
    ), firsts as (
      select distinct on (subscription_id, period_key, usage_meter_id, value_hash)
        subscription_id, period_key, usage_meter_id, value_hash, price_key
      from counted where value_hash is not null
      order by subscription_id, period_key, usage_meter_id, value_hash, ord
    ), fresh as (
      insert into usage_distinct_values (subscription_id, billing_period_id, usage_meter_id, value_hash)
      select subscription_id, period_key, usage_meter_id, value_hash from firsts
      order by subscription_id, period_key, usage_meter_id, value_hash
      on conflict do nothing
      returning subscription_id, billing_period_id, usage_meter_id, value_hash
    ), added as (
      select firsts.subscription_id, firsts.period_key, firsts.usage_meter_id, firsts.price_key, count(*) as n
      from fresh join firsts on firsts.subscription_id = fresh.subscription_id
        and firsts.period_key = fresh.billing_period_id and firsts.usage_meter_id = fresh.usage_meter_id
        and firsts.value_hash = fresh.value_hash
      group by 1, 2, 3, 4
    ), sums as (
      select subscription_id, period_key, usage_meter_id, price_key,
        sum(case when value_hash is null then amount else 0 end) as total, count(*) as events
      from counted group by 1, 2, 3, 4
    ), totals as (
      insert into usage_period_totals (organization_id, livemode, subscription_id, billing_period_id,
        usage_meter_id, price_id, total, event_count)
      select ${param("organizationId")}::text, ${param("livemode")}::boolean, sums.subscription_id,
        sums.period_key, sums.usage_meter_id, sums.price_key, sums.total + coalesce(added.n, 0), sums.events
      from sums left join added on added.subscription_id = sums.subscription_id
        and added.period_key = sums.period_key and added.usage_meter_id = sums.usage_meter_id
        and added.price_key = sums.price_key
      order by sums.subscription_id, sums.period_key, sums.usage_meter_id, sums.price_key
      ${TOTALS_UPSERT}
    )`;
}

const periodTotals = rawStatement<{
  subscription_id: string;
  usage_meter_id: string;
  total: number | string;
}>(
  "usage_current_period_totals",
  // Lateral, behind OFFSET 0: each period's rows are found by the key, however few rows the table had
  // when the statement was planned.
  sql`select k.subscription_id, t.usage_meter_id, sum(t.total) as total
    from json_to_recordset(${param("periods")}::json) as k(subscription_id text, billing_period_id text)
    cross join lateral (
      select ${usagePeriodTotals.usageMeterId} as usage_meter_id, ${usagePeriodTotals.total} as total
      from ${usagePeriodTotals}
      where ${usagePeriodTotals.subscriptionId} = k.subscription_id
        and ${usagePeriodTotals.billingPeriodId} = k.billing_period_id and ${sameTenant(usagePeriodTotals)}
      offset 0
    ) t
    group by k.subscription_id, t.usage_meter_id`,
);

/** Usage per subscription, then per meter: `totals.get(subscriptionId)?.get(usageMeterId) ?? 0`. */
export type UsageBySubscription = Map<string, Map<string, number>>;

/**
 * The usage counted so far toward each given billing period (null: usage counted outside any period), per
 * subscription and meter, summed over the meter's prices: read from `usage_period_totals` by its primary
 * key's prefix, never from the events.
 */
export async function currentPeriodUsage(
  db: Executor,
  merchant: Merchant,
  periods: { subscriptionId: string; billingPeriodId: string | null }[],
): Promise<UsageBySubscription> {
  const out: UsageBySubscription = new Map();
  if (periods.length === 0) return out;
  // Each period once: a period asked for twice must not be summed twice.
  const keys = new Map<string, { subscription_id: string; billing_period_id: string }>();
  for (const p of periods) {
    const key = { subscription_id: p.subscriptionId, billing_period_id: p.billingPeriodId ?? "" };
    keys.set(`${key.subscription_id}\u0000${key.billing_period_id}`, key);
  }
  const rows = await periodTotals(db, {
    periods: JSON.stringify([...keys.values()]),
    organizationId: merchant.organizationId,
    livemode: merchant.livemode,
  });
  for (const row of rows) {
    let meters = out.get(row.subscription_id);
    if (!meters) {
      meters = new Map();
      out.set(row.subscription_id, meters);
    }
    meters.set(row.usage_meter_id, Number(row.total));
  }
  return out;
}
