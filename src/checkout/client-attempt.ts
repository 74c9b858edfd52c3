import type { AppDeps, PaymentProcessor } from "../context/index.js";
import { panic } from "../lib/errors.js";
import { attachIntent, type BuyerDetails, settleDecline } from "./attempt.js";
import { sessionMerchant } from "./charge-plan.js";
import {
  type ConfirmResult,
  claimAndPlan,
  completeFreeOrder,
  intentRequest,
  loadSession,
  resultFor,
  settleIntent,
} from "./confirm.js";
import type { CheckoutSessionRow } from "./serialize.js";

export type ClientAttempt =
  | ConfirmResult
  | {
      kind: "confirm_in_browser";
      session: CheckoutSessionRow;
      intentKind: "payment" | "setup";
      /** For the buyer's browser only: never stored, never logged. */
      clientSecret: string;
    };

const NOT_STARTED = "Your payment could not be started. Please try again.";

/**
 * The pay button of a page whose card is entered in the processor's own fields (Stripe's Payment
 * Element): the session is claimed for an attempt, the intent is made for the planned amount, and its id
 * is stored on the session BEFORE the page gets the client secret. So an intent that can ever be confirmed
 * is always one the return handler, the webhook and the reconciler can find.
 */
export async function startClientAttempt(
  deps: AppDeps,
  sessionId: string,
  buyer: BuyerDetails,
): Promise<ClientAttempt> {
  // Checked before anything is claimed: a page rendered for another processor (the merchant changed it
  // meanwhile) is shown again, and a stray post cannot use up the session's attempts.
  const current = await loadSession(deps, sessionId);
  const processor = await deps.processors.forTenant(sessionMerchant(current));
  if (processor.collection.kind !== "client") {
    return resultFor(current, "Please enter your card details again.");
  }
  const claimed = await claimAndPlan(deps, sessionId, buyer);
  if ("kind" in claimed) return claimed;
  const { plan, reading } = claimed;
  const { session } = reading;
  if (plan.mode === "none") return completeFreeOrder(deps, claimed);

  const giveBack = async (message: string) =>
    resultFor(await settleDecline(deps, session.id, session.attempt, undefined, message), message);
  let intent: Awaited<ReturnType<PaymentProcessor["createIntent"]>>;
  try {
    intent = await processor.createIntent(intentRequest(session, plan, undefined));
  } catch (err) {
    // Whether or not the processor made the intent, nobody has its client secret: nothing can be charged.
    deps.logger.error({ err, sessionId: session.id }, "could not create the processor intent");
    return giveBack(NOT_STARTED);
  }
  const attached = await attachIntent(deps, session, intent);
  if (!attached) {
    // The attempt was given up meanwhile (the reconciler, another tab): its intent must never be confirmed.
    await processor.cancelIntent(intent.intentId).catch((err: unknown) => {
      deps.logger.error({ err, intentId: intent.intentId }, "could not cancel an abandoned intent");
    });
    return resultFor(await loadSession(deps, session.id), NOT_STARTED);
  }
  return {
    kind: "confirm_in_browser",
    session: attached,
    intentKind: intent.kind,
    clientSecret:
      intent.clientSecret ?? panic(`${processor.name} intent ${intent.intentId} has no client secret`),
  };
}

/**
 * What the processor says of one of a session's intents, applied to the session: the ONE way a
 * client-confirmed payment settles, whoever learns of it first (the return from the processor's page,
 * its webhook, the reconciler). Settling is idempotent, so the later ones change nothing.
 *
 * The attempt in flight settles whatever its intent says. Any other intent of the session (an earlier
 * attempt's, a late event) matters only if it took money: that charge is honoured, or refunded if the
 * session was paid by another.
 */
export async function syncClientAttempt(
  deps: AppDeps,
  session: CheckoutSessionRow,
  processor: PaymentProcessor,
  intentId: string,
): Promise<ConfirmResult> {
  const intent = await processor.retrieveIntent(intentId);
  const ours = intent?.metadata?.checkoutSessionId === session.id;
  if (!intent || !ours) return resultFor(session, NOT_STARTED);
  const inFlight = session.status === "pending" && session.processorIntentId === intent.intentId;
  if (inFlight || intent.status === "succeeded") return settleIntent(deps, session, intent);
  return resultFor(session, intent.failure?.message ?? NOT_STARTED);
}

/** The return from the processor's page (or Stripe.js after a decline): settle the attempt in flight. */
export async function settleReturn(deps: AppDeps, sessionId: string): Promise<ConfirmResult> {
  const session = await loadSession(deps, sessionId);
  if (session.status !== "pending" || !session.processorIntentId || session.processor === "sandbox") {
    return resultFor(session, session.lastError ?? NOT_STARTED);
  }
  const processor = await deps.processors.named(sessionMerchant(session), session.processor);
  return syncClientAttempt(deps, session, processor, session.processorIntentId);
}
