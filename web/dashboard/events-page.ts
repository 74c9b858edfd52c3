import { html } from "hono/html";
import type { Html } from "../layout.js";
import { type DashboardFrame, dashboardPage, nextLink, table } from "./layout.js";

export const EVENTS_PATH = "/dashboard/developers/events";

export type EventView = { id: string; type: string; object: string; objectId: string; when: string };

export function renderEventsPage(
  frame: DashboardFrame,
  view: { events: EventView[]; next: string | null },
): Html {
  const rows = view.events.map(
    (e) =>
      html`<tr><td class="webhooks-break"><a href="${EVENTS_PATH}/${e.id}"><code>${e.type}</code></a></td><td class="webhooks-break">${e.object} <code>${e.objectId}</code></td><td>${e.when}</td></tr>`,
  );
  return dashboardPage(
    frame,
    "Events",
    html`<p class="muted">Every change Glade announces, newest first; open one for the body your webhooks receive. Fetch them with <code>GET /api/v1/events</code>: <a href="/api/docs">API docs</a>.</p>
${table(["Type", "Object", "When (UTC)"], rows, html`No ${frame.livemode ? "live" : "test"} events yet. Create a customer or a checkout with an API key of this mode, and its events appear here.`)}
${nextLink(EVENTS_PATH, view.next)}`,
  );
}

export function renderEventPage(frame: DashboardFrame, view: { event: EventView; payload: string }): Html {
  const e = view.event;
  return dashboardPage(
    frame,
    "Event",
    html`<p><a href="${EVENTS_PATH}">← Events</a></p>
<dl class="webhooks-facts">
<dt>Type</dt><dd><code>${e.type}</code></dd>
<dt>Object</dt><dd>${e.object} <code>${e.objectId}</code></dd>
<dt>When</dt><dd>${e.when} UTC</dd>
<dt>Id</dt><dd><code>${e.id}</code></dd>
</dl>
<h2>Payload</h2>
<p class="muted">Exactly the body each webhook receives, and what <code>GET /api/v1/events/${e.id}</code> answers (<a href="/api/docs">API docs</a>).</p>
<pre class="webhooks-pre" id="event-payload">${view.payload}</pre>`,
  );
}
