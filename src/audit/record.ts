import { and, desc, eq, lt, or } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { type AuditActor, auditLog } from "../db/schema/index.js";
import type { Tenant } from "../db/statement.js";
import { newId } from "../lib/ids.js";

export type AuditEntry = typeof auditLog.$inferSelect;

export type AuditInput = {
  actor: AuditActor;
  action: string;
  objectType?: string;
  objectId?: string;
  before?: unknown;
  after?: unknown;
};

/** Appends one entry; call it in the transaction of the change it records, so neither exists without the other. */
export async function recordAudit(db: Executor, tenant: Tenant, input: AuditInput, now: Date): Promise<void> {
  await db.insert(auditLog).values({
    id: newId("auditEntry"),
    organizationId: tenant.organizationId,
    livemode: tenant.livemode,
    actorType: input.actor.type,
    actorId: input.actor.id,
    actorLabel: input.actor.label,
    action: input.action,
    objectType: input.objectType ?? null,
    objectId: input.objectId ?? null,
    before: input.before ?? null,
    after: input.after ?? null,
    createdAt: now,
  });
}

/** A page of the organization's entries in one mode, newest first; the cursor is the last entry's id. */
export async function listAuditEntries(
  db: Executor,
  tenant: Tenant,
  options: { limit: number; after?: AuditEntry },
): Promise<{ entries: AuditEntry[]; next: string | null }> {
  const scope = and(
    eq(auditLog.organizationId, tenant.organizationId),
    eq(auditLog.livemode, tenant.livemode),
  );
  const older = options.after
    ? or(
        lt(auditLog.createdAt, options.after.createdAt),
        and(eq(auditLog.createdAt, options.after.createdAt), lt(auditLog.id, options.after.id)),
      )
    : undefined;
  const rows = await db
    .select()
    .from(auditLog)
    .where(older ? and(scope, older) : scope)
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(options.limit + 1);
  const entries = rows.slice(0, options.limit);
  return { entries, next: rows.length > options.limit ? (entries.at(-1)?.id ?? null) : null };
}

export async function getAuditEntry(
  db: Executor,
  tenant: Tenant,
  id: string,
): Promise<AuditEntry | undefined> {
  const [row] = await db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.id, id),
        eq(auditLog.organizationId, tenant.organizationId),
        eq(auditLog.livemode, tenant.livemode),
      ),
    );
  return row;
}
