export {
  type CreateInvoiceInput,
  createInvoice,
  type InvoiceLineInput,
  markInvoicePaid,
  planNumberedInvoice,
  voidOpenInvoicesForSubscription,
} from "./create-invoice.js";
export {
  type DocumentKind,
  hasReceipt,
  invoiceDocumentFields,
  invoiceDocumentUrl,
} from "./document-links.js";
export { listInvoicesPage } from "./list-invoices.js";
export {
  getInvoice,
  getInvoiceByDocumentToken,
  getInvoiceForBillingPeriod,
  getInvoiceLineItem,
  listInvoicesWithLinesForCustomer,
  listLinesForInvoices,
  listOpenInvoicesForSubscription,
} from "./queries.js";
export { type RefundExtent, reflectRefundOnInvoice } from "./reflect-refund.js";
export { registerInvoiceRoutes } from "./routes.js";
export { InvoiceLineItemRecord, InvoiceRecord, InvoiceWithLineItems } from "./schemas.js";
export {
  type InvoiceLineItemRow,
  type InvoiceRow,
  serializeInvoice,
  serializeInvoiceLineItem,
  serializeInvoiceWithLines,
} from "./serialize.js";
