import type { AppDeps, ProcessorTenant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { processorConnections } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { AppError } from "../lib/errors.js";
import { keyringOf } from "../lib/secrets.js";
import { openSecrets } from "./connection-encryption.js";
import { type ProcessorConnectionRecord, serializeProcessorConnection } from "./serialize.js";

/** A stored connection as its row holds it: the secrets sealed. */
export type ConnectionRow = typeof processorConnections.$inferSelect;

/** A connection with its secrets opened: what builds the tenant's processor. Held in memory, never answered. */
export type OpenConnection = {
  id: string;
  organizationId: string;
  livemode: boolean;
  processor: "stripe";
  accountId: string;
  publishableKey: string;
  secretKey: string;
  webhookSecret: string;
  updatedAt: Date;
};

const modeName = (livemode: boolean) => (livemode ? "live" : "test");

/** The 404 of a tenant without a connection, naming the mode (the other mode may well have one). */
export const noConnection = (tenant: ProcessorTenant) =>
  new AppError(
    "NOT_FOUND",
    `No Stripe connection for this organization in ${modeName(tenant.livemode)} mode`,
  );

/** The one connection of a tenant (an organization in one mode), if any. */
export async function getConnectionRow(
  db: Executor,
  tenant: ProcessorTenant,
): Promise<ConnectionRow | undefined> {
  const [row] = await db.select().from(processorConnections).where(ownedBy(processorConnections, tenant));
  return row;
}

/**
 * The tenant's connection with its secrets opened, for the processor registry and the webhook route. A
 * stored connection that cannot be opened is a server fault (the start-up check refuses to start without
 * its key), so it throws a plain Error rather than answering as if nothing were connected.
 */
export async function readConnection(
  deps: Pick<AppDeps, "db" | "config">,
  tenant: ProcessorTenant,
): Promise<OpenConnection | undefined> {
  const row = await getConnectionRow(deps.db, tenant);
  if (!row) return undefined;
  const keyring = keyringOf(deps.config);
  if (!keyring) {
    throw new Error(
      `The ${modeName(row.livemode)}-mode processor connection ${row.id} cannot be opened: GLADE_ENCRYPTION_KEY is not set`,
    );
  }
  return {
    id: row.id,
    organizationId: row.organizationId,
    livemode: row.livemode,
    processor: row.processor,
    accountId: row.accountId,
    publishableKey: row.publishableKey,
    ...openSecrets(keyring, row),
    updatedAt: row.updatedAt,
  };
}

/** What the API and the CLI show of a tenant's connection: never a secret, so nothing is opened. */
export async function describeConnection(
  deps: Pick<AppDeps, "db" | "config">,
  tenant: ProcessorTenant,
): Promise<ProcessorConnectionRecord | undefined> {
  const row = await getConnectionRow(deps.db, tenant);
  return row ? serializeProcessorConnection(row, deps.config.publicUrl) : undefined;
}
