import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { seedDemoCatalog } from "../../src/catalog/index.js";
import { createCheckoutSession } from "../../src/checkout/index.js";
import type { AppDeps, Merchant } from "../../src/context/index.js";
import { type DbHandle, migrate, openDatabase, poolOptions } from "../../src/db/client.js";
import { loadConfig } from "../../src/lib/config.js";
import { newId } from "../../src/lib/ids.js";
import { createLogger } from "../../src/lib/logger.js";
import { createApiKey, createOrganization } from "../../src/organizations/index.js";
import { processorRegistry } from "../../src/processors/index.js";
import { usageBilling } from "../../src/usage/index.js";

export type Sql = postgres.Sql;

export type BenchDatabase = {
  url: string;
  sql: Sql;
  handle: DbHandle;
  deps: AppDeps;
  merchant: Merchant;
  secret: string;
  /** The demo catalog of the merchant's test mode. */
  catalog: BenchTenant["catalog"];
  priceId: string;
  successUrl: string;
  cancelUrl: string;
  drop: () => Promise<void>;
};

/** A database of its own on the local Postgres (like test/support/global-setup.ts), migrated and seeded. */
/** A postgres.js client for the bench's own work; `?host=/socket/dir` URLs connect over the Unix socket. */
export function connect(databaseUrl: string, max: number): Sql {
  const pool = poolOptions(databaseUrl, max);
  return postgres(pool.url, pool.options);
}

/** What Glade's services need, on `handle`, as the server builds it (silent, real clock); `env` adds settings. */
export function benchDeps(handle: DbHandle, databaseUrl: string, env: NodeJS.ProcessEnv = {}): AppDeps {
  const config = { ...loadConfig({ LOG_LEVEL: "silent", ...env }), databaseUrl };
  return {
    db: handle.db,
    config,
    logger: createLogger("silent"),
    processors: processorRegistry(handle.db, config),
    usageBilling,
    now: () => new Date(),
  };
}

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `glade_bench_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const admin = connect(adminUrl, 1);
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  let handle: DbHandle | undefined;
  let sql: Sql | undefined;
  const drop = async () => {
    await sql?.end({ timeout: 5 });
    await handle?.close();
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
  };
  try {
    handle = await openDatabase({ databaseUrl, dataDir: "", poolSize: 10 });
    await migrate(handle);
    sql = connect(databaseUrl, 4);
    const deps = benchDeps(handle, databaseUrl);
    const { merchant, secret, catalog } = await createTenant(deps, "Bench Store");
    await createBareTables(sql);
    return {
      url: databaseUrl,
      sql,
      handle,
      deps,
      merchant,
      secret,
      catalog,
      priceId: catalog.oneTimePrice.id,
      successUrl: "https://shop.example.com/thanks?session={CHECKOUT_SESSION_ID}",
      cancelUrl: "https://shop.example.com/cart",
      drop,
    };
  } catch (err) {
    await drop().catch(() => {});
    throw err;
  }
}

export type BenchTenant = {
  merchant: Merchant;
  /** The test-mode API key, as the Authorization header carries it. */
  secret: string;
  catalog: Awaited<ReturnType<typeof seedDemoCatalog>>;
};

/** One more organization on the bench database: its test-mode API key and the demo catalog. */
export async function createTenant(deps: AppDeps, name: string): Promise<BenchTenant> {
  const org = await createOrganization(deps.db, { name }, new Date());
  const { key, secret } = await createApiKey(
    deps.db,
    { organizationId: org.id, livemode: false },
    new Date(),
  );
  const merchant: Merchant = { organizationId: org.id, livemode: false, apiKeyId: key.id };
  const catalog = await seedDemoCatalog(deps.db, merchant, new Date());
  return { merchant, secret, catalog };
}

/**
 * The bare harnesses' own schema: a 12-column checkout table, payments and events with the same indexes, and
 * usage events with Glade's columns and indexes.
 */
async function createBareTables(sql: Sql): Promise<void> {
  await sql.unsafe(`
    create table bare_checkouts (
      id text primary key,
      org_id text not null,
      status text not null,
      amount_subtotal integer not null,
      amount_tax integer not null,
      amount_total integer not null,
      currency text not null,
      customer_email text,
      metadata jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      expires_at timestamptz not null
    );
    create index on bare_checkouts (org_id, created_at);
    create index on bare_checkouts (status);
    create table bare_payments (
      id text primary key,
      checkout_id text not null,
      amount integer not null,
      currency text not null,
      status text not null,
      created_at timestamptz not null default now()
    );
    create index on bare_payments (checkout_id);
    create table bare_events (
      id bigserial primary key,
      org_id text not null,
      type text not null,
      payload jsonb not null,
      created_at timestamptz not null default now()
    );
    create index on bare_events (org_id, created_at);
    create table bare_usage_events (
      id text primary key,
      organization_id text not null,
      livemode boolean not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      position bigint generated always as identity,
      pricing_model_id text not null,
      customer_id text not null,
      subscription_id text not null,
      usage_meter_id text not null,
      price_id text,
      billing_period_id text,
      amount bigint not null,
      usage_date timestamptz not null,
      transaction_id text not null,
      properties jsonb
    );
    create index on bare_usage_events (organization_id, livemode, position);
    create unique index on bare_usage_events (organization_id, livemode, transaction_id);
  `);
}

/** The product session every create request asks for: anonymous, one unit of the one-time price. */
export function createBody(db: BenchDatabase): string {
  return JSON.stringify({
    checkoutSession: {
      type: "product",
      anonymous: true,
      priceId: db.priceId,
      quantity: 1,
      successUrl: db.successUrl,
      cancelUrl: db.cancelUrl,
    },
  });
}

export async function createOneSession(db: BenchDatabase): Promise<string> {
  const session = await createCheckoutSession(db.deps, db.merchant, {
    type: "product",
    anonymous: true,
    priceId: db.priceId,
    quantity: 1,
    successUrl: db.successUrl,
    cancelUrl: db.cancelUrl,
  });
  return session.id;
}

/**
 * `count` open sessions for the confirm benchmark. One is made by the checkout service; the rest are
 * copies of its row with fresh ids, so thousands are ready in a second instead of a minute of API calls.
 */
export async function createOpenSessions(db: BenchDatabase, count: number): Promise<string[]> {
  const template = await createOneSession(db);
  const columns = await db.sql<{ column_name: string }[]>`
    select column_name from information_schema.columns
    where table_name = 'checkout_sessions' and table_schema = 'public'
      and column_name <> 'id' and is_identity = 'NO' and is_generated = 'NEVER'
    order by ordinal_position`;
  const list = columns.map((c) => `"${c.column_name}"`).join(", ");
  const ids = Array.from({ length: count - 1 }, () => newId("checkoutSession"));
  for (let start = 0; start < ids.length; start += 20_000) {
    await db.sql.unsafe(
      `insert into checkout_sessions (id, ${list})
       select n.id, ${list} from checkout_sessions t, unnest($1::text[]) as n(id) where t.id = $2`,
      [ids.slice(start, start + 20_000), template],
    );
  }
  return [template, ...ids];
}

/** `count` open rows for the bare confirm server, the same shape as its create server writes. */
export async function createBareOpenRows(db: BenchDatabase, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => `cs_${randomBytes(16).toString("hex")}`);
  for (let start = 0; start < ids.length; start += 20_000) {
    await db.sql`
      insert into bare_checkouts (id, org_id, status, amount_subtotal, amount_tax, amount_total, currency,
        customer_email, metadata, expires_at)
      select id, ${db.merchant.organizationId}, 'open', 19900, 0, 19900, 'USD', null,
        ${db.sql.json({ priceId: db.priceId, quantity: 1 })}, now() + interval '1 day'
      from unnest(${ids.slice(start, start + 20_000)}::text[]) as id`;
  }
  return ids;
}

/** Machine-limits' PRE step: flush dirty pages so a checkpoint does not land inside a measured run. */
export async function settle(db: BenchDatabase): Promise<void> {
  await db.sql`checkpoint`;
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
