import type { ProcessorRegistry } from "../context/index.js";
import type { Executor } from "../db/client.js";
import type { Config } from "../lib/config.js";
import { createSandboxProcessor, createStripeClient, createStripeProcessor } from "../payments/index.js";
import { readConnection } from "./connections.js";
import { processorCustomerStore } from "./customers.js";
import { createProcessorRegistry } from "./registry.js";

/** The registry every runtime uses: the sandbox, and each tenant's connected Stripe account. */
export function processorRegistry(db: Executor, config: Config): ProcessorRegistry {
  return createProcessorRegistry({
    sandbox: createSandboxProcessor(db),
    readConnection: (tenant) => readConnection({ db, config }, tenant),
    build: (connection) =>
      createStripeProcessor({
        client: createStripeClient(connection.secretKey, { apiUrl: config.stripeApiUrl }),
        accountId: connection.accountId,
        publishableKey: connection.publishableKey,
        scriptUrl: config.stripeJsUrl,
        customers: processorCustomerStore(db, connection.accountId),
      }),
  });
}
