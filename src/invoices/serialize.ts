import type { PlannedRow } from "../db/planned-rows.js";
import type { invoiceLineItems, invoices } from "../db/schema/index.js";
import { panic } from "../lib/errors.js";
import { NO_TAX } from "../lib/tax.js";
import { toEpochMs, toEpochMsOrNull } from "../lib/wire.js";
import { invoiceDocumentFields } from "./document-links.js";
import type { InvoiceLineItemRecord, InvoiceRecord, InvoiceWithLineItems } from "./schemas.js";

export type InvoiceRow = typeof invoices.$inferSelect;
export type InvoiceLineItemRow = typeof invoiceLineItems.$inferSelect;

/**
 * With `publicUrl`, the record carries its PDF addresses; event payloads are written deep in a transaction
 * that does not know the public origin, and go without them.
 */
export function serializeInvoice(row: PlannedRow<InvoiceRow>, publicUrl?: string): InvoiceRecord {
  return {
    id: row.id,
    invoiceNumber: row.invoiceNumber,
    status: row.status,
    type: row.type,
    customerId: row.customerId,
    // Flowglad's subscription invoices name no purchase; Glade's subscription checkout also records one.
    purchaseId: row.type === "subscription" ? null : row.purchaseId,
    subscriptionId: row.subscriptionId,
    billingPeriodId: row.billingPeriodId,
    billingRunId: null,
    currency: row.currency,
    subtotal: row.subtotal,
    total: row.total,
    amountPaid: row.amountPaid,
    discountAmount: row.discountAmount,
    memo: row.memo,
    ...(publicUrl === undefined ? {} : invoiceDocumentFields(publicUrl, row)),
    applicationFee: null,
    bankPaymentOnly: false,
    ownerMembershipId: null,
    ...NO_TAX,
    invoiceDate: toEpochMs(row.invoiceDate),
    dueDate: toEpochMsOrNull(row.dueDate),
    paidAt: toEpochMsOrNull(row.paidAt),
    livemode: row.livemode,
    organizationId: row.organizationId,
    pricingModelId: row.pricingModelId,
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
}

export function serializeInvoiceLineItem(row: InvoiceLineItemRow): InvoiceLineItemRecord {
  return {
    id: row.id,
    invoiceId: row.invoiceId,
    pricingModelId: row.pricingModelId ?? panic(`invoice line ${row.id} has no pricing model`),
    priceId: row.priceId,
    description: row.description,
    quantity: row.quantity,
    price: row.unitPrice,
    amount: row.amount,
    type: row.type,
    usageMeterId: row.usageMeterId,
    billingRunId: row.type === "usage" ? row.billingPeriodId : null,
    ledgerAccountId: row.type === "usage" ? row.usageMeterId : null,
    ledgerAccountCredit: row.type === "usage" ? row.creditsApplied : null,
    livemode: row.livemode,
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
}

export function serializeInvoiceWithLines(
  invoice: InvoiceRow,
  lines: InvoiceLineItemRow[],
  publicUrl: string,
): InvoiceWithLineItems {
  return {
    invoice: serializeInvoice(invoice, publicUrl),
    invoiceLineItems: lines.map(serializeInvoiceLineItem),
  };
}
