import { and, eq, inArray } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { type PurchaseStatus, purchases } from "../db/schema/index.js";
import { ownedBy, type Tenant } from "../db/statement.js";

const SETTLED: PurchaseStatus[] = ["paid", "partial_refund", "refunded"];
const PURCHASE_STATUS = { none: "paid", partial: "partial_refund", full: "refunded" } as const;

/** A purchase's status follows its payment's refunds (`refunded`, `partial_refund`, or back to `paid`). */
export async function reflectRefundOnPurchase(
  tx: Executor,
  tenant: Tenant,
  purchaseId: string,
  refunded: keyof typeof PURCHASE_STATUS,
  now: Date,
): Promise<void> {
  const status: PurchaseStatus = PURCHASE_STATUS[refunded];
  await tx
    .update(purchases)
    .set({ status, updatedAt: now })
    .where(and(ownedBy(purchases, tenant), eq(purchases.id, purchaseId), inArray(purchases.status, SETTLED)));
}
