import { and, eq } from "drizzle-orm";
import type { AppDeps, Merchant, PaymentProcessor } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { type PaymentStatus, payments } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { type RefundExtent, reflectRefundOnInvoice } from "../invoices/index.js";
import { AppError, badRequest, notFound, panic } from "../lib/errors.js";
import { reflectRefundOnPurchase } from "../purchases/index.js";
import { emitEvent } from "../webhooks/index.js";
import { type PaymentRow, serializePayment } from "./serialize.js";

async function lockPayment(tx: Executor, merchant: Merchant, paymentId: string): Promise<PaymentRow> {
  const [payment] = await tx
    .select()
    .from(payments)
    .where(and(ownedBy(payments, merchant), eq(payments.id, paymentId)))
    .for("update");
  if (!payment) throw notFound("Payment", paymentId);
  return payment;
}

/** THE refund rule: how much of the payment its refunded total covers. */
function refundExtent(payment: PaymentRow, refundedAmount: number): RefundExtent {
  if (refundedAmount <= 0) return "none";
  return refundedAmount >= payment.amount ? "full" : "partial";
}

/** Flowglad's payment statuses: a partial refund leaves the payment `succeeded` (with `refundedAmount`). */
function statusAfterRefunds(payment: PaymentRow, refundedAmount: number): PaymentStatus {
  return refundExtent(payment, refundedAmount) === "full" ? "refunded" : "succeeded";
}

/**
 * THE refund bookkeeping of a locked payment: its refunded total moves to `refundedAmount` (up for a refund,
 * down when a reservation is released), and its status follows.
 */
export async function setRefundedTotal(
  tx: Executor,
  payment: PaymentRow,
  refundedAmount: number,
  refundedAt: Date | null,
  now: Date,
): Promise<PaymentRow> {
  const [updated] = await tx
    .update(payments)
    .set({ refundedAmount, refundedAt, status: statusAfterRefunds(payment, refundedAmount), updatedAt: now })
    .where(eq(payments.id, payment.id))
    .returning();
  if (!updated) panic(`payment ${payment.id} vanished while locked`);
  // The invoice and purchase the payment settled show its refunds too, in the same transaction.
  const extent = refundExtent(updated, refundedAmount);
  if (updated.invoiceId) await reflectRefundOnInvoice(tx, updated, updated.invoiceId, extent, now);
  if (updated.purchaseId) await reflectRefundOnPurchase(tx, updated, updated.purchaseId, extent, now);
  return updated;
}

/**
 * Reserves the refund on the payment row (under its lock) before the processor is asked, so concurrent
 * refunds can never together exceed what was charged, and no database connection is held open while
 * the processor works.
 */
async function reserveRefund(
  deps: AppDeps,
  merchant: Merchant,
  paymentId: string,
  partialAmount: number | undefined,
  now: Date,
): Promise<{
  payment: PaymentRow;
  amount: number;
  previousRefundedAt: Date | null;
  processor: PaymentProcessor;
}> {
  return deps.db.transaction(async (tx) => {
    const payment = await lockPayment(tx, merchant, paymentId);
    if (payment.status === "refunded") throw badRequest(`Payment ${paymentId} is already fully refunded`);
    if (payment.status !== "succeeded") {
      throw badRequest(`Only succeeded payments can be refunded; payment ${paymentId} is ${payment.status}`);
    }
    // Refused (4xx) when the processor that took the payment is no longer connected for this mode.
    const processor = await deps.processors.named(merchant, payment.processor);
    const remaining = payment.amount - payment.refundedAmount;
    const amount = partialAmount ?? remaining;
    if (amount > remaining) {
      throw badRequest(
        `partialAmount ${amount} is more than the ${remaining} that can still be refunded on payment ${paymentId}`,
      );
    }
    const reserved = await setRefundedTotal(tx, payment, payment.refundedAmount + amount, now, now);
    return { payment: reserved, amount, previousRefundedAt: payment.refundedAt, processor };
  });
}

/** Refunds a succeeded payment, fully (no `partialAmount`) or in part; emits `payment.refunded`. */
export async function refundPayment(
  deps: AppDeps,
  merchant: Merchant,
  paymentId: string,
  input: { partialAmount?: number | undefined },
): Promise<PaymentRow> {
  // One instant for the whole refund: the reservation, its release if the processor refuses, the event.
  const now = deps.now();
  const { payment, amount, previousRefundedAt, processor } = await reserveRefund(
    deps,
    merchant,
    paymentId,
    input.partialAmount,
    now,
  );
  try {
    // Reservations are serialized under the payment's lock, so the total they reach names this refund: a
    // retried call for the same reservation is the same refund at the processor.
    await processor.refund({
      intentId: payment.processorIntentId,
      amount,
      idempotencyKey: `${payment.id}:refund:${payment.refundedAmount}`,
    });
  } catch (err) {
    // The processor did not take the refund: release the reservation so the amount can be refunded later.
    await deps.db.transaction(async (tx) => {
      const locked = await lockPayment(tx, merchant, paymentId);
      const refundedAmount = locked.refundedAmount - amount;
      const refundedAt = refundedAmount > 0 ? locked.refundedAt : previousRefundedAt;
      await setRefundedTotal(tx, locked, refundedAmount, refundedAt, now);
    });
    deps.logger.error({ err, paymentId }, "processor refund failed");
    throw new AppError(
      "SERVICE_UNAVAILABLE",
      "The payment processor could not refund this payment; try again",
      {
        retryable: true,
      },
    );
  }
  return deps.db.transaction(async (tx) => {
    const confirmed = await lockPayment(tx, merchant, paymentId);
    await emitEvent(
      tx,
      {
        organizationId: merchant.organizationId,
        livemode: merchant.livemode,
        type: "payment.refunded",
        objectType: "payment",
        objectId: confirmed.id,
        object: serializePayment(confirmed),
      },
      now,
    );
    return confirmed;
  });
}
