import type { AppDeps } from "../context/index.js";
import type { RateLimitDecision } from "../http/rate-limit.js";
import { createSharedRateLimiter, type SharedRateLimiter } from "../http/shared-rate-limit.js";

/**
 * Card payments tried per client across every session and process (GLADE_CARD_ATTEMPTS_PER_CLIENT per
 * GLADE_CARD_ATTEMPT_WINDOW_MINUTES). Each session already fails for good after a few declines; card testing
 * moves on to fresh sessions, so the budget that stops it belongs to the client, kept in the database.
 */
export function createCardAttemptLimiter(deps: AppDeps): SharedRateLimiter {
  return createSharedRateLimiter(deps.db, {
    scope: "card",
    ...deps.config.cardAttempts,
    now: () => deps.now().getTime(),
  });
}

export function tooManyCardAttempts(decision: RateLimitDecision): string {
  const minutes = decision.allowed ? 1 : Math.max(1, Math.ceil(decision.retryAfterSeconds / 60));
  return `Too many card payments were tried from your network. Nothing was charged; wait ${minutes} minute${minutes === 1 ? "" : "s"} and try again.`;
}
