import { and, lt } from "drizzle-orm";
import type { AppDeps, IntentResult } from "../context/index.js";
import { checkoutSessions } from "../db/schema/index.js";
import { inConstants } from "../db/statement.js";
import { AppError } from "../lib/errors.js";
import { attachIntent, settleDecline } from "./attempt.js";
import { sessionMerchant } from "./charge-plan.js";
import { settleIntent } from "./confirm.js";
import type { CheckoutSessionRow } from "./serialize.js";

/** How long an attempt may sit in `pending` before we assume its process died mid-flight. */
export const STALE_ATTEMPT_MS = 2 * 60 * 1000;
/** How long past the session's expiry an unanswered challenge may wait before it is declined. */
export const CHALLENGE_GRACE_MS = 15 * 60 * 1000;

const INTERRUPTED = "The payment was interrupted. Please try again.";

/**
 * What the processor knows of the attempt in flight. Undefined when no intent was ever made for it: the
 * process died before the processor call, or (Stripe) before the intent id was stored, in which case the
 * page never got the client secret and nothing can have been charged.
 */
async function attemptIntent(deps: AppDeps, session: CheckoutSessionRow): Promise<IntentResult | undefined> {
  const merchant = sessionMerchant(session);
  if (session.processorIntentId) {
    const processor = await deps.processors.named(merchant, session.processor);
    return processor.retrieveIntent(session.processorIntentId);
  }
  // The claim leaves the attempt the sandbox's until an intent is attached; live mode has no sandbox.
  if (session.livemode) return undefined;
  const processor = await deps.processors.named(merchant, "sandbox");
  return processor.findIntentByIdempotencyKey(`${session.id}:${session.attempt}`);
}

/**
 * Finishes one attempt whose process crashed between the processor call and the database write, or whose
 * customer left mid-payment: the processor is asked what happened, and the session is settled accordingly.
 * A charge that happened is fulfilled exactly once; one that never happened reopens the session.
 */
async function reconcileAttempt(deps: AppDeps, session: CheckoutSessionRow): Promise<boolean> {
  const intent = await attemptIntent(deps, session);
  if (!intent) {
    await settleDecline(deps, session.id, session.attempt, undefined, INTERRUPTED);
    return true;
  }
  if (intent.status === "requires_action") {
    if (session.expiresAt.getTime() + CHALLENGE_GRACE_MS <= deps.now().getTime()) {
      // Never answered and the session is over: the intent is ended, which reopens the session for the
      // expiry sweeper instead of leaving it pending for ever (or fulfils it, if the answer came first).
      const processor = await deps.processors.named(sessionMerchant(session), intent.processor);
      await settleIntent(deps, session, await processor.cancelIntent(intent.intentId));
      return true;
    }
    if (!session.processorIntentId) {
      // The crash lost the intent id between the processor's answer and our write: without it the
      // challenge page cannot be shown, so put it back. Answering stays the customer's to do.
      await attachIntent(deps, session, intent);
      return true;
    }
    return false;
  }
  // An asynchronous payment still in the processor's hands: its webhook settles it, or a later sweep.
  if (intent.status === "processing") return false;
  await settleIntent(deps, session, intent);
  return true;
}

export async function reconcilePendingSessions(
  deps: AppDeps,
  options: { staleMs?: number; limit?: number } = {},
): Promise<number> {
  const cutoff = new Date(deps.now().getTime() - (options.staleMs ?? STALE_ATTEMPT_MS));
  const stale = await deps.db
    .select()
    .from(checkoutSessions)
    .where(and(inConstants(checkoutSessions.status, ["pending"]), lt(checkoutSessions.updatedAt, cutoff)))
    .limit(options.limit ?? 100);
  let settled = 0;
  for (const session of stale) {
    try {
      if (await reconcileAttempt(deps, session)) settled++;
    } catch (err) {
      // One tenant's processor being unreachable (or disconnected) must not stall everyone else's.
      const log = err instanceof AppError ? deps.logger.warn : deps.logger.error;
      log.call(deps.logger, { err, sessionId: session.id }, "could not reconcile a pending attempt");
    }
  }
  return settled;
}
