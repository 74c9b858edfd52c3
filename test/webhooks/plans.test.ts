import { and } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { countUpTo, tenantPageQuery } from "../../src/db/list.js";
import { webhookDeliveries } from "../../src/db/schema/index.js";
import { ownedBy } from "../../src/db/statement.js";
import { encodeCursor } from "../../src/lib/pagination.js";
import { CLAIM_SQL, claimParams } from "../../src/webhooks/claim-deliveries.js";
import { deliveryLogFilter } from "../../src/webhooks/list-deliveries.js";
import { createMigratedDatabase, createWebhook, seedBacklog, testContext } from "../support/index.js";

/**
 * The claim and the delivery log's page, planned by the real planner on a table whose statistics say
 * 2,000 rows while it holds 52,000 (rows written after ANALYZE, autovacuum off): what a table growing under
 * a failing receiver looks like between two analyzes. At 100k such a claim flipped to a bitmap scan and an
 * on-disk sort. Each plan must read webhook_deliveries through an index, sort none of it, and touch a
 * bounded number of its rows, however long the backlog.
 */
const database = await createMigratedDatabase("glade_webhook_plans");
const ctx = await testContext({}, { databaseUrl: database.url });
const raw = postgres(database.url, { max: 1, onnotice: () => {} });
afterAll(async () => {
  await raw.end({ timeout: 5 });
  await ctx.handle.close();
  await database.drop();
});

type PlanNode = {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Sort Key"?: string[];
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  Plans?: PlanNode[];
};

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/** EXPLAIN (ANALYZE, FORMAT JSON) in a transaction rolled back after, custom or generic plan. */
async function explain(text: string, args: unknown[], mode: "custom" | "generic"): Promise<PlanNode[]> {
  let nodes: PlanNode[] = [];
  await raw
    .begin(async (tx) => {
      await tx.unsafe(`set local plan_cache_mode = force_${mode}_plan`);
      // PREPARE outlives the transaction.
      await tx.unsafe("deallocate all");
      await tx.unsafe(`prepare probe as ${text}`);
      const values = args.map((a) => (a === null ? "null" : `'${String(a).replaceAll("'", "''")}'`));
      const [row] = await tx.unsafe(
        `explain (analyze, format json) execute probe${values.length ? `(${values.join(", ")})` : ""}`,
      );
      nodes = nodesOf((row!["QUERY PLAN"] as { Plan: PlanNode }[])[0]!.Plan);
      throw new Error("roll back");
    })
    .catch((err: unknown) => {
      if ((err as Error).message !== "roll back") throw err;
    });
  return nodes;
}

/** No sequential or bitmap scan of webhook_deliveries, no sort by its keys, and at most `maxRows` of it read. */
function expectIndexDriven(nodes: PlanNode[], maxRows: number) {
  const deliveries = nodes.filter((n) => n["Relation Name"] === "webhook_deliveries");
  const scans = deliveries.filter((n) => n["Node Type"].endsWith("Scan"));
  expect(scans.length).toBeGreaterThan(0);
  for (const node of scans) {
    // A bitmap of primary keys (the claimed rows, by id) is a lookup too; a bitmap of a range is not.
    const byKey =
      node["Node Type"] === "Bitmap Heap Scan" &&
      node.Plans?.[0]?.["Index Name"] === "webhook_deliveries_pkey";
    if (!byKey) expect(node["Node Type"]).toMatch(/^Index (Only )?Scan$/);
  }
  const sorts = nodes.filter((n) => n["Node Type"].includes("Sort"));
  for (const sort of sorts)
    expect((sort["Sort Key"] ?? []).join(",")).not.toMatch(/next_attempt_at|position/);
  const read = scans.reduce(
    (sum, n) =>
      sum + ((n["Actual Rows"] ?? 0) + (n["Rows Removed by Filter"] ?? 0)) * (n["Actual Loops"] ?? 1),
    0,
  );
  expect(read).toBeLessThanOrEqual(maxRows);
}

const dialect = (
  ctx.deps.db as unknown as { dialect: { sqlToQuery(q: unknown): { sql: string; params: unknown[] } } }
).dialect;

/** The statement's text and its values in order, as the worker sends them. */
function claimStatement(limit: number) {
  const built = dialect.sqlToQuery(CLAIM_SQL);
  const values = claimParams({
    at: new Date(),
    lockUntil: new Date(Date.now() + 60_000),
    limit,
    share: Math.floor(limit / 2),
  });
  return {
    text: built.sql,
    args: built.params.map((p) => {
      const value = values[(p as { name: string }).name];
      return value instanceof Date ? value.toISOString() : value;
    }),
  };
}

const m = await ctx.merchant();
const busy = await createWebhook(ctx, m.testKey, { url: "http://127.0.0.1:9/busy" });
const quiet = await createWebhook(ctx, m.testKey, { url: "http://127.0.0.1:9/quiet" });
const tenant = { organizationId: m.organizationId, livemode: false };
const past = new Date(Date.now() - 3_600_000);
await seedBacklog(ctx.deps.db, { ...tenant, endpointId: busy.id, count: 2_000, tag: "early", dueBy: past });
await seedBacklog(ctx.deps.db, { ...tenant, endpointId: quiet.id, count: 3, tag: "quiet", dueBy: past });
await raw.unsafe("alter table webhook_deliveries set (autovacuum_enabled = false)");
await raw.unsafe("alter table events set (autovacuum_enabled = false)");
await raw.unsafe("analyze webhook_deliveries; analyze events");
const analyzed = await Promise.all(
  ["custom", "generic"].map(async (mode) => {
    const claim = claimStatement(32);
    return explain(claim.text, claim.args, mode as "custom");
  }),
);
// Now the statistics go stale: 50,000 more, due and delivered, written after the analyze.
await seedBacklog(ctx.deps.db, { ...tenant, endpointId: busy.id, count: 25_000, tag: "late", dueBy: past });
await seedBacklog(ctx.deps.db, {
  ...tenant,
  endpointId: busy.id,
  count: 25_000,
  tag: "done",
  status: "delivered",
});

describe("claim plan", () => {
  it("reads webhook_deliveries by index, bounded, with fresh statistics", () => {
    for (const nodes of analyzed) expectIndexDriven(nodes, 200);
  });

  it.each(["custom", "generic"] as const)(
    "stays on the index with stale statistics (%s plan)",
    async (mode) => {
      const claim = claimStatement(32);
      expectIndexDriven(await explain(claim.text, claim.args, mode), 200);
    },
  );
});

describe("delivery log page", () => {
  const statements = (cursor?: string) => {
    const filter = deliveryLogFilter(busy.id, {});
    const page = tenantPageQuery(
      ctx.deps.db,
      webhookDeliveries,
      tenant,
      { limit: 10, cursor },
      filter,
    ).toSQL();
    const count = countUpTo(
      ctx.deps.db,
      webhookDeliveries,
      and(ownedBy(webhookDeliveries, tenant), filter),
      1_000,
    );
    return [page, count.toSQL()];
  };

  it.each(["custom", "generic"] as const)(
    "the page and its total use the (endpoint_id, position) index, bounded (%s plan)",
    async (mode) => {
      const middle = encodeCursor(30_000);
      for (const cursor of [undefined, middle]) {
        const [page, count] = statements(cursor);
        expectIndexDriven(await explain(page!.sql, page!.params, mode), 11);
        expectIndexDriven(await explain(count!.sql, count!.params, mode), 1_001);
      }
    },
  );

  it("pages newest first, disjoint and complete; hasMore is exact and total stops at 1,001", async () => {
    const log = await createWebhook(ctx, m.testKey, { url: "http://127.0.0.1:9/log" });
    await seedBacklog(ctx.deps.db, {
      ...tenant,
      endpointId: log.id,
      count: 27,
      tag: "log",
      status: "delivered",
    });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const query = `limit=9${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await ctx.api("GET", `/api/v1/webhooks/${log.id}/deliveries?${query}`, { key: m.testKey });
      expect(res.status).toBe(200);
      pages++;
      seen.push(...res.body.data.map((d: { eventId: string }) => d.eventId));
      expect(res.body.total).toBe(27);
      // 27 = 3 × 9: the third page is full and still the last one.
      expect(res.body.hasMore).toBe(pages < 3);
      if (!res.body.hasMore) break;
      cursor = res.body.nextCursor;
    }
    const expected = Array.from({ length: 27 }, (_, i) => `evt_log_${String(27 - i).padStart(8, "0")}`);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(27);
    const big = await ctx.api("GET", `/api/v1/webhooks/${busy.id}/deliveries?limit=2`, { key: m.testKey });
    expect(big.body.total).toBe(1_001);
    expect(big.body.data.map((d: { eventId: string }) => d.eventId)).toEqual([
      "evt_done_00025000",
      "evt_done_00024999",
    ]);
  });
});
