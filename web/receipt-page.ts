import { html } from "hono/html";
import { type Html, layout } from "./layout.js";

export type ReceiptView = {
  sessionId: string;
  livemode: boolean;
  merchantName: string;
  headline: string;
  customerEmail: string;
  /** The card used; `charged` false when it was only saved (a trial, a card update). */
  card: { label: string; charged: boolean } | null;
  receipt: {
    number: string;
    date: string;
    lines: { description: string; quantity: number; unit: string; amount: string }[];
    discount: { label: string; subtotal: string; amount: string } | null;
    total: string;
    paid: string;
    /** The receipt as a PDF (its unguessable address), once paid. */
    pdfUrl: string | null;
  } | null;
  notes: string[];
  continueUrl: string | null;
};

/** Glade's own success page with a printable receipt (print CSS hides everything but the receipt). */
export function renderReceiptPage(view: ReceiptView): Html {
  const r = view.receipt;
  const body = html`<main><section class="panel wide" aria-labelledby="done-title">
  <p class="merchant">${view.merchantName}</p>
  <h1 id="done-title">${view.headline}</h1>
  <p class="ok" role="status">A confirmation was recorded for ${view.customerEmail}.</p>
  ${view.notes.map((n) => html`<p class="muted">${n}</p>`)}
  ${view.card ? html`<p>${view.card.charged ? "Paid with" : "Card on file:"} ${view.card.label}</p>` : ""}
  ${
    r
      ? html`<h2>Receipt ${r.number}</h2>
  <p class="muted">Date: ${r.date} · Seller: ${view.merchantName}</p>
  <table class="lines" aria-label="Receipt line items">
    <thead><tr><th scope="col" class="left">Item</th><th scope="col">Qty</th><th scope="col">Unit</th><th scope="col">Amount</th></tr></thead>
    <tbody>
      ${r.lines.map((l) => html`<tr><td>${l.description}</td><td>${l.quantity}</td><td>${l.unit}</td><td>${l.amount}</td></tr>`)}
      ${
        r.discount
          ? html`<tr><td colspan="3">Subtotal</td><td>${r.discount.subtotal}</td></tr>
      <tr><td colspan="3">${r.discount.label}</td><td>${r.discount.amount}</td></tr>`
          : ""
      }
      <tr class="total"><td colspan="3">Total</td><td>${r.total}</td></tr>
      <tr><td colspan="3">Amount paid</td><td>${r.paid}</td></tr>
    </tbody>
  </table>
  <button type="button" class="secondary no-print" data-print>Print receipt</button>
  ${r.pdfUrl ? html`<a class="cancel no-print" href="${r.pdfUrl}" download>Download receipt (PDF)</a>` : ""}`
      : ""
  }
  ${view.continueUrl ? html`<a class="cancel no-print" href="${view.continueUrl}">Continue to ${view.merchantName}</a>` : ""}
</section></main>`;
  return layout({ title: `Receipt · ${view.merchantName}`, livemode: view.livemode, body });
}
