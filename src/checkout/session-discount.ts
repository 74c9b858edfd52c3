import { and, eq, gt, inArray } from "drizzle-orm";
import type { AppDeps } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { checkoutSessions } from "../db/schema/index.js";
import { type DiscountRow, findDiscountByCode } from "../discounts/index.js";
import { AppError } from "../lib/errors.js";
import type { CheckoutSessionRow } from "./serialize.js";

/**
 * Takes a discount that stopped being usable off a session about to be charged (only if it is still the one
 * applied): an open session, or one this confirm has just claimed. A finished session keeps its discount.
 */
export async function clearSessionDiscount(
  db: Executor,
  sessionId: string,
  discountId: string,
  now: Date,
): Promise<void> {
  await db
    .update(checkoutSessions)
    .set({ discountId: null, updatedAt: now })
    .where(
      and(
        eq(checkoutSessions.id, sessionId),
        eq(checkoutSessions.discountId, discountId),
        inArray(checkoutSessions.status, ["open", "pending"]),
      ),
    );
}

const NOT_VALID = "This code is not valid for this purchase.";

/**
 * The customer applies a code (or, with null, removes it) on the hosted page. One conditional update: only
 * an open, unexpired product session changes, so a code can never slip in while a confirm holds the session
 * (the claim takes the same row). The code must name an active discount of the session's own pricing model,
 * organization and mode; any other code, whoever's it is, gets the same answer.
 */
export async function setSessionDiscountCode(
  deps: AppDeps,
  session: CheckoutSessionRow,
  code: string | null,
): Promise<{ session: CheckoutSessionRow; discount: DiscountRow | null }> {
  if (session.type !== "product")
    throw new AppError("BAD_REQUEST", "Discount codes apply to purchases only.");
  let discount: DiscountRow | null = null;
  if (code !== null) {
    const found = await findDiscountByCode(deps.db, session, session.pricingModelId, code);
    if (!found?.active) throw new AppError("BAD_REQUEST", NOT_VALID);
    discount = found;
  }
  const discountId = discount?.id ?? null;
  const now = deps.now();
  const [updated] = await deps.db
    .update(checkoutSessions)
    .set({ discountId, updatedAt: now })
    .where(
      and(
        eq(checkoutSessions.id, session.id),
        eq(checkoutSessions.status, "open"),
        gt(checkoutSessions.expiresAt, now),
      ),
    )
    .returning();
  if (!updated) throw new AppError("CONFLICT", "This checkout can no longer be changed.");
  return { session: updated, discount };
}

/** Whether `code` (typed in any case) is the one applied to the session. */
export async function isAppliedCode(
  deps: AppDeps,
  session: CheckoutSessionRow,
  code: string,
): Promise<boolean> {
  if (!session.discountId) return false;
  const found = await findDiscountByCode(deps.db, session, session.pricingModelId, code);
  return found?.id === session.discountId;
}
