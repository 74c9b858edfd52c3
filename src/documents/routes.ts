import type { Context } from "hono";
import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { invoicePdfByToken, type RenderedDocument } from "./service.js";

const TOKEN = /^[0-9A-Za-z]{20,100}$/;

/** The addresses in invoices' `pdfURL` and `receiptPdfURL` (see `invoiceDocumentUrl`). */
export function registerDocumentRoutes(app: App, deps: AppDeps): void {
  for (const kind of ["invoice", "receipt"] as const) {
    app.get(`/documents/invoices/:id/:token/${kind}.pdf`, async (c) => {
      const { id, token } = c.req.param();
      const pdf =
        TOKEN.test(token) && id.length <= 100 ? await invoicePdfByToken(deps, id, token, kind) : undefined;
      if (!pdf) return c.html("<!doctype html><title>Not found</title><h1>Document not found</h1>", 404);
      return pdfResponse(c, pdf);
    });
  }
}

/** A document answer: shown in the browser, kept by no shared cache, its (secret) address sent nowhere. */
export function pdfResponse(c: Context, pdf: RenderedDocument): Response {
  c.header("content-type", "application/pdf");
  c.header("content-disposition", `inline; filename="${pdf.filename}"`);
  c.header("cache-control", "private, no-store");
  c.header("referrer-policy", "no-referrer");
  c.header("x-content-type-options", "nosniff");
  return c.body(pdf.bytes.slice().buffer as ArrayBuffer, 200);
}
