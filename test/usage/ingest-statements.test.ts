import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { builtStatements } from "../../src/db/statement.js";
import { currentPeriodUsage } from "../../src/usage/index.js";
import {
  createMigratedDatabase,
  genericPlan,
  newTransactionId,
  ok,
  postUsageEvent,
  postUsageEvents,
  testContext,
  usageFixture,
} from "../support/index.js";

/** What the ingest paths send to Postgres: how many statements, and how the built ones are planned. */
let recording: string[] | undefined;
const ctx = await testContext({}, { onStatement: (sql) => recording?.push(sql) });
const f = await usageFixture(ctx);

async function statementsOf<T>(work: () => Promise<T>): Promise<{ result: T; sent: string[] }> {
  const sent: string[] = [];
  recording = sent;
  try {
    return { result: await work(), sent };
  } finally {
    recording = undefined;
  }
}

const event = (fields: Record<string, unknown> = {}) => ({
  amount: 2,
  subscriptionId: f.subscriptionId,
  transactionId: newTransactionId(),
  usageMeterId: f.sum.id,
  ...fields,
});

const INGEST = /^with sub as \(select "subscriptions"\."id"/;
const RESOLVE = /^with i as \(\s*select \* from json_to_recordset/;
const BATCH = /^with input as \(/;

describe("statements per request", () => {
  it("records one event in ONE statement, by each kind of target", async () => {
    // The API key's lookup is cached after the first request.
    await ok(postUsageEvent(ctx, f.key, event()));
    for (const target of [
      { usageMeterId: f.sum.id },
      { usageMeterId: undefined, usageMeterSlug: f.sum.slug },
      { usageMeterId: undefined, priceId: f.sum.priceId },
      { usageMeterId: undefined, priceSlug: f.sum.priceSlug },
      { usageMeterId: f.distinct.id, properties: { user: "ada" } },
    ]) {
      const { result, sent } = await statementsOf(() => postUsageEvent(ctx, f.key, event(target)));
      expect(result.status).toBe(200);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatch(INGEST);
    }
  });

  it("a repeated transactionId: the statement, then the read of the first event", async () => {
    const body = event();
    await ok(postUsageEvent(ctx, f.key, body));
    const { result, sent } = await statementsOf(() => postUsageEvent(ctx, f.key, body));
    expect(result.status).toBe(200);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(INGEST);
    expect(sent[1]).toMatch(/^select .* from "usage_events"/);
  });

  it("records a batch of 100 in two statements: one read resolving it, one write", async () => {
    const batch = Array.from({ length: 100 }, (_, i) =>
      event(i % 2 ? {} : { usageMeterId: f.distinct.id, properties: { n: i % 10 } }),
    );
    // The API key's cached lookup lasts 5 s, which a loaded machine can spend between two tests: renew it first.
    await ok(postUsageEvent(ctx, f.key, event()));
    const { result, sent } = await statementsOf(() => postUsageEvents(ctx, f.key, batch));
    expect(result.status).toBe(200);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(RESOLVE);
    expect(sent[1]).toMatch(BATCH);
  });
});

const database = await createMigratedDatabase("glade_usage_plans");
const fresh = postgres(database.url, { max: 1, onnotice: () => {} });
afterAll(async () => {
  await fresh.end({ timeout: 5 });
  await database.drop();
});

/** The generic plan a fresh install gives a built statement. */
const planOf = (text: string) => genericPlan(fresh, text);

describe("the ingest's built statements on a fresh database", () => {
  it("find every row by its key: no walk of a merchant's rows, no scan of a table", async () => {
    await ok(postUsageEvents(ctx, f.key, [event({ priceSlug: f.sum.priceSlug, usageMeterId: undefined })]));
    const usage = await currentPeriodUsage(ctx.deps.db, f.merchant, [
      { subscriptionId: f.subscriptionId, billingPeriodId: f.billingPeriodId },
    ]);
    expect(usage.get(f.subscriptionId)?.get(f.sum.id)).toBeGreaterThan(0);
    const names = [
      "ingest_usage_event_batch",
      "ingest_usage_event_by_meter_id",
      "ingest_usage_event_by_meter_slug",
      "ingest_usage_event_by_price_id",
      "ingest_usage_event_by_price_slug",
      "usage_current_period_totals",
      "usage_resolve_events",
    ];
    // Every statement the ingest builds is among them.
    const built = [...builtStatements().keys()];
    expect(built.filter((n) => /^ingest_usage|^usage_resolve|^usage_current_period/.test(n)).sort()).toEqual(
      names,
    );
    const offenders: string[] = [];
    for (const name of names) {
      const plan = await planOf(builtStatements().get(name) as string);
      const scans = plan.match(/Seq Scan on (?!json)\w+|_organization_id_livemode_position_index/g) ?? [];
      if (scans.length > 0) offenders.push(`${name}: ${scans.join(", ")}\n${plan}`);
    }
    expect(offenders).toEqual([]);
  });
});
