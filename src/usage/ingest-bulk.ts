import { sql } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { param, rawStatement } from "../db/statement.js";
import { AppError, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { findUsageEventsByTransaction } from "./queries-events.js";
import {
  explainUnresolved,
  needsProperties,
  type ResolvedEvent,
  resolveUsageEvents,
} from "./resolve-target.js";
import type { UsageEventInput } from "./schemas-events.js";
import type { UsageEventData } from "./serialize-event.js";
import { batchTotalsSql } from "./usage-totals.js";

/**
 * Every event of a batch in ONE statement: what the events count toward (one JSON parameter, each distinct
 * resolved target once), the events (another, each naming its target by index `t`), inserted in
 * transaction-id order (so two batches sharing ids wait for each other in the same order, never in a
 * cycle), a repeated transactionId skipped by the unique index, and the inserted rows counted in the totals
 * grouped by key.
 */
const insertBatch = rawStatement<{ id: string }>(
  "ingest_usage_event_batch",
  sql`with input as (
      select r.id, r.amount, coalesce(r.usage_date, ${param("now")}::timestamptz) as usage_date, r.transaction_id,
        r.properties, r.ord, t.subscription_id, t.customer_id, t.pricing_model_id, t.usage_meter_id, t.price_id,
        t.billing_period_id, t.counts_distinct
      from rows from (json_to_recordset(${param("rows")}::json) as (id text, t int, amount bigint,
          usage_date timestamptz, transaction_id text, properties jsonb))
        with ordinality as r(id, t, amount, usage_date, transaction_id, properties, ord)
      join json_to_recordset(${param("targets")}::json) as t(t int, subscription_id text, customer_id text,
          pricing_model_id text, usage_meter_id text, price_id text, billing_period_id text,
          counts_distinct boolean)
        on t.t = r.t
    ), ins as (
      insert into usage_events (id, organization_id, livemode, created_at, updated_at, pricing_model_id,
        customer_id, subscription_id, usage_meter_id, price_id, billing_period_id, amount, usage_date,
        transaction_id, properties)
      select input.id, ${param("organizationId")}::text, ${param("livemode")}::boolean,
        ${param("now")}::timestamptz, ${param("now")}::timestamptz, input.pricing_model_id, input.customer_id,
        input.subscription_id, input.usage_meter_id, input.price_id, input.billing_period_id, input.amount,
        input.usage_date, input.transaction_id, input.properties
      from input order by input.transaction_id
      on conflict (organization_id, livemode, transaction_id) do nothing
      returning id, subscription_id, billing_period_id, usage_meter_id, price_id, amount, properties
    ), ${batchTotalsSql()}
    select id from ins`,
);

/** A refusal of one event of the batch, named by its index. */
function atIndex(index: number, err: AppError): AppError {
  return new AppError(err.code, `usageEvents[${index}]: ${err.message}`, {
    issues: (err.issues ?? [{ path: [], message: err.message }]).map((issue) => ({
      path: ["usageEvents", index, ...issue.path],
      message: issue.message,
    })),
  });
}

const ATTEMPTS = 2;

/**
 * What each input counts toward, or the first refusal: inputs that do not resolve are fine only when their
 * transactionId is already recorded (a retry returns the first event); otherwise the batch is refused,
 * naming the first such input, and nothing is written.
 */
async function resolveAll(
  db: Executor,
  merchant: Merchant,
  inputs: UsageEventInput[],
): Promise<{ resolved: (ResolvedEvent | undefined)[]; recorded: Map<string, UsageEventData> }> {
  for (let attempt = 1; ; attempt++) {
    const resolved = await resolveUsageEvents(db, merchant, inputs);
    const refused = inputs.filter((_, i) => resolved[i] === undefined);
    if (refused.length === 0) return { resolved, recorded: new Map() };
    const existing = await findUsageEventsByTransaction(
      db,
      merchant,
      refused.map((input) => input.transactionId),
    );
    const recorded = new Map(existing.map((row) => [row.transactionId, row as UsageEventData]));
    const index = inputs.findIndex((input, i) => !resolved[i] && !recorded.has(input.transactionId));
    if (index < 0) return { resolved, recorded };
    try {
      await explainUnresolved(db, merchant, inputs[index] as UsageEventInput);
    } catch (err) {
      throw err instanceof AppError ? atIndex(index, err) : err;
    }
    if (attempt >= ATTEMPTS) {
      throw new AppError(
        "CONFLICT",
        "Subscriptions or their catalog changed while the events were recorded; retry",
        {
          retryable: true,
        },
      );
    }
  }
}

/**
 * Records a batch of usage events all or nothing (an event that cannot be recorded refuses the batch,
 * named by its index, before anything is written), in input order of the answer. A transactionId seen
 * before, or earlier in the same batch, is counted once and answered with the first event.
 */
export async function ingestUsageEvents(
  db: Executor,
  merchant: Merchant,
  inputs: UsageEventInput[],
  now: Date,
): Promise<UsageEventData[]> {
  const { resolved, recorded } = await resolveAll(db, merchant, inputs);
  const firstOf = new Map<string, number>();
  const planned: (UsageEventData | undefined)[] = [];
  // Each distinct target once (inputs of one subscription and meter share it), the events by its index.
  const targetIndex = new Map<ResolvedEvent, number>();
  const targets: Record<string, unknown>[] = [];
  const rows: Record<string, unknown>[] = [];
  inputs.forEach((input, i) => {
    const target = resolved[i];
    if (!target || firstOf.has(input.transactionId)) return;
    firstOf.set(input.transactionId, i);
    let t = targetIndex.get(target);
    if (t === undefined) {
      t = targets.length;
      targetIndex.set(target, t);
      targets.push({
        t,
        subscription_id: target.subscriptionId,
        customer_id: target.customerId,
        pricing_model_id: target.pricingModelId,
        usage_meter_id: target.usageMeterId,
        price_id: target.priceId,
        billing_period_id: target.billingPeriodId,
        counts_distinct: needsProperties(target.aggregationType),
      });
    }
    const id = newId("usageEvent");
    planned[i] = {
      id,
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      createdAt: now,
      updatedAt: now,
      pricingModelId: target.pricingModelId,
      customerId: target.customerId,
      subscriptionId: target.subscriptionId,
      usageMeterId: target.usageMeterId,
      priceId: target.priceId,
      billingPeriodId: target.billingPeriodId,
      amount: input.amount,
      usageDate: input.usageDate === undefined ? now : new Date(input.usageDate),
      transactionId: input.transactionId,
      properties: input.properties ?? null,
    };
    // Left out, a usage date is the statement's `now` and properties are null.
    rows.push({
      id,
      t,
      amount: input.amount,
      usage_date: input.usageDate === undefined ? undefined : new Date(input.usageDate).toISOString(),
      transaction_id: input.transactionId,
      properties: input.properties ?? undefined,
    });
  });
  const inserted = new Set<string>();
  if (rows.length > 0) {
    const written = await insertBatch(db, {
      rows: JSON.stringify(rows),
      targets: JSON.stringify(targets),
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      now: now.toISOString(),
    });
    for (const { id } of written) inserted.add(id);
  }
  // Ids recorded before this batch, or by a concurrent request while it ran, answer with the first event.
  const repeats = inputs
    .map((input) => input.transactionId)
    .filter((txn) => {
      const i = firstOf.get(txn);
      const row = i === undefined ? undefined : planned[i];
      return !recorded.has(txn) && !(row && inserted.has(row.id));
    });
  if (repeats.length > 0) {
    for (const row of await findUsageEventsByTransaction(db, merchant, [...new Set(repeats)])) {
      recorded.set(row.transactionId, row);
    }
  }
  return inputs.map((input) => {
    const i = firstOf.get(input.transactionId);
    const row = i === undefined ? undefined : planned[i];
    const answer = row && inserted.has(row.id) ? row : recorded.get(input.transactionId);
    // Events are never deleted: an id the insert skipped was recorded by someone, and is there to read.
    if (!answer) panic(`usage event ${input.transactionId} was neither inserted nor found`);
    return answer;
  });
}
