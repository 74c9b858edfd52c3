export type { InvoiceDocument } from "./document.js";
export { pdfResponse, registerDocumentRoutes } from "./routes.js";
export { invoicePdfByToken, invoicePdfForCustomer, type RenderedDocument } from "./service.js";
