import type { AppDeps } from "./context/index.js";
import { type DbHandle, migrate, openDatabase } from "./db/client.js";
import type { Config } from "./lib/config.js";
import { createLogger, type Logger } from "./lib/logger.js";
import { API_KEY_REVOCATIONS, forgetCachedApiKeys } from "./organizations/index.js";
import { assertEncryptionKeyPresent, processorRegistry } from "./processors/index.js";
import { usageBilling } from "./usage/index.js";
import { sealStoredWebhookSecrets } from "./webhooks/index.js";

export type Runtime = { deps: AppDeps; handle: DbHandle };

export async function openRuntime(
  config: Config,
  options: { logger?: Logger; poolSize?: number } = {},
): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const handle = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: options.poolSize ?? config.dbPoolSize,
  });
  await migrate(handle);
  // Stored processor secrets need the key that sealed them: refuse to start now rather than fail a payment later.
  // Webhook signing secrets likewise; and with a key, any still stored in the clear are sealed now.
  const webhookSecrets = await assertEncryptionKeyPresent(handle.db, config)
    .then(() => sealStoredWebhookSecrets(handle.db, config))
    .catch(async (err: unknown) => {
      await handle.close();
      throw err;
    });
  if (webhookSecrets.sealed > 0) {
    logger.info(
      { sealed: webhookSecrets.sealed },
      "webhook signing secrets sealed with GLADE_ENCRYPTION_KEY",
    );
  }
  if (webhookSecrets.inTheClear > 0) {
    logger.warn(
      { inTheClear: webhookSecrets.inTheClear },
      "webhook signing secrets are stored in the clear: set GLADE_ENCRYPTION_KEY to seal them",
    );
  }
  // A key revoked by any process stops working here at once, not when this process's cache expires.
  await handle.listen(API_KEY_REVOCATIONS, forgetCachedApiKeys, forgetCachedApiKeys);
  const deps: AppDeps = {
    db: handle.db,
    config,
    logger,
    processors: processorRegistry(handle.db, config),
    usageBilling,
    // THE app clock: everything else reads time through deps.now(), so tests can replace this one.
    now: () => new Date(),
  };
  return { deps, handle };
}
