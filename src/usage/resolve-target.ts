import { type SQL, sql } from "drizzle-orm";
import { resolveUsageTarget, type UsageTargetKind, usageTargetSql } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { queryRows } from "../db/raw.js";
import type { AggregationType } from "../db/schema/index.js";
import { param, rawStatement } from "../db/statement.js";
import { badRequest, notFound } from "../lib/errors.js";
import { CURRENT_STATUSES, usageSubscriptionSql } from "../subscriptions/index.js";
import { TARGET_FIELDS, type UsageEventInput } from "./schemas-events.js";

/** Everything an event's row takes from its subscription and its target. */
export type ResolvedEvent = {
  subscriptionId: string;
  customerId: string;
  pricingModelId: string;
  billingPeriodId: string | null;
  usageMeterId: string;
  aggregationType: AggregationType;
  priceId: string | null;
};

/** The one target field an event names (the schema made sure there is exactly one). */
export function targetOf(input: UsageEventInput): { kind: UsageTargetKind; key: string } {
  for (const kind of TARGET_FIELDS) {
    const key = input[kind];
    if (key !== undefined) return { kind, key };
  }
  throw badRequest("Exactly one of priceId, priceSlug, usageMeterId or usageMeterSlug must be provided");
}

const KINDS: UsageTargetKind[] = ["priceId", "priceSlug", "usageMeterId", "usageMeterSlug"];

/** The subscription's rule for what is "current", said in the refusal. */
const CURRENT_LIST = [...CURRENT_STATUSES].join(", ");

/** Whether an event of a meter with this aggregation may be recorded with these properties. */
export const needsProperties = (aggregation: AggregationType) => aggregation === "count_distinct_properties";

type ResolveRow = {
  n: number;
  current: boolean | null;
  customer_id: string | null;
  pricing_model_id: string | null;
  billing_period_id: string | null;
  usage_meter_id: string | null;
  aggregation_type: AggregationType | null;
  price_id: string | null;
};

function targetBranch(kind: UsageTargetKind): SQL {
  return sql`select * from (${usageTargetSql(kind, sql`d.key`, sql`d.pricing_model_id`)}) ${sql.identifier(kind)}
    where d.kind = ${sql.raw(`'${kind}'`)}`;
}

/**
 * Every distinct subscription of a batch, then every distinct target in each pricing model, in one read:
 * each row found by its keys (lateral, the subscription's behind OFFSET 0, so no plan made while the tables
 * were small joins them by scanning). A row per item (`n`): a batch of one meter's events resolves its meter
 * once, however many subscriptions it names.
 */
const resolveStatement = rawStatement<ResolveRow>(
  "usage_resolve_events",
  sql`with i as (
      select * from json_to_recordset(${param("items")}::json) as i(n int, subscription_id text, kind text, key text)
    ), subs as (
      select u.id as subscription_id, s.current, s.customer_id, s.pricing_model_id, s.billing_period_id
      from (select distinct i.subscription_id as id from i) u
      left join lateral (${usageSubscriptionSql(sql`u.id`)} offset 0) s on true
    ), targets as (
      select d.pricing_model_id, d.kind, d.key, t.usage_meter_id, t.aggregation_type, t.price_id
      from (
        select distinct subs.pricing_model_id, i.kind, i.key
        from i join subs on subs.subscription_id = i.subscription_id and subs.pricing_model_id is not null
      ) d
      left join lateral (${sql.join(KINDS.map(targetBranch), sql` union all `)}) t on true
    )
    select i.n, subs.current, subs.customer_id, subs.pricing_model_id, subs.billing_period_id,
      targets.usage_meter_id, targets.aggregation_type, targets.price_id
    from i left join subs on subs.subscription_id = i.subscription_id
    left join targets on targets.pricing_model_id = subs.pricing_model_id and targets.kind = i.kind
      and targets.key = i.key`,
);

/**
 * What each input counts toward, read in one statement for every distinct subscription and target of the
 * batch; undefined for an input that cannot be recorded as it stands (its subscription or target is not
 * the merchant's, the subscription is not current, the target is not in the subscription's pricing model,
 * a distinct-counting meter without properties). `explainUnresolved` says why. Inputs of the same
 * subscription and target get the same object.
 */
export async function resolveUsageEvents(
  db: Executor,
  merchant: Merchant,
  inputs: UsageEventInput[],
): Promise<(ResolvedEvent | undefined)[]> {
  const combos = new Map<string, number>();
  const items: { n: number; subscription_id: string; kind: UsageTargetKind; key: string }[] = [];
  const comboOf = inputs.map((input) => {
    const { kind, key } = targetOf(input);
    const name = `${input.subscriptionId}\u0000${kind}\u0000${key}`;
    let n = combos.get(name);
    if (n === undefined) {
      n = items.length;
      combos.set(name, n);
      items.push({ n, subscription_id: input.subscriptionId, kind, key });
    }
    return n;
  });
  const rows = await resolveStatement(db, {
    items: JSON.stringify(items),
    organizationId: merchant.organizationId,
    livemode: merchant.livemode,
  });
  // One object per distinct subscription and target: the inputs naming them share it.
  const byCombo: (ResolvedEvent | undefined)[] = [];
  for (const row of rows) {
    if (!row.current || !row.usage_meter_id || !row.aggregation_type) continue;
    byCombo[row.n] = {
      subscriptionId: (items[row.n] as { subscription_id: string }).subscription_id,
      customerId: row.customer_id as string,
      pricingModelId: row.pricing_model_id as string,
      billingPeriodId: row.billing_period_id,
      usageMeterId: row.usage_meter_id,
      aggregationType: row.aggregation_type,
      priceId: row.price_id,
    };
  }
  return inputs.map((input, i) => {
    const target = byCombo[comboOf[i] as number];
    if (target && needsProperties(target.aggregationType) && input.properties == null) return undefined;
    return target;
  });
}

type SubscriptionRead = { status: string; current: boolean; pricing_model_id: string };

/**
 * Throws the 4xx saying why `input` cannot be recorded: its subscription is not the merchant's (404) or not
 * current (400), its target is not found (404) or not usable in the subscription's pricing model (400), or
 * its meter counts distinct properties and it has none (400). Returns when it can be recorded after all
 * (something changed since the statement that refused it).
 */
export async function explainUnresolved(
  db: Executor,
  merchant: Merchant,
  input: UsageEventInput,
): Promise<void> {
  const [subscription] = await queryRows<SubscriptionRead>(
    db,
    usageSubscriptionSql(
      sql`${input.subscriptionId}`,
      sql`${merchant.organizationId}`,
      sql`${merchant.livemode}`,
    ),
  );
  if (!subscription) throw notFound("Subscription", input.subscriptionId);
  if (!subscription.current) {
    throw badRequest(
      `Subscription ${input.subscriptionId} is ${subscription.status}; usage is recorded only for a current ` +
        `subscription (${CURRENT_LIST})`,
      [{ path: ["subscriptionId"], message: `subscription is ${subscription.status}` }],
    );
  }
  const { kind, key } = targetOf(input);
  const target = await resolveUsageTarget(db, merchant, kind, key, subscription.pricing_model_id);
  if (needsProperties(target.aggregationType) && input.properties == null) {
    throw badRequest(
      `Usage meter ${target.usageMeterId} counts distinct properties: the event needs properties`,
      [{ path: ["properties"], message: "required by a count_distinct_properties meter" }],
    );
  }
}
