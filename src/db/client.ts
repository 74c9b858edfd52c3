import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { lockDataDir } from "./data-dir-lock.js";
import type { Database } from "./executor.js";
import { createListener } from "./listener.js";
import * as schema from "./schema/index.js";
import { type PostgresClient, pipelinedBegin } from "./transaction.js";

export type { Database, Executor, Schema, Transaction } from "./executor.js";

export type DbHandle = {
  db: Database;
  kind: "postgres" | "pglite";
  databaseUrl?: string;
  close: () => Promise<void>;
  /**
   * Calls `onMessage` with each NOTIFY on `channel` from any process, and `onConnect` each time the listening
   * connection is (re)established: what was sent while it was down is lost, so a listener starts afresh.
   */
  listen: (channel: string, onMessage: (payload: string) => void, onConnect: () => void) => Promise<void>;
};

/**
 * Two changes to how postgres.js runs what Drizzle hands it, on the pool and on the connection each
 * transaction reserves (`pipelinedBegin`):
 * - `prepare: true`: Drizzle passes `prepare: false` unless a query was built with `.prepare(name)`, so every
 *   statement cost a Parse/Describe round trip and a fresh plan; one prepared statement per distinct SQL text
 *   and connection measured 1.6× on create and 2.2× on confirm.
 * - Sent in the order issued: a postgres.js query starts when something first awaits it, and how many
 *   promise hops lie between a call and that await differs by caller. Starting each query as it is created
 *   makes a transaction run its statements in program order, so a caller can issue several writes and await
 *   them together (one round trip for all) and still rely on each seeing the ones issued before it.
 */
function preparedEverywhere<T extends PostgresClient>(client: T): T {
  const unsafe = client.unsafe.bind(client);
  client.unsafe = (query, params, options) =>
    (unsafe(query, params, { ...options, prepare: true }) as { execute(): unknown }).execute();
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

/**
 * Seconds to open a connection before giving up with CONNECT_TIMEOUT (postgres.js waits 30 by default): while
 * the database is unreachable, requests waiting for a connection fail with a 503 within this bound.
 */
export const CONNECT_TIMEOUT_SECONDS = 5;

/**
 * Settings Postgres applies to each of the server's sessions. Timeouts, so that no request or job waits on the
 * database without bound: a statement (behind a lock, or a plan gone wrong) is cancelled after 10 s and a lock
 * wait after 5 s, both answered 503 with a retry hint; a transaction left open by a process that stopped talking
 * is ended after 60 s, releasing its locks. Every read the server makes is an index range bounded by a LIMIT,
 * which parallel workers cannot speed up; allowing them let one merchant's plan occupy three backends and
 * their CPU, which the other merchants' requests were waiting for, so they are off.
 */
/** Timeouts in milliseconds, Postgres's unit for them. */
export const SESSION_SETTINGS = {
  statement_timeout: 10_000,
  lock_timeout: 5_000,
  idle_in_transaction_session_timeout: 60_000,
  // A string: postgres.js leaves out startup parameters whose value is falsy, and 0 is.
  max_parallel_workers_per_gather: "0",
};

/** The pool settings Glade and the bench's bare harnesses share: same driver, same behaviour under load. */
export function poolOptions(url: string, max: number) {
  const connection = postgresConnection(url);
  return {
    url: connection.url,
    options: { path: connection.path, max, onnotice: () => {}, connect_timeout: CONNECT_TIMEOUT_SECONDS },
  };
}

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "migrations");

export async function openDatabase(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
  /** Called with the text of every statement sent to Postgres (tests that count a request's statements). */
  onStatement?: (sql: string) => void;
}): Promise<DbHandle> {
  if (options.databaseUrl) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const pool = poolOptions(options.databaseUrl, options.poolSize ?? 10);
    const client = postgres(pool.url, {
      ...pool.options,
      // The server's own sessions only: migrations (their own connection) may legitimately run longer.
      connection: SESSION_SETTINGS,
      ...(options.onStatement ? { debug: (_: number, sql: string) => options.onStatement?.(sql) } : {}),
      // bigint columns come back as JS numbers; every amount is guarded to the safe-integer range on input.
      types: {
        bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) },
      },
    });
    const prepared = preparedEverywhere(client as unknown as PostgresClient);
    prepared.begin = pipelinedBegin(prepared, preparedEverywhere);
    const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
    let listener: ReturnType<typeof createListener> | undefined;
    return {
      db,
      kind: "postgres",
      databaseUrl: options.databaseUrl,
      close: async () => {
        await Promise.all([client.end({ timeout: 5 }), listener?.close()]);
      },
      listen: (channel, onMessage, onConnect) => {
        // Opened on first use: one connection for every channel, outside the pool, without timeouts.
        listener ??= createListener((hooks) => {
          // `onnotify` is the hook postgres.js's own `listen` uses; its type declarations leave it out.
          const listenOptions = {
            ...pool.options,
            max: 1,
            idle_timeout: null,
            max_lifetime: null,
            fetch_types: false,
            onnotify: hooks.onnotify,
            onclose: hooks.onclose,
          };
          return postgres(pool.url, listenOptions as unknown as Parameters<typeof postgres>[1]);
        });
        return listener.listen(channel, onMessage, onConnect);
      },
    };
  }
  // Postgres compiled to WebAssembly is a large module: V8's baseline compiler alone keeps about 55 MB less
  // machine code than with its optimizing tier, at no measured cost to the embedded database's speed (3,000
  // insert+select round trips: 552–561 ms vs 585–611 ms). Only WebAssembly is affected; Glade runs no other.
  v8.setFlagsFromString("--liftoff-only");
  const { PGlite } = await import("@electric-sql/pglite");
  // The customer search's trigram index (migration 0016) needs pg_trgm, which PGlite loads on request.
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const defaults = (PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams;
  const extensions = {
    extensions: { pg_trgm },
    // Postgres's default 128 MB buffer pool lives in the WebAssembly heap, which never shrinks: it was most of
    // the process's memory. The embedded database is for a first look; its files sit in the OS page cache anyway.
    ...(defaults ? { startParams: [...defaults, "-c", `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`] } : {}),
  };
  const { drizzle } = await import("drizzle-orm/pglite");
  let client: InstanceType<typeof PGlite>;
  let unlock = () => {};
  if (options.dataDir === "memory://") {
    client = new PGlite(extensions);
  } else {
    mkdirSync(options.dataDir, { recursive: true });
    unlock = lockDataDir(options.dataDir);
    client = new PGlite(options.dataDir, extensions);
  }
  try {
    await client.waitReady;
  } catch (err) {
    unlock();
    throw err;
  }
  const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
  return {
    db,
    kind: "pglite",
    close: async () => {
      await client.close();
      unlock();
    },
    listen: async (channel, onMessage, onConnect) => {
      await client.listen(channel, onMessage);
      onConnect();
    },
  };
}

/** The embedded database's buffer pool (see openDatabase). */
export const EMBEDDED_SHARED_BUFFERS = "16MB";

/** Applies the committed SQL migrations; an advisory lock lets several processes start at once. */
export async function migrate(handle: DbHandle): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_DIR, migrationsSchema: "public" };
  if (handle.kind === "postgres" && handle.databaseUrl) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const { migrate: run } = await import("drizzle-orm/postgres-js/migrator");
    // One dedicated connection so the session-level advisory lock covers the migrator's own transaction.
    const pool = poolOptions(handle.databaseUrl, 1);
    const client = postgres(pool.url, pool.options);
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
