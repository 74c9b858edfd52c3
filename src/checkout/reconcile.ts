import { and, eq, lt } from "drizzle-orm";
import type { AppDeps } from "../context/index.js";
import { checkoutSessions } from "../db/schema/index.js";
import { awaitChallenge, settleDecline } from "./attempt.js";
import { settleIntent } from "./confirm.js";

/** How long an attempt may sit in `pending` before we assume its process died mid-flight. */
export const STALE_ATTEMPT_MS = 2 * 60 * 1000;
/** How long past the session's expiry an unanswered challenge may wait before it is declined. */
export const CHALLENGE_GRACE_MS = 15 * 60 * 1000;

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
      await settleDecline(
        deps,
        session.id,
        session.attempt,
        undefined,
        "The payment was interrupted. Please try again.",
      );
      settled++;
      continue;
    }
    if (intent.status === "requires_action") {
      if (session.expiresAt.getTime() + CHALLENGE_GRACE_MS <= deps.now().getTime()) {
        // Never answered and the session is over: the challenge is declined, which reopens the session
        // for the expiry sweeper instead of leaving it pending for ever.
        await settleIntent(deps, session, await deps.processor.completeChallenge(intent.intentId, "deny"));
        settled++;
      } else if (!session.processorIntentId) {
        // The crash lost the intent id between the processor's answer and our write: without it the
        // challenge page cannot be shown, so put it back. Answering stays the customer's to do.
        await awaitChallenge(deps, session, intent);
        settled++;
      }
      continue;
    }
    await settleIntent(deps, session, intent);
    settled++;
  }
  return settled;
}
