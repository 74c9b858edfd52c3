import { afterAll, inject } from "vitest";
import { createApp } from "../../src/app.js";
import type { AppDeps } from "../../src/context/index.js";
import { type DbHandle, openDatabase } from "../../src/db/client.js";
import type { App } from "../../src/http/types.js";
import { loadConfig } from "../../src/lib/config.js";
import { createLogger } from "../../src/lib/logger.js";
import { processorRegistry } from "../../src/processors/index.js";
import { usageBilling } from "../../src/usage/index.js";
import { type Api, apiOver, newMerchant, type TestMerchant } from "./api.js";
import { createMigratedDatabase } from "./databases.js";
import { LOOPBACK_RECEIVERS } from "./loopback-receivers.js";

export type { TestMerchant } from "./api.js";

export type TestContext = {
  deps: AppDeps;
  app: App;
  handle: DbHandle;
  /** A fresh organization with a test and a live key: tests never share tenants. */
  merchant: (name?: string) => Promise<TestMerchant>;
  /** In-process HTTP call to the app. `key` goes into Authorization as the official client sends it. */
  api: Api;
};

let shared: TestContext | undefined;

/**
 * A migrated database of this test file's own, dropped after the file: for suites that run jobs sweeping
 * every tenant (renewals with a clock moved weeks ahead would otherwise renew other files' subscriptions).
 */
export async function ownDatabase(): Promise<string> {
  const database = await createMigratedDatabase("glade_test_own");
  afterAll(database.drop);
  return database.url;
}

/** One app and pool per test file, closed after the file. */
export async function testContext(
  overrides: Partial<AppDeps> = {},
  options: { databaseUrl?: string; onStatement?: (sql: string) => void } = {},
): Promise<TestContext> {
  const unshared = options.databaseUrl !== undefined || options.onStatement !== undefined;
  if (shared && !unshared && Object.keys(overrides).length === 0) return shared;
  const databaseUrl = options.databaseUrl ?? inject("databaseUrl");
  const config = {
    ...loadConfig({
      LOG_LEVEL: "silent",
      GLADE_WEBHOOK_ALLOW_PRIVATE: LOOPBACK_RECEIVERS,
      // Every browser test pays from 127.0.0.1 into one database; test/hardening/card-attempts.test.ts sets its own.
      GLADE_CARD_ATTEMPTS_PER_CLIENT: process.env.GLADE_CARD_ATTEMPTS_PER_CLIENT,
      GLADE_TENANT_CONCURRENCY: process.env.GLADE_TENANT_CONCURRENCY,
    }),
    databaseUrl,
    publicUrl: "http://glade.test",
  };
  const handle = await openDatabase({
    databaseUrl,
    dataDir: "",
    poolSize: 5,
    ...(options.onStatement ? { onStatement: options.onStatement } : {}),
  });
  const deps: AppDeps = {
    db: handle.db,
    config,
    logger: createLogger((process.env.TEST_LOG_LEVEL ?? "silent") as "silent"),
    processors: processorRegistry(handle.db, overrides.config ?? config),
    usageBilling,
    now: () => new Date(),
    ...overrides,
  };
  const app = createApp(deps);
  const ctx: TestContext = {
    deps,
    app,
    handle,
    merchant: (name) => newMerchant(deps.db, name),
    api: apiOver((path, init) => Promise.resolve(app.request(path, init))),
  };
  if (!unshared && Object.keys(overrides).length === 0) shared = ctx;
  afterAll(async () => {
    await handle.close();
  });
  return ctx;
}
