import type { AppDeps, IntentResult } from "../context/index.js";
import { sessionMerchant } from "./charge-plan.js";
import type { CheckoutSessionRow } from "./serialize.js";

/**
 * A charge that reached a session another charge had already paid (two tabs, a late challenge answer, the
 * reconciler) is given back: the customer pays once. The same intent settling again is a replay, not a
 * second charge.
 */
export async function refundIfDuplicateCharge(
  deps: AppDeps,
  paid: CheckoutSessionRow,
  intent: IntentResult | undefined,
): Promise<void> {
  if (intent?.kind !== "payment" || intent.amount <= 0 || intent.status !== "succeeded") return;
  if (paid.processorIntentId === intent.intentId) return;
  try {
    const processor = await deps.processors.named(sessionMerchant(paid), intent.processor);
    await processor.refund({
      intentId: intent.intentId,
      amount: intent.amount,
      idempotencyKey: `${intent.intentId}:duplicate`,
    });
    deps.logger.warn(
      { sessionId: paid.id, intentId: intent.intentId },
      "refunded a second charge for an already paid session",
    );
  } catch (err) {
    deps.logger.error(
      { err, sessionId: paid.id, intentId: intent.intentId },
      "could not refund a duplicate charge: refund it by hand",
    );
  }
}
