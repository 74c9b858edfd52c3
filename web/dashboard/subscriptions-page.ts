import { html } from "hono/html";
import type { Html } from "../layout.js";
import { type DashboardFrame, dashboardPage, postForm, table } from "./layout.js";
import { facts, olderLink, statusBadge, statusFilter } from "./records-parts.js";

const PATH = "/dashboard/subscriptions";

export type SubscriptionListRow = {
  id: string;
  status: string;
  customer: string;
  plan: string;
  amount: string;
  periodEnd: string;
};

export function renderSubscriptionsPage(
  frame: DashboardFrame,
  view: {
    rows: SubscriptionListRow[];
    statuses: readonly string[];
    status: string | undefined;
    next: string | null;
  },
): Html {
  const rows = view.rows.map(
    (s) =>
      html`<tr><td data-label="Status">${statusBadge(s.status)}</td><td data-label="Customer"><a href="${PATH}/${s.id}">${s.customer}</a></td><td data-label="Plan">${s.plan}</td><td data-label="Amount">${s.amount}</td><td data-label="Period ends">${s.periodEnd}</td></tr>`,
  );
  const empty = view.status
    ? html`No subscriptions are ${view.status.replaceAll("_", " ")}. <a href="${PATH}">Show every subscription</a>.`
    : html`No subscriptions yet. They start when a customer completes a checkout for a subscription price, or through <code>POST /api/v1/subscriptions</code>.`;
  return dashboardPage(
    frame,
    "Subscriptions",
    html`${statusFilter(PATH, view.statuses, view.status)}
<div class="records-list">${table(["Status", "Customer", "Plan", "Amount", "Current period ends (UTC)"], rows, empty)}</div>
${olderLink(PATH, view.status, view.next)}`,
  );
}

export type SubscriptionItemView = {
  name: string;
  quantity: number;
  unitPrice: string;
  amount: string;
  added: string;
  ends: string;
};

export type SubscriptionDetailView = {
  id: string;
  status: string;
  customer: string;
  plan: string;
  amount: string;
  started: string;
  period: string;
  cancelScheduledAt: string | null;
  canceledAt: string | null;
  items: SubscriptionItemView[];
  /** Which admin actions the subscription's state allows (none for a viewer). */
  actions: { cancelAtPeriodEnd: boolean; cancelNow: boolean; undo: boolean } | null;
  error: string | null;
};

export function renderSubscriptionPage(frame: DashboardFrame, view: SubscriptionDetailView): Html {
  const base = `${PATH}/${view.id}`;
  const a = view.actions;
  const buttons = a
    ? html`<div class="records-actions">
${a.cancelAtPeriodEnd ? postForm(`${base}/cancel`, frame.csrfToken, html`<input type="hidden" name="timing" value="at_end_of_current_billing_period"><button type="submit">Cancel at period end</button>`) : ""}
${a.cancelNow ? postForm(`${base}/cancel`, frame.csrfToken, html`<input type="hidden" name="timing" value="immediately"><button type="submit" class="danger">Cancel now</button>`) : ""}
${a.undo ? postForm(`${base}/uncancel`, frame.csrfToken, html`<button type="submit">Undo cancellation</button>`) : ""}
</div>`
    : html`<p class="muted">Your role can view subscriptions but not cancel them.</p>`;
  const items = view.items.map(
    (i) =>
      html`<tr><td data-label="Item">${i.name}</td><td data-label="Quantity">${i.quantity}</td><td data-label="Unit price">${i.unitPrice}</td><td data-label="Amount">${i.amount}</td><td data-label="Added">${i.added}</td><td data-label="Ends">${i.ends}</td></tr>`,
  );
  return dashboardPage(
    frame,
    `Subscription`,
    html`${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ""}
${facts([
  ["Id", html`<code>${view.id}</code>`],
  ["Status", statusBadge(view.status)],
  ["Customer", view.customer],
  ["Plan", view.plan],
  ["Amount", view.amount],
  ["Started (UTC)", view.started],
  ["Current period (UTC)", view.period],
  ...(view.cancelScheduledAt ? [["Cancels at (UTC)", view.cancelScheduledAt] as [string, string]] : []),
  ...(view.canceledAt ? [["Canceled at (UTC)", view.canceledAt] as [string, string]] : []),
])}
${buttons}
<h2>Items</h2>
<div class="records-list">${table(["Item", "Quantity", "Unit price", "Amount", "Added (UTC)", "Ends (UTC)"], items, "This subscription has no items.")}</div>
<p><a href="${PATH}">← Subscriptions</a></p>`,
  );
}
