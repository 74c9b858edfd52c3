/**
 * Retry schedule for failed deliveries: 30 s, 1 min, 2 min, ... doubling up to 12 h between attempts,
 * for at least three days. Jitter is only ever added, never subtracted, so the nominal schedule is a
 * lower bound on real elapsed time: that is what lets the window be counted in attempts (no extra
 * column, and a worker outage only stretches it) while still promising "at least 3 days".
 */
export const RETRY_BASE_MS = 30_000;
export const RETRY_MAX_DELAY_MS = 12 * 60 * 60 * 1000;
export const RETRY_WINDOW_MS = 3 * 24 * 60 * 60 * 1000;
/** Up to this fraction of the delay is added at random so endpoints that fail together do not retry together. */
export const RETRY_JITTER = 0.2;

/** Nominal wait after the `failedAttempts`-th consecutive failure (1-based). */
export function retryDelayMs(failedAttempts: number): number {
  const exponent = Math.max(0, failedAttempts - 1);
  // 2^exponent overflows to Infinity long after the cap is reached; Math.min handles that.
  return Math.min(RETRY_BASE_MS * 2 ** exponent, RETRY_MAX_DELAY_MS);
}

/** Smallest time that must have passed between the first attempt and attempt number `attempts`. */
export function nominalElapsedMs(attempts: number): number {
  let total = 0;
  for (let failed = 1; failed < attempts; failed++) total += retryDelayMs(failed);
  return total;
}

/** Total attempts in one delivery cycle: the first one whose distance from the first reaches the window. */
export const MAX_ATTEMPTS = (() => {
  let attempts = 1;
  while (nominalElapsedMs(attempts) < RETRY_WINDOW_MS) attempts++;
  return attempts;
})();

/**
 * After `attempts` attempts of the current cycle have failed: when to try again, or null when the
 * window is used up and the delivery is to be marked failed.
 */
export function nextAttemptAt(attempts: number, now: Date, random: () => number = Math.random): Date | null {
  if (attempts >= MAX_ATTEMPTS) return null;
  const delay = retryDelayMs(attempts);
  return new Date(now.getTime() + delay + Math.floor(delay * RETRY_JITTER * random()));
}
