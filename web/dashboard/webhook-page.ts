import { html } from "hono/html";
import type { Html } from "../layout.js";
import { type DashboardFrame, dashboardPage, nextLink, postForm } from "./layout.js";
import { type EndpointErrors, type EndpointFields, endpointFields, WEBHOOKS_PATH } from "./webhooks-page.js";

export type AttemptView = {
  when: string;
  statusCode: number | null;
  durationMs: number;
  snippet: string | null;
  error: string | null;
};

export type DeliveryView = {
  eventId: string;
  eventType: string;
  status: "pending" | "delivered" | "failed";
  /** Every recorded attempt, over every redelivery, oldest first. */
  attempts: AttemptView[];
  nextAttempt: string | null;
  payload: string;
};

export type EndpointView = {
  id: string;
  url: string;
  types: string;
  active: boolean;
  created: string;
};

const STATUS_LABEL = { pending: "Pending", delivered: "Delivered", failed: "Failed" } as const;

function lastResponse(d: DeliveryView): Html | string {
  const last = d.attempts.at(-1);
  if (!last) return html`No attempt yet${d.nextAttempt ? html`, due ${d.nextAttempt}` : ""}.`;
  const status = last.statusCode === null ? "no HTTP answer" : `HTTP ${last.statusCode}`;
  return html`Last attempt ${last.when}: <strong>${status}</strong>${last.error ? html` · ${last.error}` : ""}${last.snippet ? html` <code class="webhooks-snippet">${last.snippet}</code>` : ""}`;
}

function delivery(frame: DashboardFrame, endpointId: string, d: DeliveryView, canChange: boolean): Html {
  return html`<li class="webhooks-delivery">
<p class="webhooks-delivery-head"><a href="/dashboard/developers/events/${d.eventId}"><code>${d.eventType}</code></a>
<span class="webhooks-status webhooks-status-${d.status}">${STATUS_LABEL[d.status]}</span>
<span class="muted">${d.attempts.length} ${d.attempts.length === 1 ? "attempt" : "attempts"}</span></p>
<p class="webhooks-last">${lastResponse(d)}</p>
${
  d.attempts.length > 0
    ? html`<details><summary>Attempts</summary><ol class="webhooks-attempts">${d.attempts.map(
        (a) =>
          html`<li>${a.when} · ${a.statusCode === null ? "no answer" : `HTTP ${a.statusCode}`} · ${a.durationMs} ms${a.error ? html` · ${a.error}` : ""}${a.snippet ? html`<pre class="webhooks-pre">${a.snippet}</pre>` : ""}</li>`,
      )}</ol></details>`
    : ""
}
<details><summary>Request payload</summary><pre class="webhooks-pre">${d.payload}</pre></details>
${
  canChange
    ? postForm(
        `${WEBHOOKS_PATH}/${endpointId}/redeliver`,
        frame.csrfToken,
        html`<input type="hidden" name="eventId" value="${d.eventId}"><button type="submit" aria-label="Redeliver ${d.eventType} ${d.eventId}">Redeliver</button>`,
      )
    : ""
}
</li>`;
}

export function renderWebhookPage(
  frame: DashboardFrame,
  view: {
    endpoint: EndpointView;
    canChange: boolean;
    eventTypes: readonly string[];
    form: EndpointFields;
    errors: EndpointErrors;
    /** Shown in this response only, after the reveal POST. */
    secret: string | null;
    notice: string | null;
    error: string | null;
    deliveries: DeliveryView[];
    next: string | null;
  },
): Html {
  const e = view.endpoint;
  const path = `${WEBHOOKS_PATH}/${e.id}`;
  const settings = view.canChange
    ? html`<details class="webhooks-edit" ${Object.keys(view.errors).length > 0 ? "open" : ""}><summary>Edit URL, events or enabled</summary>
${postForm(path, frame.csrfToken, html`${endpointFields("edit", view.eventTypes, view.form, view.errors, true)}<button type="submit">Save changes</button>`, "create-form")}
</details>
<h2>Signing secret</h2>
${
  view.secret
    ? html`<div class="ok" role="status"><p>Verify signatures with this secret. Keep it out of your code repository.</p><p class="secret" id="webhook-secret">${view.secret}</p></div>`
    : html`<p class="muted">The secret is hidden. Revealing it is recorded in the audit log.</p>`
}
<div class="webhooks-actions">
${postForm(`${path}/secret`, frame.csrfToken, html`<button type="submit">Reveal secret</button>`)}
${postForm(`${path}/rotate`, frame.csrfToken, html`<button type="submit" class="danger">Rotate secret</button>`)}
</div>
<p class="muted">Rotating replaces the secret at once: deliveries sent from then on are signed with the new one.</p>
${
  e.active
    ? html`<details class="webhooks-delete"><summary>Delete endpoint…</summary>
<p>Glade stops sending to <code>${e.url}</code> and cancels its queued deliveries. The delivery log stays readable here and in the API.</p>
${postForm(`${path}/delete`, frame.csrfToken, html`<button type="submit" class="danger">Delete this endpoint</button>`)}
</details>`
    : ""
}`
    : html`<p class="muted">Your role can view this endpoint and its deliveries but not change them.</p>`;
  return dashboardPage(
    frame,
    "Webhook endpoint",
    html`<p><a href="${WEBHOOKS_PATH}">← Webhooks</a></p>
${view.notice ? html`<div class="ok" role="status">${view.notice}</div>` : ""}
${view.error ? html`<div class="error" role="alert">${view.error}</div>` : ""}
<dl class="webhooks-facts">
<dt>URL</dt><dd class="webhooks-break"><code>${e.url}</code></dd>
<dt>Events</dt><dd>${e.types}</dd>
<dt>Status</dt><dd>${e.active ? "Enabled" : "Disabled"}</dd>
<dt>Created</dt><dd>${e.created} UTC</dd>
</dl>
${settings}
<h2>Deliveries</h2>
${
  view.deliveries.length === 0
    ? html`<p class="empty">No deliveries yet. Events this endpoint subscribes to appear here as they happen; create a customer with a ${frame.livemode ? "live" : "test"} API key to send one.</p>`
    : html`<ul class="webhooks-deliveries">${view.deliveries.map((d) => delivery(frame, e.id, d, view.canChange))}</ul>`
}
${nextLink(path, view.next)}`,
  );
}
