import type { AppDeps, Merchant } from "../context/index.js";
import {
  type DocumentKind,
  getInvoice,
  getInvoiceByDocumentToken,
  hasReceipt,
  type InvoiceRow,
} from "../invoices/index.js";
import { buildInvoiceDocument, documentFilename } from "./document-view.js";

export type RenderedDocument = { bytes: Uint8Array; filename: string };

async function render(deps: AppDeps, merchant: Merchant, invoice: InvoiceRow, kind: DocumentKind) {
  // A receipt exists once the invoice was paid; before that its address answers like a missing one.
  if (kind === "receipt" && !hasReceipt(invoice)) return undefined;
  const document = await buildInvoiceDocument(deps.db, merchant, invoice, kind);
  // Loaded on the first document: pdf-lib and fontkit are about 8 MB a server that never renders need not hold.
  const { renderInvoicePdf } = await import("./render-pdf.js");
  return { bytes: await renderInvoicePdf(document), filename: documentFilename(invoice, kind) };
}

/** The document at an invoice's `pdfURL` / `receiptPdfURL`; a wrong token or id finds nothing. */
export async function invoicePdfByToken(
  deps: AppDeps,
  invoiceId: string,
  token: string,
  kind: DocumentKind,
): Promise<RenderedDocument | undefined> {
  const invoice = await getInvoiceByDocumentToken(deps.db, invoiceId, token);
  if (!invoice) return undefined;
  const merchant = {
    organizationId: invoice.organizationId,
    livemode: invoice.livemode,
    apiKeyId: "document",
  };
  return render(deps, merchant, invoice, kind);
}

/** The billing portal's download: only an invoice of the signed-in customer. */
export async function invoicePdfForCustomer(
  deps: AppDeps,
  merchant: Merchant,
  customerId: string,
  invoiceId: string,
  kind: DocumentKind,
): Promise<RenderedDocument | undefined> {
  const invoice = await getInvoice(deps.db, merchant, invoiceId);
  if (!invoice || invoice.customerId !== customerId) return undefined;
  return render(deps, merchant, invoice, kind);
}
