import { html } from "hono/html";
import { type Html, layout } from "./layout.js";

/** Everything the portal's front page shows, already formatted; built by src/portal/overview.ts. */
export type PortalPageView = {
  merchantName: string;
  supportEmail: string | null;
  livemode: boolean;
  customer: { name: string; email: string };
  returnUrl: string | null;
  csrfToken: string;
  flash: { kind: "ok" | "error"; text: string } | null;
  subscriptions: {
    id: string;
    name: string;
    status: string;
    price: string;
    /** "Renews on Jan 4, 2027", "Trial ends on …", "Ends on …". */
    schedule: string | null;
    canCancel: boolean;
    canUncancel: boolean;
    canChangePlan: boolean;
  }[];
  cards: { id: string; label: string; expires: string; isDefault: boolean }[];
  invoices: {
    id: string;
    number: string;
    date: string;
    total: string;
    status: string;
    hasReceipt: boolean;
  }[];
  payments: { id: string; date: string; amount: string; status: string; refunded: string | null }[];
};

export const PORTAL_TEST_BANNER = "Test mode: this is test data; no real money moves.";

/** A POST form with the session's CSRF token: every change in the portal goes through one. */
export function actionForm(
  action: string,
  csrfToken: string,
  label: string,
  style: "primary" | "secondary" = "secondary",
): Html {
  return html`<form method="post" action="${action}" class="action"><input type="hidden" name="csrf" value="${csrfToken}"><button type="submit" class="${style === "secondary" ? "secondary" : ""}">${label}</button></form>`;
}

/** The header every portal page shares: whose billing this is, the way back, and signing out. */
export function portalHeader(
  view: Pick<PortalPageView, "merchantName" | "customer" | "returnUrl" | "csrfToken">,
): Html {
  return html`<header class="panel wide portal-head">
  <div>
    <p class="merchant">${view.merchantName}</p>
    <h1 id="portal-title">Billing</h1>
    <p class="muted">${view.customer.name ? html`${view.customer.name} · ` : ""}${view.customer.email}</p>
  </div>
  <nav class="portal-nav" aria-label="Billing portal">
    ${view.returnUrl ? html`<a href="${view.returnUrl}">← Back to ${view.merchantName}</a>` : ""}
    ${actionForm("/billing/sign-out", view.csrfToken, "Sign out")}
  </nav>
</header>`;
}

function subscriptionsPanel(view: PortalPageView): Html {
  return html`<section class="panel wide" aria-labelledby="subs-title">
  <h2 id="subs-title">Subscriptions</h2>
  ${view.subscriptions.length === 0 ? html`<p class="muted">You have no current subscriptions.</p>` : ""}
  ${view.subscriptions.map(
    (s) => html`<article class="sub" aria-label="${s.name}">
    <div class="sub-head"><h3>${s.name}</h3><span class="badge">${s.status}</span></div>
    <p class="amount-line">${s.price}</p>
    ${s.schedule ? html`<p class="muted">${s.schedule}</p>` : ""}
    <div class="actions">
      ${s.canChangePlan ? html`<a class="button-link" href="/billing/subscriptions/${s.id}/change">Change plan</a>` : ""}
      ${s.canCancel ? actionForm(`/billing/subscriptions/${s.id}/cancel`, view.csrfToken, "Cancel at period end") : ""}
      ${s.canUncancel ? actionForm(`/billing/subscriptions/${s.id}/uncancel`, view.csrfToken, "Keep my subscription", "primary") : ""}
    </div>
  </article>`,
  )}
</section>`;
}

function cardsPanel(view: PortalPageView): Html {
  return html`<section class="panel" aria-labelledby="cards-title">
  <h2 id="cards-title">Payment method</h2>
  ${view.cards.length === 0 ? html`<p class="muted">No card on file.</p>` : ""}
  <ul class="plain-list">
    ${view.cards.map((c) => html`<li>${c.label} <span class="muted">expires ${c.expires}</span>${c.isDefault ? html` <span class="badge">Default</span>` : ""}</li>`)}
  </ul>
  ${actionForm("/billing/payment-method", view.csrfToken, view.cards.length === 0 ? "Add a card" : "Replace card", "primary")}
</section>`;
}

function paymentsPanel(view: PortalPageView): Html {
  return html`<section class="panel" aria-labelledby="payments-title">
  <h2 id="payments-title">Payments</h2>
  ${view.payments.length === 0 ? html`<p class="muted">No payments yet.</p>` : ""}
  ${
    view.payments.length > 0
      ? html`<table class="lines"><thead><tr><th scope="col" class="left">Date</th><th scope="col">Amount</th><th scope="col">Status</th></tr></thead><tbody>
    ${view.payments.map((p) => html`<tr><td>${p.date}</td><td>${p.amount}</td><td>${p.status}${p.refunded ? html`<br><span class="muted">${p.refunded} refunded</span>` : ""}</td></tr>`)}
  </tbody></table>`
      : ""
  }
</section>`;
}

function invoicesPanel(view: PortalPageView): Html {
  return html`<section class="panel wide" aria-labelledby="invoices-title">
  <h2 id="invoices-title">Invoices</h2>
  ${view.invoices.length === 0 ? html`<p class="muted">No invoices yet.</p>` : ""}
  ${
    view.invoices.length > 0
      ? html`<div class="scroll"><table class="lines"><thead><tr><th scope="col" class="left">Invoice</th><th scope="col">Date</th><th scope="col">Total</th><th scope="col">Status</th><th scope="col">Download</th></tr></thead><tbody>
    ${view.invoices.map(
      (i) =>
        html`<tr><td>${i.number}</td><td>${i.date}</td><td>${i.total}</td><td>${i.status}</td><td class="downloads"><a href="/billing/invoices/${i.id}/invoice.pdf" aria-label="Invoice ${i.number} (PDF)">Invoice</a>${i.hasReceipt ? html` · <a href="/billing/invoices/${i.id}/receipt.pdf" aria-label="Receipt for ${i.number} (PDF)">Receipt</a>` : ""}</td></tr>`,
    )}
  </tbody></table></div>`
      : ""
  }
</section>`;
}

export function renderPortalPage(view: PortalPageView): Html {
  const body = html`<main class="portal" aria-labelledby="portal-title">
${portalHeader(view)}
${view.flash ? html`<p class="${view.flash.kind === "ok" ? "ok" : "error"} wide" role="${view.flash.kind === "ok" ? "status" : "alert"}">${view.flash.text}</p>` : ""}
${subscriptionsPanel(view)}
${cardsPanel(view)}
${paymentsPanel(view)}
${invoicesPanel(view)}
${view.supportEmail ? html`<p class="muted wide">Questions about a charge? Write to <a href="mailto:${view.supportEmail}">${view.supportEmail}</a>.</p>` : ""}
</main>`;
  return layout({
    title: `Billing · ${view.merchantName}`,
    livemode: view.livemode,
    body,
    testBanner: PORTAL_TEST_BANNER,
  });
}
