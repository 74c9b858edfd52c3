import { html } from "hono/html";
import { formatAmount } from "../../src/lib/money.js";
import type { Html } from "../layout.js";
import { type DashboardFrame, dashboardPage } from "./layout.js";
import { barChart } from "./overview-chart.js";

/** One figure of the overview: a flow is summed over the window, a stock is read at its last point (now). */
export type OverviewMetric = {
  id: string;
  title: string;
  kind: "flow" | "stock";
  /** One series per currency (the organization's default first), or one with `currency: null` for counts. */
  series: { currency: string | null; values: number[] }[];
};

export type OverviewView = {
  by: "day" | "week";
  since: string;
  until: string;
  /** Each bucket's first day, YYYY-MM-DD (UTC). */
  labels: string[];
  metrics: OverviewMetric[];
};

const count = (n: number) => n.toLocaleString("en-US");

function headline(metric: OverviewMetric, values: number[]): number {
  return metric.kind === "flow" ? values.reduce((a, b) => a + b, 0) : (values.at(-1) ?? 0);
}

function metricCard(view: OverviewView, metric: OverviewMetric): Html {
  const unit = view.by === "day" ? "day" : "week";
  return html`<section class="overview-card" aria-labelledby="m-${metric.id}">
<h2 id="m-${metric.id}">${metric.title}</h2>
${metric.series.map((s, index) => {
  const format = s.currency === null ? count : (n: number) => formatAmount(n, s.currency ?? "USD");
  const total = headline(metric, s.values);
  const id = `${metric.id}-${s.currency ?? "all"}`;
  const scope = metric.kind === "flow" ? "in the last 30 days" : "now";
  const caption = `${metric.title}${s.currency ? ` in ${s.currency}` : ""} by ${unit}`;
  return html`<div class="overview-series${index > 0 ? " overview-other" : ""}">
<p class="overview-figure"><span class="overview-value">${format(total)}</span> <span class="overview-scope">${s.currency ? `${s.currency} · ` : ""}${scope}</span></p>
${barChart(id, caption, view.labels, s.values, format)}
</div>`;
})}
</section>`;
}

/** The business's last 30 days, by day or by week, in the session's organization and mode. */
export function renderOverviewPage(frame: DashboardFrame, view: OverviewView): Html {
  const switchLink = (by: "day" | "week", label: string) =>
    view.by === by
      ? html`<a href="/dashboard?by=${by}" aria-current="true">${label}</a>`
      : html`<a href="/dashboard?by=${by}">${label}</a>`;
  return dashboardPage(
    frame,
    "Overview",
    html`<p>Last 30 days, ${view.since} to ${view.until} (UTC), ${frame.livemode ? "live" : "test"} data.</p>
<nav class="overview-by" aria-label="Chart periods">Show by ${switchLink("day", "day")} · ${switchLink("week", "week")}</nav>
<div class="overview-grid">${view.metrics.map((m) => metricCard(view, m))}</div>
<p class="overview-note">Net volume counts each refund against the day of the payment it refunds. Active subscriptions and monthly recurring revenue are read from start, cancellation and item dates for past days; yearly, weekly and daily prices are shown per month.</p>`,
  );
}

/** The front page until the business has taken a payment in this mode: what to do next. */
export function renderGetStartedPage(frame: DashboardFrame): Html {
  return dashboardPage(
    frame,
    "Overview",
    html`<p>Signed in to ${frame.organization.name} (${frame.livemode ? "live" : "test"} data).</p>
<p class="empty">No payments yet in ${frame.livemode ? "live" : "test"} data: your numbers will show here after the first one.</p>
<h2>Next steps</h2>
<ol>
<li><a href="/dashboard/developers/api-keys">Create an API key</a> for your server.</li>
<li>Create products and prices with the API (<a href="/api/docs">API docs</a>), then send customers to checkout.</li>
<li>Check the <a href="/dashboard/audit-log">audit log</a> for every change made here or with a key.</li>
</ol>`,
  );
}
