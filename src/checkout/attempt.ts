import { and, eq } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { checkoutSessions } from "../db/schema/index.js";
import type { AppDeps } from "../http/types.js";
import { AppError, notFound } from "../lib/errors.js";
import { recordPayment } from "../payments/index.js";
import type { IntentResult } from "../payments/processor.js";
import { emitEvent } from "../webhooks/index.js";
import { sessionMerchant } from "./charge-plan.js";
import { markSessionExpired } from "./expire.js";
import { type CheckoutSessionRow, serializeCheckoutSession } from "./serialize.js";

/** After this many declined attempts a session fails for good: it stops being a card-testing oracle. */
export const MAX_DECLINED_ATTEMPTS = 5;

export type BuyerDetails = { email: string; name: string; country: string };

export async function lockSession(tx: Executor, sessionId: string): Promise<CheckoutSessionRow | undefined> {
  const [session] = await tx
    .select()
    .from(checkoutSessions)
    .where(eq(checkoutSessions.id, sessionId))
    .for("update");
  return session;
}

export type AttemptStart =
  | { kind: "started"; session: CheckoutSessionRow }
  | { kind: "finished"; session: CheckoutSessionRow }
  | { kind: "in_progress"; session: CheckoutSessionRow };

/**
 * Claims the session for one confirm attempt. The row lock plus the open → pending move is what makes a
 * double click, a reload or a hundred concurrent confirms produce one charge: only one caller finds it open.
 */
export async function beginAttempt(
  deps: AppDeps,
  sessionId: string,
  buyer: BuyerDetails,
): Promise<AttemptStart> {
  const outcome = await deps.db.transaction(async (tx) => {
    const session = await lockSession(tx, sessionId);
    if (!session) throw notFound("Checkout session");
    const now = deps.now();
    if (session.status === "succeeded") return { kind: "finished" as const, session };
    if (session.status === "pending") return { kind: "in_progress" as const, session };
    if (session.status === "open" && session.expiresAt.getTime() <= now.getTime()) {
      await markSessionExpired(tx, session.id, now);
      return { kind: "expired" as const };
    }
    if (session.status !== "open") return { kind: "closed" as const, session };
    // A known customer's identity comes from the merchant, not from the form.
    const identity = session.customerId ? {} : { customerEmail: buyer.email, customerName: buyer.name };
    const [claimed] = await tx
      .update(checkoutSessions)
      .set({
        ...identity,
        status: "pending",
        attempt: session.attempt + 1,
        billingAddress: { name: buyer.name, email: buyer.email, address: { country: buyer.country } },
        paymentMethodType: "card",
        processorIntentId: null,
        lastError: null,
        updatedAt: now,
      })
      .where(and(eq(checkoutSessions.id, session.id), eq(checkoutSessions.status, "open")))
      .returning();
    if (!claimed) throw new Error("locked session changed underneath us");
    return { kind: "started" as const, session: claimed };
  });
  if (outcome.kind === "expired") throw new AppError("GONE", "This checkout session has expired.");
  if (outcome.kind === "closed")
    throw new AppError("GONE", `This checkout session is ${outcome.session.status}.`);
  return outcome;
}

/** Remembers the intent that is waiting on the customer's challenge answer, for that attempt only. */
export async function awaitChallenge(
  deps: AppDeps,
  session: CheckoutSessionRow,
  intent: IntentResult,
): Promise<CheckoutSessionRow> {
  const [updated] = await deps.db
    .update(checkoutSessions)
    .set({ processorIntentId: intent.intentId, updatedAt: deps.now() })
    .where(
      and(
        eq(checkoutSessions.id, session.id),
        eq(checkoutSessions.status, "pending"),
        eq(checkoutSessions.attempt, session.attempt),
      ),
    )
    .returning();
  return updated ?? session;
}

/**
 * A declined attempt: the session goes back to open (or fails after too many declines), the failed
 * payment is recorded when we know whose it was, and nothing else is created.
 */
export async function settleDecline(
  deps: AppDeps,
  sessionId: string,
  attempt: number,
  intent: IntentResult | undefined,
  message: string,
): Promise<CheckoutSessionRow> {
  return deps.db.transaction(async (tx) => {
    const session = await lockSession(tx, sessionId);
    if (!session) throw notFound("Checkout session");
    // A late answer about an earlier attempt (a second tab, the reconciler) must not reopen a newer one.
    if (session.status !== "pending" || session.attempt !== attempt) return session;
    const now = deps.now();
    const failed = session.attempt >= MAX_DECLINED_ATTEMPTS;
    const [updated] = await tx
      .update(checkoutSessions)
      .set({
        status: failed ? "failed" : "open",
        lastError: message,
        processorIntentId: intent?.intentId ?? null,
        updatedAt: now,
      })
      .where(eq(checkoutSessions.id, session.id))
      .returning();
    if (!updated) throw new Error("locked session vanished");
    const merchant = sessionMerchant(session);
    if (intent && intent.kind === "payment" && intent.amount > 0) {
      await recordPayment(tx, merchant, {
        customerId: session.customerId,
        pricingModelId: session.pricingModelId,
        amount: intent.amount,
        currency: intent.currency,
        status: "failed",
        processor: deps.processor.name,
        processorIntentId: intent.intentId,
        checkoutSessionId: session.id,
        subscriptionId: session.targetSubscriptionId ?? undefined,
        failureCode: intent.failure?.code,
        failureMessage: intent.failure?.message ?? message,
      });
    }
    if (failed) {
      await emitEvent(tx, {
        organizationId: updated.organizationId,
        livemode: updated.livemode,
        type: "checkout_session.failed",
        objectType: "checkout_session",
        objectId: updated.id,
        object: serializeCheckoutSession(updated),
      });
    }
    return updated;
  });
}
