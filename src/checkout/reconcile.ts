import { and, eq, lt } from "drizzle-orm";
import { checkoutSessions } from "../db/schema/index.js";
import type { AppDeps } from "../http/types.js";
import { settleDecline } from "./attempt.js";
import { settleIntent } from "./confirm.js";

/** How long an attempt may sit in `pending` before we assume its process died mid-flight. */
export const STALE_ATTEMPT_MS = 2 * 60 * 1000;

/**
 * Finishes attempts whose process crashed between the processor call and the database write: the
 * processor is asked what happened to `<session>:<attempt>`, and the session is settled accordingly.
 * A charge that happened is fulfilled exactly once; one that never happened reopens the session.
 */
export async function reconcilePendingSessions(
  deps: AppDeps,
  options: { staleMs?: number; limit?: number } = {},
): Promise<number> {
  const cutoff = new Date(deps.now().getTime() - (options.staleMs ?? STALE_ATTEMPT_MS));
  const stale = await deps.db
    .select()
    .from(checkoutSessions)
    .where(and(eq(checkoutSessions.status, "pending"), lt(checkoutSessions.updatedAt, cutoff)))
    .limit(options.limit ?? 100);
  let settled = 0;
  for (const session of stale) {
    const intent = session.processorIntentId
      ? await deps.processor.retrieveIntent(session.processorIntentId)
      : await deps.processor.findIntentByIdempotencyKey(`${session.id}:${session.attempt}`);
    if (!intent) {
      await settleDecline(deps, session.id, undefined, "The payment was interrupted. Please try again.");
      settled++;
      continue;
    }
    // A challenge still waiting on the customer is theirs to answer, not ours.
    if (intent.status === "requires_action") continue;
    await settleIntent(deps, session, intent);
    settled++;
  }
  return settled;
}
