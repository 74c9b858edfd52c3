/**
 * Usage balance read benchmark: `npx tsx bench/usage-balance.ts [--events 1000000] [--requests 2000]`
 *
 * Creates its own database on the local Postgres (GLADE_TEST_ADMIN_URL, as the tests do) and starts Glade as
 * `glade start` does. Through the API: a meter with a usage price, and credit features on the demo product (10,000
 * calls a period and 5,000 once); through the domains: one customer on the monthly plan and a top-up purchase of
 * the same product. The usage is seeded in bulk, bypassing the API: `--events` events in the subscription's
 * current period, written by one INSERT … SELECT generate_series, and the running totals row its ingest
 * statement would have kept. Then `GET /customers/{externalId}/usage-balances` is timed one request after another (keep-alive, after a warm-up), with and without `?subscriptionId=`, in
 * rounds interleaved with a one-statement reference (`GET /customers/{externalId}`) that shows the machine's noise. Last,
 * every statement of one balance read is run again under EXPLAIN (ANALYZE, BUFFERS): none may read usage_events.
 * Drops its database and exits on its own; a watchdog bounds the whole run.
 */
import { performance } from "node:perf_hooks";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { seedDemoCatalog } from "../src/catalog/index.js";
import { createCustomer } from "../src/customers/index.js";
import type { Executor } from "../src/db/client.js";
import * as schema from "../src/db/schema/index.js";
import { createPurchase } from "../src/purchases/index.js";
import { createSubscription } from "../src/subscriptions/index.js";
import { getUsageBalances } from "../src/usage/index.js";
import { killAllChildren, startGlade } from "./lib/child.js";
import { type BenchDatabase, createBenchDatabase } from "./lib/database.js";
import { adminUrl, scriptArg } from "./lib/options.js";

const ADMIN_URL = adminUrl();
const EVENTS = scriptArg("--events", 1_000_000);
const REQUESTS = scriptArg("--requests", 2000);
const WARMUP = 200;
const ROUNDS = scriptArg("--rounds", 3);
const WATCHDOG_MS = 600_000;
const EXTERNAL_ID = "bench-usage-customer";

const log = (line: string) => process.stdout.write(`${line}\n`);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;

type Seeded = { subscriptionId: string; periodId: string; meterId: string; expected: number };

/** POST to the running Glade as the merchant would; the id of the object the answer wraps under `name`. */
async function post(url: string, secret: string, path: string, name: string, body: unknown): Promise<string> {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { authorization: secret, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, { id?: string } | undefined>;
  const id = json[name]?.id;
  if (res.status !== 200 || !id)
    throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return id;
}

/**
 * The meter, its usage price and the credit features through the API; the customer, its subscription and a
 * top-up purchase through the domains (no card needed); the events in bulk.
 */
async function seedWorld(db: BenchDatabase, glade: { url: string }): Promise<Seeded> {
  const { deps, merchant, sql } = db;
  const now = new Date();
  const catalog = await seedDemoCatalog(deps.db, merchant, now);
  const pricingModelId = catalog.pricingModel.id;
  const api = (path: string, name: string, body: unknown) => post(glade.url, db.secret, path, name, body);
  const meterId = await api("/api/v1/usage-meters", "usageMeter", {
    usageMeter: { name: "API calls", slug: "api-calls", pricingModelId },
    price: { unitPrice: 1, usageEventsPerUnit: 100 },
  });
  const [usagePrice] = await sql<{ id: string }[]>`select id from prices where usage_meter_id = ${meterId}`;
  if (!usagePrice) throw new Error("the meter was created without its price");
  const priceId = usagePrice.id;
  for (const [amount, renewalFrequency] of [
    [10_000, "every_billing_period"],
    [5_000, "once"],
  ] as const) {
    const featureId = await api("/api/v1/features", "feature", {
      feature: {
        type: "usage_credit_grant",
        name: `${amount} calls`,
        slug: `calls-${amount}-${renewalFrequency}`,
        pricingModelId,
        amount,
        renewalFrequency,
        usageMeterId: meterId,
      },
    });
    await api("/api/v1/product-features", "productFeature", {
      productFeature: { productId: catalog.product.id, featureId },
    });
  }

  // After the attachments were made (at the server's clock): the top-up is bought with its credit features on.
  const later = new Date(Date.now() + 1000);
  const { customer, subscription, period } = await deps.db.transaction(async (tx) => {
    const customer = await createCustomer(
      tx,
      merchant,
      { externalId: EXTERNAL_ID, email: "usage@bench.example", name: "Usage Bench" },
      later,
    );
    const created = await createSubscription(
      tx,
      merchant,
      {
        customerId: customer.id,
        price: catalog.monthlyPrice,
        quantity: 1,
        startDate: later,
        status: "active",
        trialEnd: null,
        defaultPaymentMethodId: null,
      },
      later,
    );
    // A top-up bought with the one-time price, whose product also carries the credits.
    await createPurchase(
      tx,
      merchant,
      {
        customerId: customer.id,
        pricingModelId,
        price: catalog.oneTimePrice,
        name: "Glade Pro",
        quantity: 1,
        status: "paid",
      },
      later,
    );
    return { customer, subscription: created.subscription, period: created.billingPeriod };
  });
  if (!period) throw new Error("the bench subscription has no billing period");

  const started = performance.now();
  await sql`
    insert into usage_events (id, organization_id, livemode, pricing_model_id, customer_id, subscription_id,
      usage_meter_id, price_id, billing_period_id, amount, usage_date, transaction_id, created_at, updated_at)
    select 'usage_event_bench_' || g, ${merchant.organizationId}, false, ${pricingModelId}, ${customer.id},
      ${subscription.id}, ${meterId}, ${priceId}, ${period.id}, 1 + g % 5, ${later}, 'bench-' || g, ${later}, ${later}
    from generate_series(1, ${EVENTS}::int) as g`;
  const [totals] = await sql<{ total: string; events: string }[]>`
    insert into usage_period_totals (organization_id, livemode, subscription_id, billing_period_id,
      usage_meter_id, price_id, total, billed_total, event_count)
    select organization_id, livemode, subscription_id, billing_period_id, usage_meter_id, price_id,
      sum(amount), 0, count(*)
    from usage_events where subscription_id = ${subscription.id}
    group by organization_id, livemode, subscription_id, billing_period_id, usage_meter_id, price_id
    returning total::text, event_count::text as events`;
  // Settled before anything is timed: autovacuum's pass over the new rows and their dirty pages are done.
  await sql`vacuum analyze`;
  await sql`checkpoint`;
  log(
    `seeded ${Number(totals?.events).toLocaleString("en-US")} events (total ${totals?.total}) in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s, bypassing the API (INSERT … SELECT generate_series)`,
  );
  // 10,000 this period + 5,000 once, and the top-up: both of the product's credit features, bought once (15,000).
  return {
    subscriptionId: subscription.id,
    periodId: period.id,
    meterId,
    expected: 30_000 - Number(totals?.total),
  };
}

type Timing = { p50: number; p99: number; max: number };

/** `REQUESTS` GETs of `path` one after another on a keep-alive connection, after `WARMUP` untimed ones. */
async function timeGets(url: string, secret: string, path: string): Promise<Timing> {
  const get = async () => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: secret } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${text}`);
  };
  for (let i = 0; i < WARMUP; i++) await get();
  const latencies: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const start = performance.now();
    await get();
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? 0 };
}

async function checkBalance(url: string, secret: string, expected: number): Promise<number> {
  const res = await fetch(`${url}/api/v1/customers/${EXTERNAL_ID}/usage-balances`, {
    headers: { authorization: secret },
  });
  const body = (await res.json()) as { usageMeterBalances: { slug: string; availableBalance: number }[] };
  const balance = body.usageMeterBalances.find((b) => b.slug === "api-calls")?.availableBalance;
  if (balance !== expected)
    throw new Error(`balance is ${balance}, expected ${expected}: ${JSON.stringify(body)}`);
  return balance;
}

const timingLine = (name: string, t: Timing) =>
  `${name}: p50 ${t.p50.toFixed(2)} ms p99 ${t.p99.toFixed(2)} ms max ${t.max.toFixed(2)} ms ` +
  `over ${REQUESTS} sequential requests`;

/** Every statement one balance read sends, each run again under EXPLAIN (ANALYZE, BUFFERS) with its parameters. */
async function explainRead(db: BenchDatabase): Promise<{ plans: string[]; readsEvents: boolean }> {
  const sent: { query: string; params: unknown[] }[] = [];
  let tracing = true;
  const client = postgres(db.url, {
    max: 1,
    onnotice: () => {},
    debug: (_connection, query, params) => {
      if (tracing && !query.includes("pg_catalog")) sent.push({ query, params: params as unknown[] });
    },
  });
  const traced = drizzle(client, { schema, casing: "snake_case" }) as unknown as Executor;
  await getUsageBalances(traced, db.merchant, EXTERNAL_ID, undefined, new Date());
  tracing = false;
  const plans: string[] = [];
  for (const { query, params } of sent) {
    const rows = await client.unsafe(`explain (analyze, buffers) ${query}`, params as never[]);
    plans.push(`${query}\n${rows.map((r) => `  ${r["QUERY PLAN"]}`).join("\n")}`);
  }
  await client.end({ timeout: 5 });
  // The plans name every relation they read ("usage_events_per_unit", a price column, is not one).
  return { plans, readsEvents: plans.some((p) => /\busage_events\b(?!_)/.test(p)) };
}

async function main() {
  const watchdog = setTimeout(() => {
    process.stderr.write("usage balance bench did not finish in time\n");
    killAllChildren();
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();
  const db = await createBenchDatabase(ADMIN_URL);
  try {
    const glade = await startGlade(db.url);
    try {
      const seeded = await seedWorld(db, glade);
      const balance = await checkBalance(glade.url, db.secret, seeded.expected);
      log(`balance ${balance} (credits available now less the period's usage)`);
      const balances = `/api/v1/customers/${EXTERNAL_ID}/usage-balances`;
      const paths = {
        all: balances,
        one: `${balances}?subscriptionId=${seeded.subscriptionId}`,
        customer: `/api/v1/customers/${EXTERNAL_ID}`,
      };
      // Interleaved rounds, so a change in the machine's state shows in all three alike. Reported: the round with
      // the median p99 (as the other benchmarks report the median run), and every round.
      const rounds: Record<keyof typeof paths, Timing[]> = { all: [], one: [], customer: [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const key of Object.keys(paths) as (keyof typeof paths)[]) {
          rounds[key].push(await timeGets(glade.url, db.secret, paths[key]));
        }
      }
      const median = (ts: Timing[]) =>
        [...ts].sort((a, b) => a.p99 - b.p99)[Math.floor(ts.length / 2)] as Timing;
      for (const [name, key] of [
        ["usage balance read", "all"],
        ["usage balance read, ?subscriptionId=", "one"],
        ["reference", "customer"],
      ] as const) {
        for (const [i, t] of rounds[key].entries()) log(timingLine(`  round ${i + 1}, ${name}`, t));
      }
      log(timingLine("usage balance read", median(rounds.all)));
      log(timingLine("usage balance read, ?subscriptionId=", median(rounds.one)));
      log(timingLine("reference: GET /customers/{externalId} (one statement)", median(rounds.customer)));
    } finally {
      await glade.stop();
    }
    const { plans, readsEvents } = await explainRead(db);
    log(`\nEXPLAIN (ANALYZE, BUFFERS) of the ${plans.length} statements of one balance read:\n`);
    for (const plan of plans) log(`${plan}\n`);
    log(
      readsEvents ? "usage_events: READ by the balance read" : "usage_events: not read by the balance read",
    );
    if (readsEvents) process.exitCode = 1;
  } finally {
    await db.drop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAllChildren();
    process.exit(1);
  },
);
