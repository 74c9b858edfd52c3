import { html } from "hono/html";
import type { Html } from "../layout.js";
import { type DashboardFrame, dashboardPage, table } from "./layout.js";

export type CustomerListRow = {
  id: string;
  name: string;
  email: string;
  externalId: string;
  created: string;
};

/** "Older" link that keeps the search term. */
function olderLink(q: string, cursor: string | null): Html | string {
  if (!cursor) return "";
  const query = new URLSearchParams(q === "" ? { cursor } : { q, cursor });
  return html`<p><a href="/dashboard/customers?${query.toString()}">Older →</a></p>`;
}

function matchCount(total: number, limit: number): string {
  if (total > limit) return `More than ${limit.toLocaleString("en-US")} customers match`;
  return `${total.toLocaleString("en-US")} ${total === 1 ? "customer matches" : "customers match"}`;
}

export function renderCustomersPage(
  frame: DashboardFrame,
  /** `total` counts matches up to `totalLimit`; above it the page says "more than". */
  view: { customers: CustomerListRow[]; q: string; next: string | null; total: number; totalLimit: number },
): Html {
  const rows = view.customers.map(
    (c) =>
      html`<tr><td><a href="/dashboard/customers/${c.id}">${c.name || c.email}</a></td><td>${c.email}</td><td><code>${c.externalId}</code></td><td>${c.created}</td></tr>`,
  );
  const empty =
    view.q === ""
      ? html`No customers yet. They appear here when someone checks out, or when your app creates one with <code>POST /api/v1/customers</code>.`
      : html`No customer matches “${view.q}”. Try part of an email, a name or your externalId, or <a href="/dashboard/customers">show every customer</a>.`;
  return dashboardPage(
    frame,
    "Customers",
    html`<form method="get" action="/dashboard/customers" class="customers-search" role="search">
<label for="customer-q">Search by email, name or externalId</label>
<input id="customer-q" class="customers-q" name="q" type="search" value="${view.q}" maxlength="200">
<button type="submit">Search</button>
</form>
${view.q === "" ? "" : html`<p class="muted" role="status">${matchCount(view.total, view.totalLimit)} “${view.q}”. <a href="/dashboard/customers">Clear search</a></p>`}
${table(["Name", "Email", "External id", "Created (UTC)"], rows, empty)}
${olderLink(view.q, view.next)}`,
  );
}

export type CustomerDetail = {
  customer: {
    id: string;
    name: string;
    email: string;
    externalId: string;
    created: string;
    archived: boolean;
  };
  subscriptions: { id: string; name: string; status: string; started: string }[];
  payments: { id: string; when: string; amount: string; status: string }[];
  invoices: {
    id: string;
    number: string;
    status: string;
    total: string;
    date: string;
    pdfUrl: string | null;
  }[];
  cards: { id: string; label: string; expires: string; isDefault: boolean }[];
  events: { id: string; type: string; when: string }[];
};

export function renderCustomerPage(frame: DashboardFrame, view: CustomerDetail): Html {
  const c = view.customer;
  return dashboardPage(
    frame,
    c.name || c.email,
    html`<p><a href="/dashboard/customers">← Customers</a></p>
<dl class="customers-facts">
<dt>Email</dt><dd>${c.email}</dd>
<dt>External id</dt><dd><code>${c.externalId}</code></dd>
<dt>Glade id</dt><dd><code>${c.id}</code></dd>
<dt>Created (UTC)</dt><dd>${c.created}</dd>
<dt>Status</dt><dd>${c.archived ? "Archived" : "Active"}</dd>
</dl>
<h2>Subscriptions</h2>
${table(
  ["Plan", "Status", "Started (UTC)", "Id"],
  view.subscriptions.map(
    (s) =>
      html`<tr><td>${s.name}</td><td>${s.status}</td><td>${s.started}</td><td><code>${s.id}</code></td></tr>`,
  ),
  "No subscriptions. One starts when this customer checks out a subscription price.",
)}
<h2>Payments</h2>
${table(
  ["When (UTC)", "Amount", "Status"],
  view.payments.map(
    (p) =>
      html`<tr><td><a href="/dashboard/payments/${p.id}">${p.when}</a></td><td>${p.amount}</td><td>${p.status}</td></tr>`,
  ),
  "No payments yet. They appear here when this customer pays a checkout or a renewal.",
)}
<h2>Invoices</h2>
${table(
  ["Number", "Date (UTC)", "Total", "Status", ""],
  view.invoices.map(
    (i) =>
      html`<tr><td>${i.number}</td><td>${i.date}</td><td>${i.total}</td><td>${i.status}</td><td>${i.pdfUrl ? html`<a href="${i.pdfUrl}">PDF</a>` : ""}</td></tr>`,
  ),
  "No invoices yet. Glade issues one for each paid checkout and renewal.",
)}
<h2>Payment methods</h2>
${table(
  ["Card", "Expires", ""],
  view.cards.map(
    (m) => html`<tr><td>${m.label}</td><td>${m.expires}</td><td>${m.isDefault ? "Default" : ""}</td></tr>`,
  ),
  "No saved cards. A card is saved when this customer pays for a subscription or adds one in the billing portal.",
)}
<h2>Recent events</h2>
${table(
  ["When (UTC)", "Event", "Id"],
  view.events.map((e) => html`<tr><td>${e.when}</td><td>${e.type}</td><td><code>${e.id}</code></td></tr>`),
  "No events about this customer yet.",
)}`,
  );
}
