import { createHash } from "node:crypto";
import { and, eq, lt, sql } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppDeps } from "../context/index.js";
import { idempotencyKeys } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { AppError } from "../lib/errors.js";
import type { AppEnv } from "./types.js";

const KEY_TTL_MS = 24 * 60 * 60 * 1000;
/** A first request still "running" after this long is presumed dead (its process crashed). */
const STALE_LOCK_MS = 60 * 1000;

/**
 * Stripe-style Idempotency-Key on every POST: the same key and body replay the first response for 24 h,
 * the same key with another body is refused, and a concurrent duplicate is told to retry.
 * 5xx responses are not stored: the work rolled back, so a retry must be allowed to run it.
 */
export function idempotency(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header("idempotency-key");
    if (c.req.method !== "POST" || key === undefined) return next();
    if (key.length === 0 || key.length > 255) {
      throw new AppError("BAD_REQUEST", "Idempotency-Key must be 1 to 255 characters");
    }
    const merchant = c.get("merchant");
    const body = await c.req.text();
    const requestHash = createHash("sha256").update(`${c.req.method}\n${c.req.path}\n${body}`).digest("hex");
    const scope = and(ownedBy(idempotencyKeys, merchant), eq(idempotencyKeys.key, key));
    const now = deps.now();
    await deps.db
      .delete(idempotencyKeys)
      .where(and(scope, lt(idempotencyKeys.createdAt, new Date(now.getTime() - KEY_TTL_MS))));
    const inserted = await deps.db
      .insert(idempotencyKeys)
      .values({
        organizationId: merchant.organizationId,
        livemode: merchant.livemode,
        key,
        method: c.req.method,
        path: c.req.path,
        requestHash,
        lockedAt: now,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });

    if (inserted.length === 0) {
      const [existing] = await deps.db.select().from(idempotencyKeys).where(scope);
      if (!existing)
        throw new AppError("CONFLICT", "Idempotency-Key is being released, retry", { retryable: true });
      if (existing.requestHash !== requestHash) {
        throw new AppError(
          "UNPROCESSABLE_CONTENT",
          "Idempotency-Key was already used with a different request",
        );
      }
      if (existing.responseStatus !== null && existing.responseBody !== null) {
        c.header("idempotent-replayed", "true");
        c.header("content-type", "application/json");
        return c.body(existing.responseBody, existing.responseStatus as ContentfulStatusCode);
      }
      const takeover = await deps.db
        .update(idempotencyKeys)
        .set({ lockedAt: now })
        .where(
          and(
            scope,
            lt(idempotencyKeys.lockedAt, new Date(now.getTime() - STALE_LOCK_MS)),
            sql`response_status is null`,
          ),
        )
        .returning({ key: idempotencyKeys.key });
      if (takeover.length === 0) {
        throw new AppError("CONFLICT", "A request with this Idempotency-Key is still in progress", {
          retryable: true,
        });
      }
    }

    await next();
    const status = c.res.status;
    if (status >= 500) {
      await deps.db.delete(idempotencyKeys).where(scope);
      return;
    }
    const responseBody = await c.res.clone().text();
    await deps.db.update(idempotencyKeys).set({ responseStatus: status, responseBody }).where(scope);
  };
}
