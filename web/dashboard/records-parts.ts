import { html } from "hono/html";
import type { Html } from "../layout.js";

/** A path with its query, leaving out empty values (the filter and the cursor of a records list). */
export function withQuery(path: string, params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Status filter as plain links: works with the keyboard and without script; the current one is marked. */
export function statusFilter(path: string, statuses: readonly string[], current: string | undefined): Html {
  const link = (label: string, status: string | undefined) =>
    html`<li><a href="${withQuery(path, { status })}" ${status === current ? html`aria-current="true"` : ""}>${label}</a></li>`;
  return html`<nav class="records-filter" aria-label="Filter by status"><ul>${link("All", undefined)}${statuses.map((s) => link(label(s), s))}</ul></nav>`;
}

/** "cancellation_scheduled" → "Cancellation scheduled". */
export function label(status: string): string {
  const words = status.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function statusBadge(status: string): Html {
  return html`<span class="records-status records-status-${status}">${label(status)}</span>`;
}

/** "Older" link that keeps the filter. */
export function olderLink(path: string, status: string | undefined, cursor: string | null): Html | string {
  return cursor ? html`<p><a href="${withQuery(path, { status, cursor })}">Older →</a></p>` : "";
}

/** Label/value pairs of a record's details. */
export function facts(pairs: [string, Html | string][]): Html {
  return html`<dl class="records-facts">${pairs.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}
