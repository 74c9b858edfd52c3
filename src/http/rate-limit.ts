export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export type RateLimiter = {
  /** Counts one action for `key` and says whether it may go ahead. */
  take: (key: string) => RateLimitDecision;
  /** Clients currently remembered; never more than `maxClients`. */
  size: () => number;
};

export type RateLimitOptions = {
  limit: number;
  windowMs: number;
  maxClients: number;
  now: () => number;
};

/** New purchase-link sessions per client per window: far above a person, far below a script. */
export const PURCHASE_RATE_LIMIT = { limit: 20, windowMs: 10 * 60 * 1000, maxClients: 10_000 };

/**
 * Fixed-window counter per client, in memory. The map is bounded: expired windows are dropped first, then the
 * oldest window, so a flood of distinct clients costs memory only up to `maxClients`. Each process counts on
 * its own; several processes multiply the budget, which is acceptable for a brake (not a quota).
 */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();

  function makeRoom(now: number): void {
    for (const [key, w] of windows) {
      if (windows.size < options.maxClients) return;
      // Entries are kept in window-start order (see below), so the first live one ends the sweep.
      if (now - w.start < options.windowMs) break;
      windows.delete(key);
    }
    while (windows.size >= options.maxClients) {
      const oldest = windows.keys().next();
      if (oldest.done) return;
      windows.delete(oldest.value);
    }
  }

  return {
    take(key) {
      const now = options.now();
      let w = windows.get(key);
      if (w && now - w.start >= options.windowMs) {
        windows.delete(key);
        w = undefined;
      }
      if (!w) {
        makeRoom(now);
        // Re-inserting on every new window keeps the map ordered by window start.
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      if (w.count >= options.limit) {
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil((w.start + options.windowMs - now) / 1000)),
        };
      }
      w.count++;
      return { allowed: true };
    },
    size: () => windows.size,
  };
}

export { clientAddress } from "./client-address.js";
