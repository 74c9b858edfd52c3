import { html } from "hono/html";
import type { Html } from "../layout.js";
import { type DashboardFrame, dashboardPage } from "./layout.js";

/** The front page until the business has numbers to show: what to do next. */
export function renderOverviewPage(frame: DashboardFrame): Html {
  return dashboardPage(
    frame,
    "Overview",
    html`<p>Signed in to ${frame.organization.name} (${frame.livemode ? "live" : "test"} data).</p>
<h2>Next steps</h2>
<ol>
<li><a href="/dashboard/developers/api-keys">Create an API key</a> for your server.</li>
<li>Create products and prices with the API (<a href="/api/docs">API docs</a>), then send customers to checkout.</li>
<li>Check the <a href="/dashboard/audit-log">audit log</a> for every change made here or with a key.</li>
</ol>`,
  );
}
