import { html } from "hono/html";
import type { Html } from "../layout.js";
import { type DashboardFrame, dashboardPage, table } from "./layout.js";
import { facts, olderLink, statusBadge } from "./records-parts.js";

const PATH = "/dashboard/invoices";

export type InvoiceListRow = {
  id: string;
  number: string;
  customer: string;
  total: string;
  status: string;
  date: string;
  pdfUrl: string;
};

export function renderInvoicesPage(
  frame: DashboardFrame,
  view: { rows: InvoiceListRow[]; next: string | null },
): Html {
  const rows = view.rows.map(
    (i) =>
      html`<tr><td data-label="Number"><a href="${PATH}/${i.id}">${i.number}</a></td><td data-label="Customer">${i.customer}</td><td data-label="Total">${i.total}</td><td data-label="Status">${statusBadge(i.status)}</td><td data-label="Date">${i.date}</td><td data-label="Document"><a href="${i.pdfUrl}" aria-label="PDF of invoice ${i.number}">PDF</a></td></tr>`,
  );
  return dashboardPage(
    frame,
    "Invoices",
    html`<div class="records-list">${table(
      ["Number", "Customer", "Total", "Status", "Date (UTC)", "Document"],
      rows,
      html`No invoices yet. Glade writes one for every paid checkout and every subscription billing period.`,
    )}</div>
${olderLink(PATH, undefined, view.next)}`,
  );
}

export type InvoiceLineView = { description: string; quantity: number; unitPrice: string; amount: string };

export type InvoiceDetailView = {
  id: string;
  number: string;
  status: string;
  customer: string;
  type: string;
  date: string;
  due: string | null;
  paid: string | null;
  subtotal: string;
  discount: string | null;
  total: string;
  amountPaid: string;
  subscriptionId: string | null;
  lines: InvoiceLineView[];
  pdfUrl: string;
  receiptUrl: string | null;
};

export function renderInvoicePage(frame: DashboardFrame, view: InvoiceDetailView): Html {
  const lines = view.lines.map(
    (l) =>
      html`<tr><td data-label="Description">${l.description}</td><td data-label="Quantity">${l.quantity}</td><td data-label="Unit price">${l.unitPrice}</td><td data-label="Amount">${l.amount}</td></tr>`,
  );
  return dashboardPage(
    frame,
    `Invoice ${view.number}`,
    html`${facts([
      ["Id", html`<code>${view.id}</code>`],
      ["Status", statusBadge(view.status)],
      ["Customer", view.customer],
      ["Type", view.type],
      ["Date (UTC)", view.date],
      ...(view.due ? [["Due (UTC)", view.due] as [string, string]] : []),
      ...(view.paid ? [["Paid (UTC)", view.paid] as [string, string]] : []),
      ...(view.subscriptionId
        ? [
            [
              "Subscription",
              html`<a href="/dashboard/subscriptions/${view.subscriptionId}"><code>${view.subscriptionId}</code></a>`,
            ] as [string, Html],
          ]
        : []),
    ])}
<p class="records-actions"><a href="${view.pdfUrl}">Invoice PDF</a>${view.receiptUrl ? html` · <a href="${view.receiptUrl}">Receipt PDF</a>` : ""}</p>
<h2>Line items</h2>
<div class="records-list">${table(["Description", "Quantity", "Unit price", "Amount"], lines, "This invoice has no line items.")}</div>
${facts([
  ["Subtotal", view.subtotal],
  ...(view.discount ? [["Discount", view.discount] as [string, string]] : []),
  ["Total", view.total],
  ["Amount paid", view.amountPaid],
])}
<p><a href="${PATH}">← Invoices</a></p>`,
  );
}
