import { html } from "hono/html";
import type { Html } from "../layout.js";
import { type DashboardFrame, dashboardPage, nextLink, table } from "./layout.js";

export type AuditRow = {
  id: string;
  when: string;
  who: string;
  action: string;
  object: string | null;
  hasDetail: boolean;
};

export function renderAuditPage(
  frame: DashboardFrame,
  view: { entries: AuditRow[]; next: string | null },
): Html {
  const rows = view.entries.map(
    (e) =>
      html`<tr><td>${e.when}</td><td>${e.who}</td><td>${e.hasDetail ? html`<a href="/dashboard/audit-log/${e.id}">${e.action}</a>` : e.action}</td><td>${e.object ? html`<code>${e.object}</code>` : ""}</td></tr>`,
  );
  return dashboardPage(
    frame,
    "Audit log",
    html`<p class="muted">Every change made in the dashboard or with an API key, newest first. Entries cannot be edited or removed.</p>
${table(["When (UTC)", "Who", "What", "Object"], rows, "No changes recorded yet.")}
${nextLink("/dashboard/audit-log", view.next)}`,
  );
}

export function renderAuditEntryPage(
  frame: DashboardFrame,
  view: { row: AuditRow; before: string | null; after: string | null },
): Html {
  return dashboardPage(
    frame,
    "Audit entry",
    html`<p>${view.row.when} · ${view.row.who} · ${view.row.action} ${view.row.object ? html`<code>${view.row.object}</code>` : ""}</p>
<h2>Before</h2><pre class="secret">${view.before ?? "—"}</pre>
<h2>After</h2><pre class="secret">${view.after ?? "—"}</pre>
<p><a href="/dashboard/audit-log">← Audit log</a></p>`,
  );
}
