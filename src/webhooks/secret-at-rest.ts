import { eq, like, not, sql } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { webhookEndpoints } from "../db/schema/index.js";
import type { Config } from "../lib/config.js";
import { hasKey, isSealed, keyringOf, open, seal, sealedKeyId } from "../lib/secrets.js";

/**
 * Webhook signing secrets at rest. With GLADE_ENCRYPTION_KEY set they are sealed (AES-256-GCM, bound to the
 * endpoint's row) in the same `secret` column; without it they are kept as before, in the clear, since a
 * quickstart without a key must still be able to register endpoints. Rows written in the clear (before the
 * key was set, or by an older Glade), and rows sealed by a key that is no longer the first of the variable,
 * are sealed (again) under the first key at the next start, `glade secrets rotate` included.
 */

type KeyConfig = Pick<Config, "encryptionKey">;

/** Binds a sealed secret to its endpoint: copied to another row, it does not open. */
const aadOf = (endpointId: string) => `webhook_endpoints:${endpointId}:secret`;

/** The value to store for a new or rotated secret. */
export function secretToStore(config: KeyConfig, endpointId: string, secret: string): string {
  const keyring = keyringOf(config);
  return keyring ? seal(keyring, secret, aadOf(endpointId)) : secret;
}

/** The `whsec_…` secret of a stored endpoint, opened if it is sealed. */
export function openWebhookSecret(config: KeyConfig, row: { id: string; secret: string }): string {
  if (!isSealed(row.secret)) return row.secret;
  const keyring = keyringOf(config);
  if (!keyring) {
    throw new Error(
      `The signing secret of webhook endpoint ${row.id} is sealed with encryption key ${sealedKeyId(row.secret)}, and GLADE_ENCRYPTION_KEY is not set`,
    );
  }
  return open(keyring, row.secret, aadOf(row.id));
}

/**
 * At start: refuses to run when stored secrets were sealed by a key GLADE_ENCRYPTION_KEY does not hold (every
 * delivery would fail), then, with a key, seals under its first key every secret that is in the clear or
 * sealed by another key, in one transaction.
 */
export async function sealStoredWebhookSecrets(
  db: Executor,
  config: KeyConfig,
): Promise<{ sealed: number; inTheClear: number }> {
  const keyring = keyringOf(config);
  const sealedWith = (
    await db
      .selectDistinct({ keyId: sql<string>`split_part(${webhookEndpoints.secret}, '.', 2)` })
      .from(webhookEndpoints)
      .where(like(webhookEndpoints.secret, "v1.%"))
  ).map((row) => row.keyId);
  const missing = sealedWith.filter((keyId) => !keyring || !hasKey(keyring, keyId)).sort();
  if (missing.length > 0) {
    throw new Error(
      keyring
        ? `GLADE_ENCRYPTION_KEY does not hold encryption key ${missing.join(", ")}, which sealed stored webhook signing secrets (it holds ${keyring.keyIds.join(", ")}): add that key back after the current one`
        : `Webhook signing secrets are stored sealed by encryption key ${missing.join(", ")}, and GLADE_ENCRYPTION_KEY is not set: set it to the key(s) they were sealed with`,
    );
  }
  if (!keyring) {
    const clear = await db.$count(webhookEndpoints, not(like(webhookEndpoints.secret, "v1.%")));
    return { sealed: 0, inTheClear: clear };
  }
  const current = `v1.${keyring.sealingKeyId}.%`;
  const sealed = await db.transaction(async (tx) => {
    const stale = await tx
      .select({ id: webhookEndpoints.id, secret: webhookEndpoints.secret })
      .from(webhookEndpoints)
      .where(not(like(webhookEndpoints.secret, current)))
      .for("update");
    for (const row of stale) {
      const secret = openWebhookSecret(config, row);
      await tx
        .update(webhookEndpoints)
        .set({ secret: seal(keyring, secret, aadOf(row.id)) })
        .where(eq(webhookEndpoints.id, row.id));
    }
    return stale.length;
  });
  return { sealed, inTheClear: 0 };
}
