import type { InvoiceStatus } from "../db/schema/index.js";

/** Statuses in which money was taken for the invoice, so a receipt exists. */
const RECEIPTED: ReadonlySet<InvoiceStatus> = new Set(["paid", "partially_refunded", "refunded"]);

export type DocumentKind = "invoice" | "receipt";

/**
 * Where an invoice's PDFs are served. The token is the invoice's own random `documentToken`: the address is
 * the capability, like Stripe's hosted invoice links, so it can be mailed or attached without an API key.
 */
export function invoiceDocumentUrl(
  publicUrl: string,
  invoice: { id: string; documentToken: string },
  kind: DocumentKind,
): string {
  return `${publicUrl}/documents/invoices/${invoice.id}/${invoice.documentToken}/${kind}.pdf`;
}

export function hasReceipt(invoice: { status: InvoiceStatus }): boolean {
  return RECEIPTED.has(invoice.status);
}

/** `pdfURL` and `receiptPdfURL` as the invoice record carries them (no receipt before the invoice is paid). */
export function invoiceDocumentFields(
  publicUrl: string,
  invoice: { id: string; documentToken: string; status: InvoiceStatus },
): { pdfURL: string; receiptPdfURL: string | null } {
  return {
    pdfURL: invoiceDocumentUrl(publicUrl, invoice, "invoice"),
    receiptPdfURL: hasReceipt(invoice) ? invoiceDocumentUrl(publicUrl, invoice, "receipt") : null,
  };
}
