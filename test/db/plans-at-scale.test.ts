import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcilePendingSessions, sweepExpiredSessions } from "../../src/checkout/index.js";
import { deleteExpiredPortalAccess } from "../../src/portal/index.js";
import {
  applyScheduledAdjustments,
  renewDueSubscriptions,
  runScheduledCancellations,
} from "../../src/subscriptions/index.js";
import { genericPlan, ownDatabase, type TestContext, testContext } from "../support/index.js";

/**
 * The background jobs run every 30–60 s over every merchant's rows, so each must read only what is due: an
 * index that holds the due rows (or the rows that can become due), never a scan of the whole table. Each
 * job's statements are captured as the server sends them, then planned on a table of 20,000 rows of which a
 * handful are due, the way a long-lived connection plans them (generic plan, no parameter values).
 */
const ROWS = 20_000;
const statements: string[] = [];
let ctx: TestContext;
let admin: postgres.Sql;

beforeAll(async () => {
  const url = await ownDatabase();
  ctx = await testContext({}, { databaseUrl: url, onStatement: (text) => statements.push(text) });
  admin = postgres(url, { max: 1, onnotice: () => {} });
  // Nothing due: finished sessions, and subscriptions canceled, or running with periods ending next year.
  await admin`
    insert into checkout_sessions (id, organization_id, livemode, pricing_model_id, type, status, expires_at)
    select 'chckt_session_plan' || g, 'org_plans', false, 'pm_plans', 'product',
      case when g % 2 = 0 then 'succeeded' else 'expired' end, now() - interval '1 day'
    from generate_series(1, ${ROWS}::int) as g`;
  await admin`
    insert into subscriptions (id, organization_id, livemode, pricing_model_id, customer_id, price_id, status,
      start_date, current_billing_period_end, cancel_scheduled_at)
    select 'sub_plan' || g, 'org_plans', false, 'pm_plans', 'cus_plans', 'price_plans',
      case when g % 2 = 0 then 'canceled' else 'active' end, now(), now() + interval '1 year', null
    from generate_series(1, ${ROWS}::int) as g`;
  // Portal links and sessions that are still good.
  await admin`
    insert into billing_portal_links (id, organization_id, livemode, customer_id, token_hash, expires_at)
    select 'bpl_plan' || g, 'org_plans', false, 'cus_plans', 'hash' || g, now() + interval '1 hour'
    from generate_series(1, ${ROWS}::int) as g`;
  await admin`
    insert into billing_portal_sessions (id, organization_id, livemode, customer_id, token_hash, csrf_token,
      expires_at)
    select 'bps_plan' || g, 'org_plans', false, 'cus_plans', 'hash' || g, 'csrf', now() + interval '1 hour'
    from generate_series(1, ${ROWS}::int) as g`;
  for (const table of [
    "checkout_sessions",
    "subscriptions",
    "billing_portal_links",
    "billing_portal_sessions",
  ]) {
    await admin.unsafe(`analyze ${table}`);
  }
});
afterAll(async () => {
  await admin?.end({ timeout: 5 });
});

const planAt = (text: string) => genericPlan(admin, text);

/** The statements one run of `job` sent that read `table`, planned. */
async function plansOf(job: () => Promise<unknown>, table: string): Promise<string[]> {
  statements.length = 0;
  await job();
  const reads = statements.filter((text) => /^\s*select/i.test(text) && text.includes(`from "${table}"`));
  expect(reads.length, `a statement of the job reading ${table}`).toBeGreaterThan(0);
  return Promise.all(reads.map(planAt));
}

describe("the background jobs on a large table", () => {
  it.each([
    ["the checkout expiry sweep", () => sweepExpiredSessions(ctx.deps), "checkout_sessions", "in_play"],
    [
      "the reconciler",
      () => reconcilePendingSessions(ctx.deps, { staleMs: 0 }),
      "checkout_sessions",
      "in_play",
    ],
    ["renewals", () => renewDueSubscriptions(ctx.deps), "subscriptions", "subscriptions_renewal_due"],
    [
      "scheduled cancellations",
      () => runScheduledCancellations(ctx.deps),
      "subscriptions",
      "subscriptions_cancellation_due",
    ],
    [
      "scheduled adjustments",
      () => applyScheduledAdjustments(ctx.deps),
      "subscriptions",
      "subscriptions_items_change_due",
    ],
  ] as const)("%s reads its due index, not the table", async (_, job, table, index) => {
    for (const plan of await plansOf(job, table)) {
      expect(plan).toContain(index);
      expect(plan).not.toMatch(new RegExp(`Seq Scan on ${table}`));
    }
  });

  it("the portal sweep deletes by its expiry and sign-out indexes", async () => {
    statements.length = 0;
    await deleteExpiredPortalAccess(ctx.deps.db, new Date());
    const deletes = statements.filter((text) => /^\s*delete/i.test(text));
    expect(deletes).toHaveLength(2);
    for (const text of deletes) {
      const plan = await planAt(text);
      expect(plan).not.toMatch(/Seq Scan/);
    }
  });
});

describe("a list on a database where one merchant is large", () => {
  it("pages and counts through the tenant's index in a plan that holds for a small merchant too", async () => {
    const large = await ctx.merchant();
    const small = await ctx.merchant();
    for (const [m, n] of [
      [large, ROWS],
      [small, 3],
    ] as const) {
      await admin`
        insert into events (id, organization_id, livemode, type, object_type, object_id, payload)
        select 'evt_plan' || ${m.organizationId} || g, ${m.organizationId}, false, 'customer.created',
          'customer', 'cus_' || g, '{}'::jsonb
        from generate_series(1, ${n}::int) as g`;
    }
    await admin`analyze events`;
    statements.length = 0;
    const res = await ctx.api("GET", "/api/v1/events?limit=10", { key: small.testKey });
    expect(res.body).toMatchObject({ total: 3, hasMore: false });
    const reads = statements.filter((text) => /^\s*select/i.test(text) && text.includes('from "events"'));
    expect(reads).toHaveLength(2);
    for (const text of reads) {
      const plan = await planAt(text);
      expect(plan).toMatch(/Limit/);
      expect(plan).toMatch(
        /Index (Only )?Scan (Backward )?using events_organization_id_livemode_position_index/,
      );
      expect(plan).not.toMatch(/Seq Scan|Sort|Gather/);
    }
  });
});
