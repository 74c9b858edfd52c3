import { and, eq, inArray } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { usageEvents } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { notFound } from "../lib/errors.js";
import type { UsageEventRow } from "./serialize-event.js";

export async function getUsageEvent(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<UsageEventRow | undefined> {
  const [row] = await db
    .select()
    .from(usageEvents)
    .where(and(ownedBy(usageEvents, merchant), eq(usageEvents.id, id)));
  return row;
}

export async function requireUsageEvent(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<UsageEventRow> {
  const row = await getUsageEvent(db, merchant, id);
  if (!row) throw notFound("Usage event", id);
  return row;
}

/** The events already recorded under these transaction ids (by the tenant's unique index on them). */
export async function findUsageEventsByTransaction(
  db: Executor,
  merchant: Merchant,
  transactionIds: string[],
): Promise<UsageEventRow[]> {
  if (transactionIds.length === 0) return [];
  return db
    .select()
    .from(usageEvents)
    .where(and(ownedBy(usageEvents, merchant), inArray(usageEvents.transactionId, transactionIds)));
}
