import { sql } from "drizzle-orm";
import { type UsageTargetKind, usageTargetSql } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { param, rawStatement } from "../db/statement.js";
import { AppError } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { usageSubscriptionSql } from "../subscriptions/index.js";
import { findUsageEventsByTransaction } from "./queries-events.js";
import { explainUnresolved, targetOf } from "./resolve-target.js";
import type { UsageEventInput } from "./schemas-events.js";
import type { UsageEventData } from "./serialize-event.js";
import { oneEventTotalsSql } from "./usage-totals.js";

/** The columns the statement decides: read from the subscription and the target it names. */
type Decided = {
  pricing_model_id: string;
  customer_id: string;
  usage_meter_id: string;
  price_id: string | null;
  billing_period_id: string | null;
};

/**
 * ONE statement per event, built once per kind of target: the subscription (the merchant's, current) with
 * its current billing period, the target in its pricing model, the event (nothing when its transactionId is
 * already recorded: the unique index decides, also between concurrent requests), and its count in the
 * period's totals. Yields nothing when the event was not inserted, whether refused or a repeat.
 */
function ingestSql(kind: UsageTargetKind) {
  return sql`with sub as (${usageSubscriptionSql(param("subscriptionId"))}),
    target as (
      select t.* from sub cross join lateral (${usageTargetSql(kind, param("target"), sql`sub.pricing_model_id`)}) t
    ), ins as (
      insert into usage_events (id, organization_id, livemode, created_at, updated_at, pricing_model_id,
        customer_id, subscription_id, usage_meter_id, price_id, billing_period_id, amount, usage_date,
        transaction_id, properties)
      select ${param("id")}::text, ${param("organizationId")}::text, ${param("livemode")}::boolean,
        ${param("now")}::timestamptz, ${param("now")}::timestamptz, sub.pricing_model_id, sub.customer_id, sub.id,
        target.usage_meter_id, target.price_id, sub.billing_period_id, ${param("amount")}::bigint,
        ${param("usageDate")}::timestamptz, ${param("transactionId")}::text, ${param("properties")}::jsonb
      from sub, target
      where sub.current
        and (target.aggregation_type <> 'count_distinct_properties' or ${param("properties")}::jsonb is not null)
      on conflict (organization_id, livemode, transaction_id) do nothing
      returning pricing_model_id, customer_id, subscription_id, usage_meter_id, price_id, billing_period_id,
        amount, properties
    ), ${oneEventTotalsSql()}
    select pricing_model_id, customer_id, usage_meter_id, price_id, billing_period_id from ins`;
}

const ingestStatements: Record<UsageTargetKind, ReturnType<typeof rawStatement<Decided>>> = {
  priceId: rawStatement("ingest_usage_event_by_price_id", ingestSql("priceId")),
  priceSlug: rawStatement("ingest_usage_event_by_price_slug", ingestSql("priceSlug")),
  usageMeterId: rawStatement("ingest_usage_event_by_meter_id", ingestSql("usageMeterId")),
  usageMeterSlug: rawStatement("ingest_usage_event_by_meter_slug", ingestSql("usageMeterSlug")),
};

/** How many times a refused event is explained and tried again before the caller is told to retry. */
const ATTEMPTS = 2;

/**
 * Records one usage event, or returns the event first recorded under its transactionId (counted once, also
 * when the same id arrives concurrently). On the way in: one statement. When it inserts nothing, the
 * event is a repeat (read back) or refused: the 4xx says why.
 */
export async function ingestUsageEvent(
  db: Executor,
  merchant: Merchant,
  input: UsageEventInput,
  now: Date,
): Promise<UsageEventData> {
  const { kind, key } = targetOf(input);
  const id = newId("usageEvent");
  const usageDate = input.usageDate === undefined ? now : new Date(input.usageDate);
  const properties = input.properties ?? null;
  const values = {
    id,
    organizationId: merchant.organizationId,
    livemode: merchant.livemode,
    now: now.toISOString(),
    subscriptionId: input.subscriptionId,
    target: key,
    amount: input.amount,
    usageDate: usageDate.toISOString(),
    transactionId: input.transactionId,
    properties: properties === null ? null : JSON.stringify(properties),
  };
  for (let attempt = 1; ; attempt++) {
    const [decided] = await ingestStatements[kind](db, values);
    if (decided) {
      return {
        id,
        organizationId: merchant.organizationId,
        livemode: merchant.livemode,
        createdAt: now,
        updatedAt: now,
        pricingModelId: decided.pricing_model_id,
        customerId: decided.customer_id,
        subscriptionId: input.subscriptionId,
        usageMeterId: decided.usage_meter_id,
        priceId: decided.price_id,
        billingPeriodId: decided.billing_period_id,
        amount: input.amount,
        usageDate,
        transactionId: input.transactionId,
        properties,
      };
    }
    // A repeat: the statement waited for a concurrent first one to commit, but its snapshot cannot see it.
    const [first] = await findUsageEventsByTransaction(db, merchant, [input.transactionId]);
    if (first) return first;
    await explainUnresolved(db, merchant, input);
    if (attempt >= ATTEMPTS) {
      throw new AppError(
        "CONFLICT",
        "The subscription or its catalog changed while the event was recorded; retry",
        {
          retryable: true,
        },
      );
    }
  }
}
