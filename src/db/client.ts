import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import * as schema from "./schema/index.js";

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything that can run a query: the pool or an open transaction. Services take this. */
export type Executor = Database | Transaction;

export type DbHandle = {
  db: Database;
  kind: "postgres" | "pglite";
  databaseUrl?: string;
  close: () => Promise<void>;
};

type Unsafe = (query: string, params?: unknown[], options?: Record<string, unknown>) => unknown;
type PreparableClient = {
  unsafe: Unsafe;
  begin?: (...args: unknown[]) => unknown;
  savepoint?: (...args: unknown[]) => unknown;
};

/**
 * Drizzle hands postgres.js `prepare: false` unless a query was built with `.prepare(name)`, so every
 * statement costs a Parse/Describe round trip and a fresh plan. Forcing `prepare: true` (on the pool and on
 * every transaction or savepoint client it hands out) lets postgres.js reuse one prepared statement per
 * distinct SQL text and connection: measured 1.6× on create and 2.2× on confirm.
 */
function preparedEverywhere<T extends PreparableClient>(client: T): T {
  const unsafe = client.unsafe.bind(client);
  client.unsafe = (query, params, options) => unsafe(query, params, { ...options, prepare: true });
  const wrapScope = (fn: unknown) => (tx: PreparableClient) =>
    (fn as (tx: PreparableClient) => unknown)(preparedEverywhere(tx));
  for (const method of ["begin", "savepoint"] as const) {
    const original = client[method]?.bind(client);
    if (!original) continue;
    client[method] = (...args: unknown[]) =>
      typeof args[0] === "function" ? original(wrapScope(args[0])) : original(args[0], wrapScope(args[1]));
  }
  return client;
}

/**
 * libpq's way to name a Unix socket, `postgres://user@localhost/db?host=/run/postgresql`, turned into what
 * postgres.js understands (its `path` option), so a Postgres on the same host can be reached without TCP.
 */
export function postgresConnection(databaseUrl: string): { url: string; path?: string } {
  const url = new URL(databaseUrl);
  const host = url.searchParams.get("host");
  if (!host?.startsWith("/")) return { url: databaseUrl };
  url.searchParams.delete("host");
  return { url: url.toString(), path: `${host.replace(/\/$/, "")}/.s.PGSQL.${url.port || 5432}` };
}

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "migrations");

export async function openDatabase(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
}): Promise<DbHandle> {
  if (options.databaseUrl) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const connection = postgresConnection(options.databaseUrl);
    const client = postgres(connection.url, {
      path: connection.path,
      max: options.poolSize ?? 10,
      onnotice: () => {},
      // bigint columns come back as JS numbers; every amount is guarded to the safe-integer range on input.
      types: {
        bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) },
      },
    });
    preparedEverywhere(client as unknown as PreparableClient);
    const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
    return {
      db,
      kind: "postgres",
      databaseUrl: options.databaseUrl,
      close: () => client.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  let client: InstanceType<typeof PGlite>;
  if (options.dataDir === "memory://") {
    client = new PGlite();
  } else {
    mkdirSync(options.dataDir, { recursive: true });
    client = new PGlite(options.dataDir);
  }
  await client.waitReady;
  const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
  return { db, kind: "pglite", close: () => client.close() };
}

/** Applies the committed SQL migrations; an advisory lock lets several processes start at once. */
export async function migrate(handle: DbHandle): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_DIR, migrationsSchema: "public" };
  if (handle.kind === "postgres" && handle.databaseUrl) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const { migrate: run } = await import("drizzle-orm/postgres-js/migrator");
    // One dedicated connection so the session-level advisory lock covers the migrator's own transaction.
    const connection = postgresConnection(handle.databaseUrl);
    const client = postgres(connection.url, {
      path: connection.path,
      max: 1,
      onnotice: () => {},
    });
    try {
      await client`select pg_advisory_lock(726147)`;
      await run(drizzle(client), config);
      await client`select pg_advisory_unlock(726147)`;
    } finally {
      await client.end({ timeout: 5 });
    }
    return;
  }
  const { migrate: run } = await import("drizzle-orm/pglite/migrator");
  // biome-ignore lint/suspicious/noExplicitAny: the migrator wants the driver-specific type
  await run(handle.db as any, config);
}
