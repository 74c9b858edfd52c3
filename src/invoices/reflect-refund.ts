import { and, eq, inArray } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { type InvoiceStatus, invoices } from "../db/schema/index.js";
import { ownedBy, type Tenant } from "../db/statement.js";

/** How much of a payment has been refunded: the payments domain decides, its invoice and purchase follow. */
export type RefundExtent = "none" | "partial" | "full";

const INVOICE_STATUS: Record<RefundExtent, InvoiceStatus> = {
  none: "paid",
  partial: "partially_refunded",
  full: "refunded",
};

/** The statuses an invoice moves between as its payment is refunded (and a refused refund is released). */
const SETTLED: InvoiceStatus[] = ["paid", "partially_refunded", "refunded"];

/**
 * Flowglad's invoice statuses follow the payment's refunds: all of it refunded → `refunded`, some of it →
 * `partially_refunded`, a released reservation back to nothing → `paid`. Called in the refund's transaction.
 */
export async function reflectRefundOnInvoice(
  tx: Executor,
  tenant: Tenant,
  invoiceId: string,
  refunded: RefundExtent,
  now: Date,
): Promise<void> {
  const status = INVOICE_STATUS[refunded];
  await tx
    .update(invoices)
    .set({ status, updatedAt: now })
    .where(and(ownedBy(invoices, tenant), eq(invoices.id, invoiceId), inArray(invoices.status, SETTLED)));
}
