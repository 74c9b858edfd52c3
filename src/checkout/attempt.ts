import { and, eq, getTableColumns, gt, sql } from "drizzle-orm";
import { joinPriceAndProduct, type PriceAndProduct, priceAndProductFields } from "../catalog/index.js";
import type { AppDeps, IntentResult } from "../context/index.js";
import { joinCheckoutBuyer } from "../customers/index.js";
import type { Executor } from "../db/client.js";
import { type BillingAddress, checkoutSessions } from "../db/schema/index.js";
import { param, statement } from "../db/statement.js";
import { AppError, notFound, panic } from "../lib/errors.js";
import { recordPayment } from "../payments/index.js";
import { emitEvent, transactionWithEvents } from "../webhooks/index.js";
import { intentPayment, sessionMerchant } from "./charge-plan.js";
import { markSessionExpired } from "./expire.js";
import { type CheckoutSessionRow, serializeCheckoutSession } from "./serialize.js";
import { lockSessionVersion, readingFields, readingOf, type SessionReading } from "./session-reading.js";

/** After this many declined attempts a session fails for good: it stops being a card-testing oracle. */
export const MAX_DECLINED_ATTEMPTS = 5;

export type BuyerDetails = { email: string; name: string; country: string };

export async function lockSession(tx: Executor, sessionId: string): Promise<CheckoutSessionRow | undefined> {
  return (await lockSessionVersion(tx, sessionId))?.session;
}

/**
 * The open → pending move of one confirm attempt, as one conditional update: only a caller that finds the
 * session open (and not yet expired) gets a row back. Buyer details are written only for anonymous
 * sessions: a known customer's identity comes from the merchant, not from the form. The claimed row comes
 * back with the price it names (and that price's product), which the charge is planned from: one
 * statement where a confirm used to read the session, then its price, then claim it.
 */
const claimSession = statement("claim_checkout_session", (db) => {
  const claimed = db.$with("claimed").as(
    db
      .update(checkoutSessions)
      .set({
        customerEmail: sql`case when ${checkoutSessions.customerId} is null then ${param("email")} else ${checkoutSessions.customerEmail} end`,
        customerName: sql`case when ${checkoutSessions.customerId} is null then ${param("name")} else ${checkoutSessions.customerName} end`,
        status: "pending",
        attempt: sql`${checkoutSessions.attempt} + 1`,
        billingAddress: param("billingAddress") as unknown as BillingAddress,
        paymentMethodType: "card",
        processorIntentId: null,
        // Until an intent is attached (which names its processor), the attempt is the sandbox's.
        processor: "sandbox",
        lastError: null,
        updatedAt: param("now") as unknown as Date,
      })
      .where(
        and(
          eq(checkoutSessions.id, param("id")),
          eq(checkoutSessions.status, "open"),
          gt(checkoutSessions.expiresAt, param("nowIso")),
        ),
      )
      .returning(),
  );
  const columns = Object.keys(getTableColumns(checkoutSessions)) as (keyof typeof claimed._.selectedFields)[];
  const session = Object.fromEntries(
    columns.map((key) => [key, claimed[key]]),
  ) as typeof claimed._.selectedFields;
  const tenantOf = { organizationId: claimed.organizationId, livemode: claimed.livemode };
  return joinCheckoutBuyer(
    joinPriceAndProduct(
      db
        .with(claimed)
        .select({ session, ...priceAndProductFields, ...readingFields(claimed) })
        .from(claimed)
        .$dynamic(),
      { priceId: claimed.priceId, ...tenantOf },
    ),
    claimed,
  );
});

export type AttemptStart =
  | ({ kind: "started"; reading: SessionReading } & PriceAndProduct)
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
  const now = deps.now();
  const [claimed] = await claimSession(deps.db, {
    id: sessionId,
    email: buyer.email,
    name: buyer.name,
    billingAddress: { name: buyer.name, email: buyer.email, address: { country: buyer.country } },
    now,
    nowIso: now.toISOString(),
  });
  if (claimed) {
    // Left-joined: Drizzle gives null for a price or product that is not there.
    const { price, product } = claimed as PriceAndProduct;
    return {
      kind: "started",
      reading: readingOf(claimed as Parameters<typeof readingOf>[0]),
      price,
      product,
    };
  }
  // Not claimable: find out why under the row lock (and expire it if that is the reason).
  const outcome = await transactionWithEvents(deps.db, async (tx) => {
    const session = await lockSession(tx, sessionId);
    if (!session) throw notFound("Checkout session");
    if (session.status === "succeeded") return { kind: "finished" as const, session };
    if (session.status === "pending") return { kind: "in_progress" as const, session };
    if (session.status === "open" && session.expiresAt.getTime() <= now.getTime()) {
      await markSessionExpired(tx, session.id, now);
      return { kind: "expired" as const };
    }
    // Open again by now (a decline reopened it after our update looked): the customer can simply retry.
    if (session.status === "open") return { kind: "in_progress" as const, session };
    return { kind: "closed" as const, session };
  });
  if (outcome.kind === "expired") throw new AppError("GONE", "This checkout session has expired.");
  if (outcome.kind === "closed")
    throw new AppError("GONE", `This checkout session is ${outcome.session.status}.`);
  return outcome;
}

/**
 * Whether the attempt in flight waits on the sandbox's challenge page. Only the sandbox's challenge is a
 * page of Glade's; Stripe.js runs 3-D Secure itself in the browser.
 */
export function awaitsSandboxChallenge(session: CheckoutSessionRow): boolean {
  return (
    session.status === "pending" && session.processorIntentId !== null && session.processor === "sandbox"
  );
}

/**
 * Remembers the attempt's intent (and its processor) on the session, for that attempt only: one waiting on
 * the customer's challenge answer, or one the page is about to confirm in the browser. Undefined when the
 * attempt is no longer the session's current one.
 */
export async function attachIntent(
  deps: AppDeps,
  session: CheckoutSessionRow,
  intent: IntentResult,
): Promise<CheckoutSessionRow | undefined> {
  const [updated] = await deps.db
    .update(checkoutSessions)
    .set({ processorIntentId: intent.intentId, processor: intent.processor, updatedAt: deps.now() })
    .where(
      and(
        eq(checkoutSessions.id, session.id),
        eq(checkoutSessions.status, "pending"),
        eq(checkoutSessions.attempt, session.attempt),
      ),
    )
    .returning();
  return updated;
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
  return transactionWithEvents(deps.db, async (tx) => {
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
    if (!updated) panic(`locked session ${session.id} vanished`);
    const merchant = sessionMerchant(session);
    if (intent && intent.kind === "payment" && intent.amount > 0) {
      await recordPayment(
        tx,
        merchant,
        {
          ...intentPayment(session, intent),
          customerId: session.customerId,
          status: "failed",
          subscriptionId: session.targetSubscriptionId ?? undefined,
          failureCode: intent.failure?.code,
          failureMessage: intent.failure?.message ?? message,
        },
        now,
      );
    }
    if (failed) {
      await emitEvent(
        tx,
        {
          organizationId: updated.organizationId,
          livemode: updated.livemode,
          type: "checkout_session.failed",
          objectType: "checkout_session",
          objectId: updated.id,
          object: serializeCheckoutSession(updated),
        },
        now,
      );
    }
    return updated;
  });
}
