import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { AppDeps } from "../context/index.js";
import { listTenantPage } from "../db/list.js";
import { invoiceLineItems, invoices } from "../db/schema/index.js";
import { errorResponses, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { notFound } from "../lib/errors.js";
import { ListQuery } from "../lib/pagination.js";
import { listEnvelope } from "../lib/wire.js";
import { getInvoice, getInvoiceLineItem, listLinesForInvoices } from "./queries.js";
import { InvoiceLineItemRecord, InvoiceRecord, InvoiceWithLineItems } from "./schemas.js";
import { serializeInvoice, serializeInvoiceLineItem, serializeInvoiceWithLines } from "./serialize.js";

const IdParams = z.object({ id: z.string().min(1).max(200) });

const listInvoicesRoute = createRoute({
  method: "get",
  path: "/api/v1/invoices",
  tags: ["Invoices"],
  security: [{ secretKey: [] }],
  summary: "List invoices",
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(listEnvelope(InvoiceRecord, "InvoiceList"), "A page of invoices"),
    ...errorResponses(),
  },
});

const getInvoiceRoute = createRoute({
  method: "get",
  path: "/api/v1/invoices/{id}",
  tags: ["Invoices"],
  security: [{ secretKey: [] }],
  summary: "Retrieve an invoice with its line items",
  request: { params: IdParams },
  responses: {
    200: jsonResponse(InvoiceWithLineItems, "The invoice and its line items"),
    ...errorResponses("NOT_FOUND"),
  },
});

const listLineItemsRoute = createRoute({
  method: "get",
  path: "/api/v1/invoice-line-items",
  tags: ["Invoices"],
  security: [{ secretKey: [] }],
  summary: "List invoice line items",
  request: {
    query: ListQuery.extend({
      invoiceId: z.string().min(1).max(200).optional(),
    }),
  },
  responses: {
    200: jsonResponse(
      listEnvelope(InvoiceLineItemRecord, "InvoiceLineItemList"),
      "A page of invoice line items",
    ),
    ...errorResponses(),
  },
});

const getLineItemRoute = createRoute({
  method: "get",
  path: "/api/v1/invoice-line-items/{id}",
  tags: ["Invoices"],
  security: [{ secretKey: [] }],
  summary: "Retrieve an invoice line item",
  request: { params: IdParams },
  responses: {
    200: jsonResponse(InvoiceLineItemRecord, "The line item, unwrapped"),
    ...errorResponses("NOT_FOUND"),
  },
});

export function registerInvoiceRoutes(app: App, deps: AppDeps): void {
  app.openapi(listInvoicesRoute, async (c) => {
    const page = await listTenantPage(deps.db, invoices, c.get("merchant"), c.req.valid("query"), (row) =>
      serializeInvoice(row, deps.config.publicUrl),
    );
    return c.json(page, 200);
  });

  app.openapi(getInvoiceRoute, async (c) => {
    const { id } = c.req.valid("param");
    const merchant = c.get("merchant");
    const invoice = await getInvoice(deps.db, merchant, id);
    if (!invoice) throw notFound("Invoice", id);
    const lines = await listLinesForInvoices(deps.db, merchant, [invoice.id]);
    return c.json(serializeInvoiceWithLines(invoice, lines, deps.config.publicUrl), 200);
  });

  app.openapi(listLineItemsRoute, async (c) => {
    const { invoiceId, ...query } = c.req.valid("query");
    const page = await listTenantPage(
      deps.db,
      invoiceLineItems,
      c.get("merchant"),
      query,
      serializeInvoiceLineItem,
      invoiceId === undefined ? undefined : eq(invoiceLineItems.invoiceId, invoiceId),
    );
    return c.json(page, 200);
  });

  app.openapi(getLineItemRoute, async (c) => {
    const { id } = c.req.valid("param");
    const line = await getInvoiceLineItem(deps.db, c.get("merchant"), id);
    if (!line) throw notFound("Invoice line item", id);
    return c.json(serializeInvoiceLineItem(line), 200);
  });
}
