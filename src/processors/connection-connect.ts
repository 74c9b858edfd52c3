import { eq } from "drizzle-orm";
import type { AppDeps, ProcessorTenant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { processorConnections } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import type { Config } from "../lib/config.js";
import { AppError, badRequest, conflict, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import type { Keyring } from "../lib/secrets.js";
import { createStripeClient, stripeErrorType, verifyStripeKey } from "../payments/index.js";
import { requireKeyring, sealSecrets } from "./connection-encryption.js";
import { checkStripeKeys, type StripeKeys, secretKeyHint } from "./connection-keys.js";
import type { ConnectionRow } from "./connections.js";

export type ConnectResult = { connection: ConnectionRow; created: boolean };

/** Stripe answered, but not about the key: it may answer differently in a moment. */
const STRIPE_UNAVAILABLE = new Set(["StripeConnectionError", "StripeAPIError", "StripeRateLimitError"]);

/**
 * The account behind the key, asked of Stripe with one call before anything is stored. A key Stripe
 * refuses is the merchant's to fix (400 with Stripe's message, which masks the key); Stripe unreachable
 * or failing is not (503, retryable).
 */
async function verifiedAccountId(config: Pick<Config, "stripeApiUrl">, secretKey: string): Promise<string> {
  try {
    const client = createStripeClient(secretKey, { apiUrl: config.stripeApiUrl });
    return (await verifyStripeKey(client)).accountId;
  } catch (err) {
    const stripeError = stripeErrorType(err);
    if (stripeError && STRIPE_UNAVAILABLE.has(stripeError)) {
      throw new AppError(
        "SERVICE_UNAVAILABLE",
        `Could not reach Stripe to verify the secret key (${(err as Error).message}); nothing was saved, try again`,
        { retryable: true },
      );
    }
    if (stripeError) throw badRequest(`Stripe refused the secret key: ${(err as Error).message}`);
    // verifyStripeKey turns a refused key into a plain Error carrying Stripe's message; a subclass
    // (a TypeError, say) is a fault of ours, not an answer about the key.
    if (err instanceof Error && Object.getPrototypeOf(err) === Error.prototype) throw badRequest(err.message);
    throw err;
  }
}

async function lockedConnection(tx: Executor, tenant: ProcessorTenant): Promise<{ id: string } | undefined> {
  const [row] = await tx
    .select({ id: processorConnections.id })
    .from(processorConnections)
    .where(ownedBy(processorConnections, tenant))
    .for("update");
  return row;
}

type NewKeys = StripeKeys & { accountId: string };

/** The columns a connect writes, with both secrets sealed for the row `id`. */
function connectionValues(keyring: Keyring, id: string, keys: NewKeys, now: Date) {
  return {
    processor: "stripe" as const,
    accountId: keys.accountId,
    publishableKey: keys.publishableKey,
    secretKeyHint: secretKeyHint(keys.secretKey),
    ...sealSecrets(keyring, id, { secretKey: keys.secretKey, webhookSecret: keys.webhookSecret }),
    updatedAt: now,
  };
}

async function replaceConnection(
  tx: Executor,
  keyring: Keyring,
  id: string,
  keys: NewKeys,
  now: Date,
): Promise<ConnectionRow> {
  const [row] = await tx
    .update(processorConnections)
    .set(connectionValues(keyring, id, keys, now))
    .where(eq(processorConnections.id, id))
    .returning();
  return row ?? panic(`processor connection ${id} vanished while locked`);
}

/**
 * The tenant's one connection, created or replaced, its id kept on replace (the sealed secrets are bound
 * to it). Two first connects of a tenant at once: the loser's insert does nothing once the winner commits,
 * and it replaces the winner's row instead, so the last connect wins either way.
 */
async function upsertConnection(
  tx: Executor,
  tenant: ProcessorTenant,
  keyring: Keyring,
  keys: NewKeys,
  now: Date,
): Promise<ConnectResult> {
  const existing = await lockedConnection(tx, tenant);
  if (existing)
    return { connection: await replaceConnection(tx, keyring, existing.id, keys, now), created: false };
  const id = newId("processorConnection");
  const [inserted] = await tx
    .insert(processorConnections)
    .values({
      id,
      organizationId: tenant.organizationId,
      livemode: tenant.livemode,
      ...connectionValues(keyring, id, keys, now),
      createdAt: now,
    })
    .onConflictDoNothing({ target: [processorConnections.organizationId, processorConnections.livemode] })
    .returning();
  if (inserted) return { connection: inserted, created: true };
  const raced = await lockedConnection(tx, tenant);
  if (!raced) throw conflict("The Stripe connection changed while connecting; try again");
  return { connection: await replaceConnection(tx, keyring, raced.id, keys, now), created: false };
}

/**
 * Connects (or replaces) the tenant's Stripe account for the tenant's mode. In order, each refusal before
 * anything is stored: the key formats and their mode (400), an encryption key to seal with (422), Stripe's
 * word on the secret key (400, or 503 when Stripe cannot answer). Then one transaction writes the row with
 * both secrets sealed, and this process stops using what it knew of the old connection.
 */
export async function connectStripe(
  deps: Pick<AppDeps, "db" | "config" | "processors">,
  merchant: ProcessorTenant,
  input: StripeKeys,
  now: Date,
): Promise<ConnectResult> {
  checkStripeKeys(input, merchant.livemode);
  const keyring = requireKeyring(deps.config);
  const accountId = await verifiedAccountId(deps.config, input.secretKey);
  const keys: NewKeys = { ...input, accountId };
  const result = await deps.db.transaction((tx) => upsertConnection(tx, merchant, keyring, keys, now));
  deps.processors.forget(merchant);
  return result;
}
