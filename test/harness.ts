import { afterAll, inject } from "vitest";
import { createApp } from "../src/app.js";
import type { AppDeps } from "../src/context/index.js";
import { type DbHandle, openDatabase } from "../src/db/client.js";
import type { App } from "../src/http/types.js";
import { loadConfig } from "../src/lib/config.js";
import { createLogger } from "../src/lib/logger.js";
import { createApiKey, createOrganization } from "../src/organizations/index.js";
import { createSandboxProcessor } from "../src/payments/sandbox.js";
import { createMigratedDatabase } from "./databases.js";

export type TestMerchant = {
  organizationId: string;
  testKey: string;
  liveKey: string;
};

export type TestContext = {
  deps: AppDeps;
  app: App;
  handle: DbHandle;
  /** A fresh organization with a test and a live key: tests never share tenants. */
  merchant: (name?: string) => Promise<TestMerchant>;
  /** In-process HTTP call to the app. `key` goes into Authorization as the official client sends it. */
  api: (
    method: string,
    path: string,
    options?: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ) => Promise<{ status: number; body: any; headers: Headers; text: string }>;
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
  const config = { ...loadConfig({ LOG_LEVEL: "silent" }), databaseUrl, publicUrl: "http://glade.test" };
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
    processor: createSandboxProcessor(handle.db),
    now: () => new Date(),
    ...overrides,
  };
  const app = createApp(deps);
  const ctx: TestContext = {
    deps,
    app,
    handle,
    merchant: async (name = "Test Merchant") => {
      const org = await createOrganization(deps.db, { name });
      const test = await createApiKey(deps.db, { organizationId: org.id, livemode: false });
      const live = await createApiKey(deps.db, { organizationId: org.id, livemode: true });
      return { organizationId: org.id, testKey: test.secret, liveKey: live.secret };
    },
    api: async (method, path, options = {}) => {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (options.key !== undefined) headers.authorization = options.key;
      let body: string | undefined;
      if (options.rawBody !== undefined) body = options.rawBody;
      else if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
        headers["content-type"] = "application/json";
      }
      const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      let parsed: unknown = text;
      if ((res.headers.get("content-type") ?? "").includes("application/json") && text.length > 0)
        parsed = JSON.parse(text);
      return { status: res.status, body: parsed, headers: res.headers, text };
    },
  };
  if (!unshared && Object.keys(overrides).length === 0) shared = ctx;
  afterAll(async () => {
    await handle.close();
  });
  return ctx;
}
