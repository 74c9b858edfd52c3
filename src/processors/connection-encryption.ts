import { eq, ne } from "drizzle-orm";
import type { AppDeps } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { processorConnections } from "../db/schema/index.js";
import type { Config } from "../lib/config.js";
import { AppError } from "../lib/errors.js";
import { hasKey, type Keyring, keyringOf, open, seal } from "../lib/secrets.js";

/** The two secrets of a connection, in the clear: held in memory only, never stored, logged or answered. */
export type ConnectionSecrets = { secretKey: string; webhookSecret: string };

/** The columns that hold them at rest. */
export type SealedSecrets = { secretKeySealed: string; webhookSecretSealed: string; encryptionKeyId: string };

export const ENCRYPTION_KEY_NEEDED =
  "Glade cannot store processor secrets: set GLADE_ENCRYPTION_KEY to store processor secrets (base64 of 32 random bytes, e.g. `openssl rand -base64 32`) and restart Glade";

/** Binds a sealed value to its connection and field: copied to another row or column, it does not open. */
const aadOf = (connectionId: string, field: keyof ConnectionSecrets) =>
  `processor_connections:${connectionId}:${field}`;

/** The keyring, or a 422 saying how to configure one: storing a secret without it is refused, not a 500. */
export function requireKeyring(config: Pick<Config, "encryptionKey">): Keyring {
  let keyring: Keyring | undefined;
  try {
    keyring = keyringOf(config);
  } catch (err) {
    // A malformed key: its message names the entry by position, never its content.
    throw new AppError(
      "UNPROCESSABLE_CONTENT",
      `Glade cannot store processor secrets: ${(err as Error).message}`,
    );
  }
  if (!keyring) throw new AppError("UNPROCESSABLE_CONTENT", ENCRYPTION_KEY_NEEDED);
  return keyring;
}

export function sealSecrets(
  keyring: Keyring,
  connectionId: string,
  secrets: ConnectionSecrets,
): SealedSecrets {
  return {
    secretKeySealed: seal(keyring, secrets.secretKey, aadOf(connectionId, "secretKey")),
    webhookSecretSealed: seal(keyring, secrets.webhookSecret, aadOf(connectionId, "webhookSecret")),
    encryptionKeyId: keyring.sealingKeyId,
  };
}

export function openSecrets(
  keyring: Keyring,
  row: { id: string; secretKeySealed: string; webhookSecretSealed: string },
): ConnectionSecrets {
  return {
    secretKey: open(keyring, row.secretKeySealed, aadOf(row.id, "secretKey")),
    webhookSecret: open(keyring, row.webhookSecretSealed, aadOf(row.id, "webhookSecret")),
  };
}

/**
 * The start-up check: stored connections are useless without the key that sealed them, and finding out at
 * the first live payment is too late. A malformed GLADE_ENCRYPTION_KEY stops the start too, connections
 * or not. The messages name key ids (derived from the keys, safe to show), never a key.
 */
export async function assertEncryptionKeyPresent(
  db: Executor,
  config: Pick<Config, "encryptionKey">,
): Promise<void> {
  const keyring = keyringOf(config);
  const sealedWith = (
    await db.selectDistinct({ keyId: processorConnections.encryptionKeyId }).from(processorConnections)
  )
    .map((row) => row.keyId)
    .sort();
  if (sealedWith.length === 0) return;
  if (!keyring) {
    throw new Error(
      `Processor connections are stored with secrets sealed by encryption key ${sealedWith.join(", ")}, and GLADE_ENCRYPTION_KEY is not set: set it to the key(s) they were sealed with`,
    );
  }
  const missing = sealedWith.filter((keyId) => !hasKey(keyring, keyId));
  if (missing.length > 0) {
    throw new Error(
      `GLADE_ENCRYPTION_KEY does not hold encryption key ${missing.join(", ")}, which sealed stored processor secrets (it holds ${keyring.keyIds.join(", ")}): add that key back after the current one, then run \`glade secrets rotate\``,
    );
  }
}

/**
 * Re-seals every connection sealed under another key than the first of GLADE_ENCRYPTION_KEY, in one
 * transaction; afterwards the older keys can be dropped from the variable. `updatedAt` stays: the
 * connection (its keys, its account) did not change.
 */
export async function rotateSealedSecrets(
  deps: Pick<AppDeps, "db" | "config">,
): Promise<{ resealed: number; sealingKeyId: string }> {
  const keyring = requireKeyring(deps.config);
  return deps.db.transaction(async (tx) => {
    const stale = await tx
      .select()
      .from(processorConnections)
      .where(ne(processorConnections.encryptionKeyId, keyring.sealingKeyId))
      .for("update");
    for (const row of stale) {
      const resealed = sealSecrets(keyring, row.id, openSecrets(keyring, row));
      await tx.update(processorConnections).set(resealed).where(eq(processorConnections.id, row.id));
    }
    return { resealed: stale.length, sealingKeyId: keyring.sealingKeyId };
  });
}
