import { html } from "hono/html";
import type { Html } from "../layout.js";
import { type DashboardFrame, dashboardPage, nextLink, postForm, table } from "./layout.js";

export type PaymentListRow = {
  id: string;
  when: string;
  amount: string;
  status: string;
  description: string;
};

export function renderPaymentsPage(
  frame: DashboardFrame,
  view: { payments: PaymentListRow[]; next: string | null },
): Html {
  const rows = view.payments.map(
    (p) =>
      html`<tr><td><a href="/dashboard/payments/${p.id}">${p.when}</a></td><td>${p.amount}</td><td>${p.status}</td><td>${p.description}</td></tr>`,
  );
  return dashboardPage(
    frame,
    "Payments",
    html`${table(
      ["When (UTC)", "Amount", "Status", "Description"],
      rows,
      html`No ${frame.livemode ? "live" : "test"} payments yet. Share a checkout link or a purchase page and they appear here.`,
    )}
${nextLink("/dashboard/payments", view.next)}`,
  );
}

export type PaymentDetail = {
  id: string;
  amount: string;
  refunded: string | null;
  remaining: string | null;
  /** The remaining amount in major units ("5.50"), the form's starting value. */
  remainingInput: string;
  currency: string;
  status: string;
  when: string;
  description: string;
  card: string;
  customer: { id: string; label: string } | null;
  invoiceId: string | null;
  refundable: boolean;
};

export function renderPaymentPage(
  frame: DashboardFrame,
  view: {
    payment: PaymentDetail;
    canChange: boolean;
    notice: string | null;
    amount: string | null;
    amountError: string | null;
  },
): Html {
  const p = view.payment;
  const amountValue = view.amount ?? p.remainingInput;
  const refund = !p.refundable
    ? html`<p class="muted">Only a succeeded payment with an amount left to refund can be refunded.</p>`
    : !view.canChange
      ? html`<p class="muted">Your role can view payments but not refund them. Ask an admin or owner.</p>`
      : html`<form method="get" action="/dashboard/payments/${p.id}/refund" class="payments-refund">
<label for="refund-amount">Amount to refund (${p.currency}, up to ${p.remaining})</label>
<input id="refund-amount" name="amount" value="${amountValue}" inputmode="decimal" maxlength="20" ${view.amountError ? html`aria-invalid="true" aria-describedby="refund-amount-error"` : ""}>
<button type="submit">Review refund</button>
${view.amountError ? html`<p class="field-error" id="refund-amount-error">${view.amountError}</p>` : ""}
</form>`;
  return dashboardPage(
    frame,
    `Payment of ${p.amount}`,
    html`${view.notice ? html`<div class="ok" role="status"><p>${view.notice}</p></div>` : ""}
<p><a href="/dashboard/payments">← Payments</a></p>
<dl class="customers-facts">
<dt>Amount</dt><dd>${p.amount}</dd>
<dt>Status</dt><dd>${p.status}</dd>
<dt>Refunded</dt><dd>${p.refunded ?? "Nothing"}</dd>
<dt>Charged (UTC)</dt><dd>${p.when}</dd>
<dt>Card</dt><dd>${p.card}</dd>
<dt>Customer</dt><dd>${p.customer ? html`<a href="/dashboard/customers/${p.customer.id}">${p.customer.label}</a>` : "—"}</dd>
<dt>Description</dt><dd>${p.description}</dd>
<dt>Invoice</dt><dd>${p.invoiceId ? html`<code>${p.invoiceId}</code>` : "—"}</dd>
<dt>Glade id</dt><dd><code>${p.id}</code></dd>
</dl>
<h2>Refund</h2>
${refund}`,
  );
}

/** The confirm step: nothing is refunded until this page's button is pressed. */
export function renderRefundConfirmPage(
  frame: DashboardFrame,
  view: { paymentId: string; question: string; amountInput: string },
): Html {
  return dashboardPage(
    frame,
    "Confirm refund",
    html`<p class="payments-question" id="refund-question">${view.question}</p>
<p class="muted">The money goes back to the card; this cannot be undone.</p>
${postForm(
  `/dashboard/payments/${view.paymentId}/refund`,
  frame.csrfToken,
  html`<input type="hidden" name="amount" value="${view.amountInput}"><button type="submit" class="danger">Confirm refund</button>`,
)}
<p><a href="/dashboard/payments/${view.paymentId}?amount=${encodeURIComponent(view.amountInput)}">Cancel and go back</a></p>`,
  );
}
