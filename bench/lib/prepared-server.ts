/**
 * Glade's app as src/server.ts serves it, with one change for the profiling experiment: every statement
 * Drizzle sends is a named prepared statement. Drizzle's postgres-js session passes `prepare: false`
 * unless a query was built with `.prepare(name)`, and postgres.js then describes each parameterized
 * statement in a round trip of its own before binding it. BENCH_PREPARED=off serves the unchanged client,
 * so both sides of the experiment run the same entry point.
 */
import { serve } from "@hono/node-server";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Database } from "../../src/db/client.js";
import * as schema from "../../src/db/schema/index.js";
import { createApp } from "../../src/http/app.js";
import { loadConfig } from "../../src/lib/config.js";
import { createLogger } from "../../src/lib/logger.js";
import { createSandboxProcessor } from "../../src/payments/sandbox.js";

type Unsafe = (query: string, params?: unknown[], options?: Record<string, unknown>) => unknown;
type Client = { unsafe: Unsafe; begin?: (...args: unknown[]) => unknown };

/** Forces `prepare: true` on the client and on every transaction client it hands out. */
function preparedEverywhere<T extends Client>(client: T): T {
  const unsafe = client.unsafe.bind(client);
  client.unsafe = (query, params, options) => unsafe(query, params, { ...options, prepare: true });
  const begin = client.begin?.bind(client);
  if (begin) {
    const wrap = (fn: unknown) => (tx: Client) => (fn as (tx: Client) => unknown)(preparedEverywhere(tx));
    client.begin = (...args: unknown[]) =>
      typeof args[0] === "function" ? begin(wrap(args[0])) : begin(args[0], wrap(args[1]));
  }
  return client;
}

const config = loadConfig();
if (!config.databaseUrl) throw new Error("DATABASE_URL is required");
const client = postgres(config.databaseUrl, {
  max: 10,
  onnotice: () => {},
  types: {
    bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) },
  },
});
if (process.env.BENCH_PREPARED !== "off") preparedEverywhere(client as unknown as Client);
const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
const app = createApp({
  db,
  config,
  logger: createLogger(config.logLevel),
  processor: createSandboxProcessor(db),
  now: () => new Date(),
});
const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
  process.stdout.write(`Glade listening on ${config.host}:${config.port}\n`),
);
process.once("SIGTERM", () => {
  server.close();
  void client.end({ timeout: 5 }).finally(() => process.exit(0));
});
