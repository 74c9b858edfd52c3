import { and, eq, lte } from "drizzle-orm";
import type { AppDeps, Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { checkoutSessions } from "../db/schema/index.js";
import { inConstants, ownedBy } from "../db/statement.js";
import { conflict, notFound } from "../lib/errors.js";
import { emitEvent } from "../webhooks/index.js";
import { type CheckoutSessionRow, serializeCheckoutSession } from "./serialize.js";

/**
 * Moves one open session to `expired` and announces it, in the caller's transaction. Returns undefined
 * when the session was no longer open (someone else finished or expired it first).
 */
export async function markSessionExpired(
  tx: Executor,
  sessionId: string,
  now: Date,
): Promise<CheckoutSessionRow | undefined> {
  const [expired] = await tx
    .update(checkoutSessions)
    .set({ status: "expired", updatedAt: now })
    .where(and(eq(checkoutSessions.id, sessionId), eq(checkoutSessions.status, "open")))
    .returning();
  if (!expired) return undefined;
  await emitEvent(
    tx,
    {
      organizationId: expired.organizationId,
      livemode: expired.livemode,
      type: "checkout_session.expired",
      objectType: "checkout_session",
      objectId: expired.id,
      object: serializeCheckoutSession(expired),
    },
    now,
  );
  return expired;
}

/** An open session past its expiry is expired on first sight and the change is written, not just shown. */
export async function expireIfDue(deps: AppDeps, session: CheckoutSessionRow): Promise<CheckoutSessionRow> {
  const now = deps.now();
  if (session.status !== "open" || session.expiresAt.getTime() > now.getTime()) return session;
  const expired = await deps.db.transaction((tx) => markSessionExpired(tx, session.id, now));
  if (expired) return expired;
  const [current] = await deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, session.id));
  return current ?? session;
}

export async function findSessionForMerchant(
  deps: AppDeps,
  merchant: Merchant,
  id: string,
): Promise<CheckoutSessionRow | undefined> {
  const [session] = await deps.db
    .select()
    .from(checkoutSessions)
    .where(and(eq(checkoutSessions.id, id), ownedBy(checkoutSessions, merchant)));
  return session;
}

export async function getCheckoutSession(
  deps: AppDeps,
  merchant: Merchant,
  id: string,
): Promise<CheckoutSessionRow> {
  const session = await findSessionForMerchant(deps, merchant, id);
  if (!session) throw notFound("Checkout session", id);
  return expireIfDue(deps, session);
}

/**
 * Stripe's `expire`: only an open session can be expired; expiring an expired one is a no-op. `onExpired` runs
 * in the expiring transaction (a caller's audit entry commits with the change), only when this call expired it.
 */
export async function expireCheckoutSession(
  deps: AppDeps,
  merchant: Merchant,
  id: string,
  onExpired?: (tx: Executor, before: CheckoutSessionRow, after: CheckoutSessionRow) => Promise<void>,
): Promise<CheckoutSessionRow> {
  const session = await getCheckoutSession(deps, merchant, id);
  if (session.status === "expired") return session;
  if (session.status !== "open")
    throw conflict(`Checkout session ${id} is ${session.status} and cannot be expired`);
  const expired = await deps.db.transaction(async (tx) => {
    const done = await markSessionExpired(tx, id, deps.now());
    if (done) await onExpired?.(tx, session, done);
    return done;
  });
  if (expired) return expired;
  // Lost a race with a confirm or the sweeper: report the state that won.
  return getCheckoutSession(deps, merchant, id);
}

/** Background sweep: expires due sessions in batches; safe to run from several processes at once. */
export async function sweepExpiredSessions(deps: AppDeps, batchSize = 200): Promise<number> {
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const due = await tx
      .select({ id: checkoutSessions.id })
      .from(checkoutSessions)
      // On the in-play index (status, expires_at): the due ones are its first entries, however many
      // finished sessions the table holds.
      .where(and(inConstants(checkoutSessions.status, ["open"]), lte(checkoutSessions.expiresAt, now)))
      .orderBy(checkoutSessions.expiresAt)
      .limit(batchSize)
      .for("update", { skipLocked: true });
    let count = 0;
    for (const { id } of due) {
      if (await markSessionExpired(tx, id, now)) count++;
    }
    return count;
  });
}
