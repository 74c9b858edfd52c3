import type { Database } from "../db/client.js";
import type { Config } from "../lib/config.js";
import type { Logger } from "../lib/logger.js";
import type { ProcessorRegistry } from "./processor.js";
import type { UsageBilling } from "./usage-billing.js";

export type {
  CardCollection,
  CardDetails,
  CardInput,
  IntentPayer,
  IntentResult,
  IntentStatus,
  PaymentProcessor,
  ProcessorName,
  ProcessorRegistry,
  ProcessorTenant,
} from "./processor.js";
export type { ClosingPeriod, UsageBilling, UsageInvoiceLine } from "./usage-billing.js";

/**
 * What every domain is handed: built once at start and closed over by each domain's routes and jobs.
 * It lives outside http/ so that services and jobs, which never see a request, do not depend on the
 * web layer; the processor's interface lives here with it for the same reason (payments implements it).
 */
export type AppDeps = {
  db: Database;
  config: Config;
  logger: Logger;
  processors: ProcessorRegistry;
  /** How a renewal bills the closing period's usage (the usage domain's `usageBilling`). */
  usageBilling: UsageBilling;
  now: () => Date;
};

export type { Merchant } from "./merchant.js";

/** A job run on an interval by `startBackgroundJobs` (src/jobs.ts); each domain declares its own. */
export type BackgroundJob = { name: string; intervalMs: number; run: (deps: AppDeps) => Promise<unknown> };
