import { eq } from "drizzle-orm";
import type { AppDeps, CardInput, IntentResult } from "../context/index.js";
import { checkoutSessions } from "../db/schema/index.js";
import { param, statement } from "../db/statement.js";
import { AppError, notFound } from "../lib/errors.js";
import { validateCard } from "../payments/index.js";
import {
  type AttemptStart,
  awaitChallenge,
  type BuyerDetails,
  beginAttempt,
  settleDecline,
} from "./attempt.js";
import { type ChargePlan, chargePlan, chargePlanWith } from "./charge-plan.js";
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

export async function loadSession(deps: AppDeps, sessionId: string): Promise<CheckoutSessionRow> {
  const [session] = await sessionById(deps.db, { id: sessionId });
  if (!session) throw notFound("Checkout session");
  return session;
}

/**
 * What the customer is told is what the session now is, not what this request hoped: a late or stale
 * answer may have found the session settled by another attempt.
 */
function resultFor(session: CheckoutSessionRow, message: string): ConfirmResult {
  if (session.status === "succeeded") return { kind: "succeeded", session };
  if (session.status === "pending") {
    return session.processorIntentId
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
    const plan = claimed?.plan ?? (await chargePlan(deps, session));
    const settled =
      session.type === "product"
        ? await settleProductCheckout(deps, claimed?.reading ?? session.id, plan, intent, session.attempt)
        : await settleSetupSession(deps, session.id, plan, intent);
    return resultFor(settled, "Your payment could not be completed.");
  }
  if (intent.status === "requires_action") {
    return resultFor(await awaitChallenge(deps, session, intent), "Your payment could not be completed.");
  }
  const message = intent.failure?.message ?? "Your card was declined.";
  return resultFor(await settleDecline(deps, session.id, session.attempt, intent, message), message);
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
  const start = await beginAttempt(deps, sessionId, input.buyer);
  if (start.kind !== "started") return claimRefused(start);
  const { reading } = start;
  let plan: ChargePlan;
  try {
    plan = await chargePlanWith(deps, reading.session, start);
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
  return charge(deps, { plan, reading }, plan.mode === "none" ? undefined : card);
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
  return charge(deps, { plan, reading: start.reading }, card);
}

function claimRefused(start: Exclude<AttemptStart, { kind: "started" }>): ConfirmResult {
  return start.kind === "finished"
    ? { kind: "succeeded", session: start.session }
    : { kind: "in_progress", session: start.session };
}

/**
 * What the processor is asked for on a claimed attempt: the planned amount, keyed by the session and the
 * attempt, so a retried call (or the reconciler's look-up) finds the same intent.
 */
export function intentRequest(session: CheckoutSessionRow, plan: ChargePlan, card: CardInput) {
  return {
    kind: plan.mode === "payment" ? ("payment" as const) : ("setup" as const),
    amount: plan.amount,
    currency: plan.currency,
    livemode: session.livemode,
    idempotencyKey: `${session.id}:${session.attempt}`,
    card,
    metadata: { checkoutSessionId: session.id },
  };
}

/** The claimed attempt: charge the card (or, with nothing to collect, complete the order) and settle. */
async function charge(
  deps: AppDeps,
  claimed: { plan: ChargePlan; reading: SessionReading },
  card: CardInput | undefined,
): Promise<ConfirmResult> {
  const { plan, reading } = claimed;
  const { session } = reading;
  if (!card) {
    // Only a product's free order has nothing to collect (`chargePlan`).
    return resultFor(
      await settleProductCheckout(deps, reading, plan, undefined, session.attempt),
      "Your order could not be completed.",
    );
  }

  let intent: IntentResult;
  try {
    intent = await deps.processor.createIntent(intentRequest(session, plan, card));
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
  if (session.status !== "pending" || !session.processorIntentId) {
    throw new AppError("CONFLICT", "There is no payment waiting for authentication.");
  }
  const intent = await deps.processor.completeChallenge(session.processorIntentId, outcome);
  return settleIntent(deps, session, intent);
}
