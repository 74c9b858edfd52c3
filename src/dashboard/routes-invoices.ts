import { renderInvoicePage, renderInvoicesPage } from "../../web/dashboard/invoices-page.js";
import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import {
  getInvoice,
  hasReceipt,
  invoiceDocumentUrl,
  listInvoicesPage,
  listLinesForInvoices,
} from "../invoices/index.js";
import { when } from "./format.js";
import { customerLabels, listOr400, money, notFoundPage, pageQuery } from "./records-shared.js";
import { frameFor, viewingVisitor, visitorMerchant } from "./routes-visitor.js";

const PATH = "/dashboard/invoices";

export function registerDashboardInvoices(app: App, deps: AppDeps): void {
  app.get(PATH, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const merchant = visitorMerchant(visitor);
    const page = await listOr400(c, "Invoices", () => listInvoicesPage(deps.db, merchant, pageQuery(c)));
    if (page instanceof Response) return page;
    const customers = await customerLabels(
      deps,
      merchant,
      page.data.map((i) => i.customerId),
    );
    return c.html(
      renderInvoicesPage(await frameFor(deps, visitor, PATH), {
        rows: page.data.map((i) => ({
          id: i.id,
          number: i.invoiceNumber,
          customer: customers.get(i.customerId) ?? i.customerId,
          total: money(i.total, i.currency),
          status: i.status,
          date: when(i.invoiceDate),
          pdfUrl: invoiceDocumentUrl(deps.config.publicUrl, i, "invoice"),
        })),
        next: page.nextCursor ?? null,
      }),
    );
  });

  app.get(`${PATH}/:id`, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const merchant = visitorMerchant(visitor);
    const invoice = await getInvoice(deps.db, merchant, c.req.param("id"));
    if (!invoice) return notFoundPage(c, "invoice");
    const [lines, customers] = await Promise.all([
      listLinesForInvoices(deps.db, merchant, [invoice.id]),
      customerLabels(deps, merchant, [invoice.customerId]),
    ]);
    const show = (n: number) => money(n, invoice.currency);
    return c.html(
      renderInvoicePage(await frameFor(deps, visitor, PATH), {
        id: invoice.id,
        number: invoice.invoiceNumber,
        status: invoice.status,
        customer: customers.get(invoice.customerId) ?? invoice.customerId,
        type: invoice.type,
        date: when(invoice.invoiceDate),
        due: invoice.dueDate ? when(invoice.dueDate) : null,
        paid: invoice.paidAt ? when(invoice.paidAt) : null,
        subtotal: show(invoice.subtotal),
        discount: invoice.discountAmount > 0 ? `− ${show(invoice.discountAmount)}` : null,
        total: show(invoice.total),
        amountPaid: show(invoice.amountPaid),
        subscriptionId: invoice.subscriptionId,
        lines: lines.map((l) => ({
          description: l.description,
          quantity: l.quantity,
          unitPrice: show(l.unitPrice),
          amount: show(l.amount),
        })),
        pdfUrl: invoiceDocumentUrl(deps.config.publicUrl, invoice, "invoice"),
        receiptUrl: hasReceipt(invoice)
          ? invoiceDocumentUrl(deps.config.publicUrl, invoice, "receipt")
          : null,
      }),
    );
  });
}
