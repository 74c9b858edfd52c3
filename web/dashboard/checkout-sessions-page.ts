import { html } from "hono/html";
import type { Html } from "../layout.js";
import { type DashboardFrame, dashboardPage, postForm, table } from "./layout.js";
import { olderLink, statusBadge, statusFilter } from "./records-parts.js";

const PATH = "/dashboard/checkout-sessions";

export type CheckoutSessionListRow = {
  id: string;
  status: string;
  type: string;
  customer: string;
  amount: string;
  created: string;
  expires: string;
  /** Offered on open sessions to admins and owners only. */
  canExpire: boolean;
};

export function renderCheckoutSessionsPage(
  frame: DashboardFrame,
  view: {
    rows: CheckoutSessionListRow[];
    statuses: readonly string[];
    status: string | undefined;
    next: string | null;
    error: string | null;
  },
): Html {
  const rows = view.rows.map(
    (
      s,
    ) => html`<tr><td data-label="Status">${statusBadge(s.status)}</td><td data-label="Session"><code>${s.id}</code></td><td data-label="Type">${s.type.replaceAll("_", " ")}</td><td data-label="Customer">${s.customer}</td><td data-label="Amount">${s.amount}</td><td data-label="Created">${s.created}</td><td data-label="Expires">${s.expires}</td>
<td>${
      s.canExpire
        ? postForm(
            `${PATH}/${s.id}/expire`,
            frame.csrfToken,
            html`<input type="hidden" name="status" value="${view.status ?? ""}"><button type="submit" class="danger" aria-label="Expire ${s.id}">Expire</button>`,
          )
        : ""
    }</td></tr>`,
  );
  const empty = view.status
    ? html`No ${view.status} checkout sessions. <a href="${PATH}">Show every session</a>.`
    : html`No checkout sessions yet. Create one with <code>POST /api/v1/checkout-sessions</code> or share a purchase link from the catalog.`;
  return dashboardPage(
    frame,
    "Checkout sessions",
    html`${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ""}
${statusFilter(PATH, view.statuses, view.status)}
<div class="records-list">${table(["Status", "Session", "Type", "Customer", "Amount", "Created (UTC)", "Expires (UTC)", ""], rows, empty)}</div>
${olderLink(PATH, view.status, view.next)}`,
  );
}
