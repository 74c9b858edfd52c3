import { eq } from "drizzle-orm";
import type { AppDeps, CardInput, IntentResult, PaymentProcessor } from "../context/index.js";
import { checkoutSessions } from "../db/schema/index.js";
import { param, statement } from "../db/statement.js";
import { AppError, notFound } from "../lib/errors.js";
import { validateCard } from "../payments/index.js";
import {
  type AttemptStart,
  attachIntent,
  awaitsSandboxChallenge,
  type BuyerDetails,
  beginAttempt,
  settleDecline,
} from "./attempt.js";
import { type ChargePlan, chargePlan, chargePlanWith, savesCard, sessionMerchant } from "./charge-plan.js";
import type { CheckoutSessionRow } from "./serialize.js";
import type { SessionReading } from "./session-reading.js";
import { settleProductCheckout } from "./settle-product.js";
import { settleSetupSession } from "./settle-setup.js";

export type ConfirmResult =
  | { kind: "succeeded"; session: CheckoutSessionRow }
  | { kind: "requires_action"; session: CheckoutSessionRow }
  | { kind: "declined"; session: CheckoutSessionRow; message: string }
  | { kind: "in_progress"; session: CheckoutSessionRow };

export type RawCard = { number: string; expMonth: number; expYear: number; cvc: string };

const sessionById = statement("checkout_session_by_id", (db) =>
  db
    .select()
    .from(checkoutSessions)
    .where(eq(checkoutSessions.id, param("id"))),
);

export async function loadSessionIfAny(
  deps: AppDeps,
  sessionId: string,
): Promise<CheckoutSessionRow | undefined> {
  const [session] = await sessionById(deps.db, { id: sessionId });
  return session;
}

export async function loadSession(deps: AppDeps, sessionId: string): Promise<CheckoutSessionRow> {
  return (await loadSessionIfAny(deps, sessionId)) ?? Promise.reject(notFound("Checkout session"));
}

/**
 * What the customer is told is what the session now is, not what this request hoped: a late or stale
 * answer may have found the session settled by another attempt.
 */
export function resultFor(session: CheckoutSessionRow, message: string): ConfirmResult {
  if (session.status === "succeeded") return { kind: "succeeded", session };
  if (session.status === "pending") {
    return awaitsSandboxChallenge(session)
      ? { kind: "requires_action", session }
      : { kind: "in_progress", session };
  }
  return { kind: "declined", session, message: session.lastError ?? message };
}

/**
 * Applies the processor's answer about the attempt `session` was claimed for. `claimed` is what the claim
 * read (the plan, and the session with its buyer), which a product checkout settles from without reading
 * again; a challenge answer or the reconciler comes without it.
 */
export async function settleIntent(
  deps: AppDeps,
  session: CheckoutSessionRow,
  intent: IntentResult,
  claimed?: { plan: ChargePlan; reading: SessionReading },
): Promise<ConfirmResult> {
  if (intent.status === "succeeded") {
    // The charge was made for the discount the attempt was claimed with, even if the code has gone since.
    const plan = claimed?.plan ?? (await chargePlan(deps, session, { confirming: false }));
    const settled =
      session.type === "product"
        ? await settleProductCheckout(deps, claimed?.reading ?? session.id, plan, intent, session.attempt)
        : await settleSetupSession(deps, session.id, plan, intent);
    return resultFor(settled, "Your payment could not be completed.");
  }
  if (intent.status === "requires_action") {
    const attached = await attachIntent(deps, session, intent);
    return resultFor(attached ?? session, "Your payment could not be completed.");
  }
  // Still in the processor's hands (an asynchronous method): its webhook or the reconciler settles it.
  if (intent.status === "processing") return resultFor(session, "Your payment is being processed.");
  const ended = await endUnpaidIntent(deps, session, intent);
  if (ended.status === "succeeded") return settleIntent(deps, session, ended);
  // An intent the customer never confirmed (the page failed before Stripe answered) was not declined.
  const message =
    ended.failure?.message ??
    (intent.status === "awaiting_customer"
      ? "Your payment was not completed. Please try again."
      : "Your card was declined.");
  return resultFor(await settleDecline(deps, session.id, session.attempt, ended, message), message);
}

/**
 * Before an attempt is given back, its intent must be past confirming: a Stripe intent that was declined,
 * or never confirmed, could still be confirmed by the page that holds its client secret. It is canceled
 * first, and if the customer's confirmation won that race, the intent answers `succeeded`. The sandbox's
 * declines are final already.
 */
async function endUnpaidIntent(
  deps: AppDeps,
  session: CheckoutSessionRow,
  intent: IntentResult,
): Promise<IntentResult> {
  if (intent.status === "canceled") return intent;
  const processor = await deps.processors.named(sessionMerchant(session), intent.processor);
  if (processor.collection.kind === "server" && intent.status === "failed") return intent;
  const ended = await processor.cancelIntent(intent.intentId);
  // A cancel says "canceled"; what the customer is told is why the payment did not go through.
  return ended.status === "canceled" && intent.failure ? { ...ended, failure: intent.failure } : ended;
}

/**
 * The hosted page's pay button. Amounts come from the stored session only; the form can change who is
 * paying and with which card, never what is bought or for how much.
 *
 * A well-formed card lets the claim go first: it reads the session and its price in the same statement,
 * so the common confirm costs one statement before the charge. Without one (a free order, a typo in the
 * number) the session is read and planned first, because whether a card is needed decides the answer.
 */
export async function confirmCheckout(
  deps: AppDeps,
  sessionId: string,
  input: { buyer: BuyerDetails; card: RawCard | undefined },
): Promise<ConfirmResult> {
  const card = input.card ? wellFormedCard(input.card, deps.now()) : undefined;
  if (!card) return confirmWithoutCardFirst(deps, sessionId, input);
  const claimed = await claimAndPlan(deps, sessionId, input.buyer);
  if ("kind" in claimed) return claimed;
  return charge(deps, claimed, claimed.plan.mode === "none" ? undefined : card);
}

/**
 * Claims the session for an attempt and plans its charge from what the claim read. A session that cannot
 * be claimed answers what it is instead (paid, or an attempt already in flight).
 */
export async function claimAndPlan(
  deps: AppDeps,
  sessionId: string,
  buyer: BuyerDetails,
): Promise<{ plan: ChargePlan; reading: SessionReading } | ConfirmResult> {
  const start = await beginAttempt(deps, sessionId, buyer);
  if (start.kind !== "started") return claimRefused(start);
  const { reading } = start;
  try {
    return { plan: await chargePlanWith(deps, reading.session, start, { confirming: true }), reading };
  } catch (err) {
    // Nothing was sent to the processor: give the attempt back now rather than to the reconciler.
    await settleDecline(
      deps,
      sessionId,
      reading.session.attempt,
      undefined,
      "Your payment could not be started.",
    );
    throw err;
  }
}

function wellFormedCard(raw: RawCard, now: Date): CardInput | undefined {
  try {
    return validateCard(raw, now);
  } catch (err) {
    if (err instanceof AppError) return undefined;
    throw err;
  }
}

async function confirmWithoutCardFirst(
  deps: AppDeps,
  sessionId: string,
  input: { buyer: BuyerDetails; card: RawCard | undefined },
): Promise<ConfirmResult> {
  const current = await loadSession(deps, sessionId);
  if (current.status === "succeeded") return { kind: "succeeded", session: current };
  const plan = await chargePlan(deps, current);
  // The card is checked before anything is claimed or sent: an invalid number never reaches the processor.
  let card: CardInput | undefined;
  if (plan.mode !== "none") {
    if (!input.card) throw new AppError("BAD_REQUEST", "Card details are required.");
    card = validateCard(input.card, deps.now());
  }
  const start = await beginAttempt(deps, sessionId, input.buyer);
  if (start.kind !== "started") return claimRefused(start);
  const claimed = start.reading.session;
  if (claimed.discountId !== current.discountId) {
    // A code was applied or removed between the plan and the claim: the plan is not what the page shows now.
    const message = "The total changed while you were paying. Please review it and pay again.";
    return resultFor(await settleDecline(deps, sessionId, claimed.attempt, undefined, message), message);
  }
  return charge(deps, { plan, reading: start.reading }, card);
}

function claimRefused(start: Exclude<AttemptStart, { kind: "started" }>): ConfirmResult {
  return start.kind === "finished"
    ? { kind: "succeeded", session: start.session }
    : { kind: "in_progress", session: start.session };
}

/**
 * What the processor is asked for on a claimed attempt: the planned amount, keyed by the session and the
 * attempt, so a retried call (or the reconciler's look-up) finds the same intent. The card is kept for
 * later whenever it will be charged again: subscriptions, saved cards, activations.
 */
export function intentRequest(
  session: CheckoutSessionRow,
  plan: ChargePlan,
  card: CardInput | undefined,
): Parameters<PaymentProcessor["createIntent"]>[0] {
  return {
    kind: plan.mode === "payment" ? "payment" : "setup",
    amount: plan.amount,
    currency: plan.currency,
    livemode: session.livemode,
    idempotencyKey: `${session.id}:${session.attempt}`,
    ...(card ? { card } : {}),
    payer: {
      customerId: session.customerId,
      email: session.customerEmail,
      name: session.customerName,
      organizationId: session.organizationId,
      livemode: session.livemode,
      checkoutSessionId: session.id,
    },
    saveCard: savesCard(session, plan),
    metadata: { checkoutSessionId: session.id, attempt: String(session.attempt) },
  };
}

/** Only a product's free order has nothing to collect (`chargePlan`): it completes without a processor. */
export async function completeFreeOrder(
  deps: AppDeps,
  { plan, reading }: { plan: ChargePlan; reading: SessionReading },
): Promise<ConfirmResult> {
  return resultFor(
    await settleProductCheckout(deps, reading, plan, undefined, reading.session.attempt),
    "Your order could not be completed.",
  );
}

/** The claimed attempt: charge the card (or, with nothing to collect, complete the order) and settle. */
async function charge(
  deps: AppDeps,
  claimed: { plan: ChargePlan; reading: SessionReading },
  card: CardInput | undefined,
): Promise<ConfirmResult> {
  const { plan, reading } = claimed;
  const { session } = reading;
  if (!card) return completeFreeOrder(deps, claimed);

  const processor = await deps.processors.forTenant(sessionMerchant(session));
  if (processor.collection.kind !== "server") {
    // The page for this tenant takes cards in the processor's own fields; a card posted here is refused.
    const message = "This checkout takes card details on the payment form only. Please try again.";
    return resultFor(await settleDecline(deps, session.id, session.attempt, undefined, message), message);
  }
  let intent: IntentResult;
  try {
    intent = await processor.createIntent(intentRequest(session, plan, card));
  } catch (err) {
    // We cannot know whether the processor charged: the session stays pending and the reconciler,
    // which can look the attempt up by its idempotency key, settles it either way.
    deps.logger.error(
      { err, sessionId: session.id },
      "processor call failed; leaving session for the reconciler",
    );
    return { kind: "in_progress", session };
  }
  return settleIntent(deps, session, intent, claimed);
}

/** The customer answered the challenge page. */
export async function answerChallenge(
  deps: AppDeps,
  sessionId: string,
  outcome: "approve" | "deny",
): Promise<ConfirmResult> {
  const session = await loadSession(deps, sessionId);
  if (session.status === "succeeded") return { kind: "succeeded", session };
  if (!awaitsSandboxChallenge(session) || !session.processorIntentId) {
    throw new AppError("CONFLICT", "There is no payment waiting for authentication.");
  }
  const processor = await deps.processors.named(sessionMerchant(session), "sandbox");
  const intent = await processor.completeChallenge(session.processorIntentId, outcome);
  return settleIntent(deps, session, intent);
}
