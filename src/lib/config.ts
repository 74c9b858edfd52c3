import { z } from "zod";
import { type AllowList, parseAllowList } from "./address-policy.js";

/** What the embedded quickstart lets webhooks reach when GLADE_WEBHOOK_ALLOW_PRIVATE is unset: this machine. */
export const EMBEDDED_WEBHOOK_ALLOWANCE = ["localhost", "127.0.0.0/8", "::1/128"];

/** A request waits for its organization's turn at most as long as one statement may run. */
const TENANT_MAX_WAIT_MS = 10_000;
/** Another organization served this recently means the server is shared: admission holds each to its share. */
const TENANT_CONTENTION_WINDOW_MS = 1_000;
/** How often admission measures the event loop to pace merchants with a queue. */
const TENANT_PACING_TICK_MS = 100;

const EnvSchema = z.object({
  DATABASE_URL: z.string().optional(),
  GLADE_DATA_DIR: z.string().default("./.glade/data"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  /** Public origin used in checkout URLs; defaults to http://HOST:PORT. */
  GLADE_PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  GLADE_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  GLADE_WORKER: z.enum(["on", "off"]).default("on"),
  /** HTTP worker processes for `glade start` (node:cluster); above 1 needs DATABASE_URL. */
  GLADE_HTTP_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  /** Postgres connections per process. */
  GLADE_DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  /**
   * One organization's API requests running at once per process while other organizations are being served
   * (src/http/tenant-admission.ts); a merchant alone on the server is not held back.
   */
  GLADE_TENANT_CONCURRENCY: z.coerce.number().int().min(1).max(100_000).default(1),
  /** …and waiting behind those; more answer 429. */
  GLADE_TENANT_QUEUE: z.coerce.number().int().min(0).max(100_000).default(500),
  /**
   * Share of the event loop (0–1) kept while a merchant without a queue is being served: merchants with a
   * queue start their requests at a pace that holds the loop near it (src/http/tenant-pacing.ts).
   */
  GLADE_TENANT_TARGET_LOAD: z.coerce.number().min(0.05).max(1).default(0.5),
  /** …but never less than this share between them: they slow down, never stop. */
  GLADE_TENANT_FLOOR_LOAD: z.coerce.number().min(0.01).max(1).default(0.1),
  /**
   * Seals processor secrets at rest: base64 of 32 bytes. Several keys separated by commas rotate: the
   * first seals, every one listed opens.
   */
  GLADE_ENCRYPTION_KEY: z.string().optional(),
  /** Where the Stripe-mode page loads Stripe.js from; tests point it at a fake. */
  GLADE_STRIPE_JS_URL: z.string().url().default("https://js.stripe.com/v3/"),
  /** Stripe's API origin; tests point it at a fake. */
  GLADE_STRIPE_API_URL: z.string().url().default("https://api.stripe.com"),
  /** A client must have sent its request headers within this many ms (slowloris). */
  GLADE_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** …and its whole request, body included, within this many ms. */
  GLADE_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Open connections per process; more are closed at once. */
  GLADE_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(2_000),
  /** Reverse proxies whose X-Forwarded-For is believed: addresses and CIDRs, comma-separated. */
  GLADE_TRUSTED_PROXIES: z.string().default(""),
  /** Card payments one client (address) may try per window, across every session and process. */
  GLADE_CARD_ATTEMPTS_PER_CLIENT: z.coerce.number().int().min(1).max(1_000_000).default(30),
  GLADE_CARD_ATTEMPT_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
  /**
   * Non-public webhook destinations the operator allows: `*`, hostnames, addresses and CIDRs, comma-separated.
   * Unset: none, or this machine's loopback with the embedded database (the quickstart).
   */
  GLADE_WEBHOOK_ALLOW_PRIVATE: z.string().optional(),
});

export type Config = {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  publicUrl: string;
  logLevel: z.infer<typeof EnvSchema>["LOG_LEVEL"];
  maxBodyBytes: number;
  runWorker: boolean;
  httpWorkers: number;
  dbPoolSize: number;
  /** Per-organization admission (src/http/tenant-admission.ts). */
  tenantAdmission: {
    sharedConcurrency: number;
    queueLimit: number;
    maxWaitMs: number;
    contentionWindowMs: number;
    pacing: { targetLoad: number; floorLoad: number; tickMs: number };
  };
  /** Raw GLADE_ENCRYPTION_KEY (see src/lib/secrets.ts); never logged. */
  encryptionKey: string | undefined;
  stripeJsUrl: string;
  stripeApiUrl: string;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnections: number;
  /** GLADE_TRUSTED_PROXIES, split; checked when the app is built (src/http/client-address.ts). */
  trustedProxies: string[];
  /** GLADE_CARD_ATTEMPTS_PER_CLIENT per GLADE_CARD_ATTEMPT_WINDOW_MINUTES (src/http/shared-rate-limit.ts). */
  cardAttempts: { limit: number; windowMs: number };
  /** GLADE_WEBHOOK_ALLOW_PRIVATE, parsed (src/lib/address-policy.ts); empty refuses every non-public address. */
  webhookAllowPrivate: AllowList;
};

const commaList = (raw: string) =>
  raw
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${details}`);
  }
  const e = parsed.data;
  if (e.GLADE_HTTP_WORKERS > 1 && !e.DATABASE_URL) {
    throw new Error(
      "Invalid configuration: GLADE_HTTP_WORKERS above 1 needs DATABASE_URL (the embedded database lives in one process)",
    );
  }
  return {
    databaseUrl: e.DATABASE_URL || undefined,
    dataDir: e.GLADE_DATA_DIR,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (
      e.GLADE_PUBLIC_URL ?? `http://${e.HOST === "0.0.0.0" ? "localhost" : e.HOST}:${e.PORT}`
    ).replace(/\/$/, ""),
    logLevel: e.LOG_LEVEL,
    maxBodyBytes: e.GLADE_MAX_BODY_BYTES,
    runWorker: e.GLADE_WORKER === "on",
    httpWorkers: e.GLADE_HTTP_WORKERS,
    dbPoolSize: e.GLADE_DB_POOL_SIZE,
    tenantAdmission: {
      sharedConcurrency: e.GLADE_TENANT_CONCURRENCY,
      queueLimit: e.GLADE_TENANT_QUEUE,
      maxWaitMs: TENANT_MAX_WAIT_MS,
      contentionWindowMs: TENANT_CONTENTION_WINDOW_MS,
      pacing: {
        targetLoad: e.GLADE_TENANT_TARGET_LOAD,
        floorLoad: Math.min(e.GLADE_TENANT_FLOOR_LOAD, e.GLADE_TENANT_TARGET_LOAD),
        tickMs: TENANT_PACING_TICK_MS,
      },
    },
    encryptionKey: e.GLADE_ENCRYPTION_KEY || undefined,
    stripeJsUrl: e.GLADE_STRIPE_JS_URL,
    stripeApiUrl: e.GLADE_STRIPE_API_URL.replace(/\/$/, ""),
    headersTimeoutMs: Math.min(e.GLADE_HEADERS_TIMEOUT_MS, e.GLADE_REQUEST_TIMEOUT_MS),
    requestTimeoutMs: e.GLADE_REQUEST_TIMEOUT_MS,
    maxConnections: e.GLADE_MAX_CONNECTIONS,
    trustedProxies: commaList(e.GLADE_TRUSTED_PROXIES),
    cardAttempts: {
      limit: e.GLADE_CARD_ATTEMPTS_PER_CLIENT,
      windowMs: e.GLADE_CARD_ATTEMPT_WINDOW_MINUTES * 60_000,
    },
    webhookAllowPrivate: webhookAllowance(e.GLADE_WEBHOOK_ALLOW_PRIVATE, e.DATABASE_URL),
  };
}

function webhookAllowance(raw: string | undefined, databaseUrl: string | undefined): AllowList {
  const entries = raw !== undefined ? commaList(raw) : databaseUrl ? [] : EMBEDDED_WEBHOOK_ALLOWANCE;
  try {
    return parseAllowList(entries, "GLADE_WEBHOOK_ALLOW_PRIVATE");
  } catch (err) {
    throw new Error(`Invalid configuration: ${(err as Error).message}`);
  }
}
