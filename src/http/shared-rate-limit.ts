import { lt, sql } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { queryRows } from "../db/raw.js";
import { clientAttempts } from "../db/schema/index.js";
import type { RateLimitDecision } from "./rate-limit.js";

export type SharedRateLimiter = {
  /** Counts one action for `client` in the database and says whether it may go ahead. */
  take: (client: string) => Promise<RateLimitDecision>;
};

/** How long a window's row is kept after it starts: the longest window a limit may use, and then some. */
export const CLIENT_ATTEMPTS_KEPT_MS = 24 * 60 * 60 * 1000;

/**
 * A fixed-window counter per client kept in the database, so that every process and every session counts
 * against the same budget: card testing spreads its attempts over many sessions and, behind a load
 * balancer, over many processes. One upsert per action (the row of the client's current window).
 * In-process requests have no client address ("unknown") and are not counted.
 */
export function createSharedRateLimiter(
  db: Executor,
  options: { scope: string; limit: number; windowMs: number; now: () => number },
): SharedRateLimiter {
  return {
    async take(client) {
      if (client === "unknown") return { allowed: true };
      const now = options.now();
      const start = now - (now % options.windowMs);
      const [row] = await queryRows<{ count: number }>(
        db,
        sql`insert into client_attempts (key, window_start, count)
          values (${`${options.scope}:${client}`}, ${new Date(start).toISOString()}::timestamptz, 1)
          on conflict (key, window_start) do update set count = client_attempts.count + 1
          returning count`,
      );
      if ((row?.count ?? 0) <= options.limit) return { allowed: true };
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((start + options.windowMs - now) / 1000)),
      };
    },
  };
}

/** Background sweep: windows long over are of no use. */
export async function deleteOldClientAttempts(db: Executor, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - CLIENT_ATTEMPTS_KEPT_MS);
  const deleted = await db
    .delete(clientAttempts)
    .where(lt(clientAttempts.windowStart, cutoff))
    .returning({ key: clientAttempts.key });
  return deleted.length;
}
