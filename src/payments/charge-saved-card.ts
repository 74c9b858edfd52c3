import type { AppDeps, IntentResult, Merchant } from "../context/index.js";
import type { PaymentMethodRow } from "./serialize.js";

/**
 * An off-session charge of a saved card (activation of a subscription, renewals, upgrades), through the
 * processor that saved it. Throws a 4xx when that processor is no longer connected for the mode.
 */
export async function chargeSavedCard(
  deps: AppDeps,
  merchant: Merchant,
  method: PaymentMethodRow,
  charge: { amount: number; currency: string; idempotencyKey: string; metadata: Record<string, string> },
): Promise<IntentResult> {
  const processor = await deps.processors.named(merchant, method.processor);
  return processor.chargeSavedMethod({
    processorMethodId: method.processorMethodId,
    processorCustomerId: method.processorCustomerId,
    livemode: merchant.livemode,
    ...charge,
  });
}

/**
 * Gives back a charge whose records could not be written (the work it paid for failed after the charge).
 * Keyed on the intent: however often it is retried, it is one refund.
 */
export async function refundUnrecordedCharge(
  deps: AppDeps,
  merchant: Merchant,
  processorName: PaymentMethodRow["processor"],
  intent: IntentResult,
): Promise<void> {
  try {
    const processor = await deps.processors.named(merchant, processorName);
    await processor.refund({
      intentId: intent.intentId,
      amount: intent.amount,
      idempotencyKey: `${intent.intentId}:unrecorded`,
    });
  } catch (err) {
    deps.logger.error(
      { err, intentId: intent.intentId },
      "could not refund an unrecorded charge: refund it by hand",
    );
  }
}
