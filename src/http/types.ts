import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Database } from "../db/client.js";
import type { Config } from "../lib/config.js";
import type { Logger } from "../lib/logger.js";
import type { PaymentProcessor } from "../payments/processor.js";

/** Everything a request handler may reach; built once at start and closed over by each domain's routes. */
export type AppDeps = {
  db: Database;
  config: Config;
  logger: Logger;
  processor: PaymentProcessor;
  now: () => Date;
};

/** The authenticated merchant behind an API key: every query is scoped to both fields. */
export type Merchant = {
  organizationId: string;
  livemode: boolean;
  apiKeyId: string;
};

export type AppEnv = {
  Variables: {
    requestId: string;
    merchant: Merchant;
  };
};

export type App = OpenAPIHono<AppEnv>;
