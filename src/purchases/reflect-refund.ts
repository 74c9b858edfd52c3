import { and, eq, inArray } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { type PurchaseStatus, purchases } from "../db/schema/index.js";
import { ownedBy, type Tenant } from "../db/statement.js";

const SETTLED: PurchaseStatus[] = ["paid", "partial_refund", "refunded"];

/** A purchase's status follows its payment's refunds (`refunded`, `partial_refund`, or back to `paid`). */
export async function reflectRefundOnPurchase(
  tx: Executor,
  tenant: Tenant,
  purchaseId: string,
  payment: { amount: number; refundedAmount: number },
  now: Date,
): Promise<void> {
  const status: PurchaseStatus =
    payment.refundedAmount <= 0
      ? "paid"
      : payment.refundedAmount >= payment.amount
        ? "refunded"
        : "partial_refund";
  await tx
    .update(purchases)
    .set({ status, updatedAt: now })
    .where(and(ownedBy(purchases, tenant), eq(purchases.id, purchaseId), inArray(purchases.status, SETTLED)));
}
