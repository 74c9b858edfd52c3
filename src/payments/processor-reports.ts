import { and, eq } from "drizzle-orm";
import type { AppDeps, Merchant, ProcessorName } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { payments } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { emitEvent } from "../webhooks/index.js";
import { setRefundedTotal } from "./refund-payment.js";
import { type PaymentRow, serializePayment } from "./serialize.js";

type IntentRef = { processor: ProcessorName; processorIntentId: string };

/** The tenant's payment for a processor intent, locked; undefined when Glade never recorded one. */
async function lockPaymentOfIntent(
  tx: Executor,
  merchant: Merchant,
  ref: IntentRef,
): Promise<PaymentRow | undefined> {
  const [payment] = await tx
    .select()
    .from(payments)
    .where(
      and(
        ownedBy(payments, merchant),
        eq(payments.processor, ref.processor),
        eq(payments.processorIntentId, ref.processorIntentId),
      ),
    )
    .for("update");
  return payment;
}

/**
 * The processor reports how much of a charge is refunded in all (a refund made in its own dashboard, or
 * the echo of one Glade made). Totals only move up, so a replayed or out-of-order report changes nothing,
 * and Glade's own refunds, recorded before the processor was asked, are never counted twice.
 */
export async function recordProcessorRefundTotal(
  deps: AppDeps,
  merchant: Merchant,
  ref: IntentRef & { totalRefunded: number },
): Promise<PaymentRow | undefined> {
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const payment = await lockPaymentOfIntent(tx, merchant, ref);
    if (!payment || payment.status === "failed") return payment;
    const refundedAmount = Math.min(payment.amount, ref.totalRefunded);
    if (refundedAmount <= payment.refundedAmount) return payment;
    const updated = await setRefundedTotal(tx, payment, refundedAmount, now, now);
    await emitEvent(tx, paymentEvent(updated, "payment.refunded"), now);
    return updated;
  });
}

/** The cardholder disputed the charge with their bank: the payment is marked once, and announced once. */
export async function recordDispute(
  deps: AppDeps,
  merchant: Merchant,
  ref: IntentRef,
): Promise<PaymentRow | undefined> {
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const payment = await lockPaymentOfIntent(tx, merchant, ref);
    if (!payment || payment.disputedAt) return payment;
    const [updated] = await tx
      .update(payments)
      .set({ disputedAt: now, updatedAt: now })
      .where(eq(payments.id, payment.id))
      .returning();
    if (!updated) return payment;
    await emitEvent(tx, paymentEvent(updated, "payment.disputed"), now);
    return updated;
  });
}

function paymentEvent(row: PaymentRow, type: "payment.refunded" | "payment.disputed") {
  return {
    organizationId: row.organizationId,
    livemode: row.livemode,
    type,
    objectType: "payment" as const,
    objectId: row.id,
    object: serializePayment(row),
  };
}
