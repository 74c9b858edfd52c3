import { html } from "hono/html";
import type { Html } from "../layout.js";
import { type DashboardFrame, dashboardPage, nextLink, postForm, table } from "./layout.js";

export const WEBHOOKS_PATH = "/dashboard/developers/webhooks";

/** What an endpoint form holds, as typed (shown again with its errors after a 400). */
export type EndpointFields = {
  url: string;
  description: string;
  /** Every event type, including ones Glade adds later (the API's `eventTypes: null`). */
  allTypes: boolean;
  eventTypes: string[];
  active: boolean;
};
export type EndpointErrors = { url?: string; eventTypes?: string; description?: string };

export type EndpointRow = { id: string; url: string; types: string; active: boolean; created: string };

/** Each event type is its own checkbox field (`type.<event>`): a repeated form key would keep only one. */
export const typeField = (type: string) => `type.${type}`;

const invalid = (id: string, error: string | undefined) =>
  error ? html`aria-invalid="true" aria-describedby="${id}-error"` : "";
const errorText = (id: string, error: string | undefined) =>
  error ? html`<p class="field-error" id="${id}-error">${error}</p>` : "";

/** URL, description, event types (and, when editing, enabled): the same fields for create and edit. */
export function endpointFields(
  prefix: string,
  eventTypes: readonly string[],
  values: EndpointFields,
  errors: EndpointErrors,
  withActive: boolean,
): Html {
  return html`<label for="${prefix}-url">Endpoint URL</label>
<input id="${prefix}-url" name="url" type="url" class="webhooks-url" value="${values.url}" maxlength="2048" required placeholder="https://example.com/webhooks/glade" ${invalid(`${prefix}-url`, errors.url)}>
${errorText(`${prefix}-url`, errors.url)}
<label for="${prefix}-description">Description (optional)</label>
<input id="${prefix}-description" name="description" class="webhooks-url" value="${values.description}" maxlength="500" ${invalid(`${prefix}-description`, errors.description)}>
${errorText(`${prefix}-description`, errors.description)}
<fieldset class="webhooks-types" ${errors.eventTypes ? html`aria-describedby="${prefix}-types-error"` : ""}>
<legend>Events to send</legend>
<label><input type="checkbox" name="all_types" ${values.allTypes ? "checked" : ""}> All event types, including ones added later</label>
<p class="muted">Or only these:</p>
<div class="webhooks-type-grid">${eventTypes.map(
    (t) =>
      html`<label><input type="checkbox" name="${typeField(t)}" ${values.eventTypes.includes(t) ? "checked" : ""}> <code>${t}</code></label>`,
  )}</div>
${errorText(`${prefix}-types`, errors.eventTypes)}
</fieldset>
${withActive ? html`<label class="webhooks-check"><input type="checkbox" name="active" ${values.active ? "checked" : ""}> Enabled (a disabled endpoint keeps its queued deliveries until enabled again)</label>` : ""}`;
}

export function renderWebhooksPage(
  frame: DashboardFrame,
  view: {
    endpoints: EndpointRow[];
    next: string | null;
    canChange: boolean;
    eventTypes: readonly string[];
    form: EndpointFields;
    errors: EndpointErrors;
  },
): Html {
  const mode = frame.livemode ? "live" : "test";
  const rows = view.endpoints.map(
    (e) => html`<tr>
<td class="webhooks-break"><a href="${WEBHOOKS_PATH}/${e.id}">${e.url}</a></td>
<td>${e.types}</td><td>${e.active ? "Enabled" : "Disabled"}</td><td>${e.created}</td>
</tr>`,
  );
  const create = view.canChange
    ? html`<h2>Add a ${mode} endpoint</h2>
${postForm(WEBHOOKS_PATH, frame.csrfToken, html`${endpointFields("new", view.eventTypes, view.form, view.errors, false)}<button type="submit">Add endpoint</button>`, "create-form")}`
    : html`<p class="muted">Your role can view endpoints but not add or change them.</p>`;
  return dashboardPage(
    frame,
    "Webhooks",
    html`<p class="muted">Glade POSTs each event to your endpoints, signed per Standard Webhooks with the endpoint's secret. Every event: <a href="/dashboard/developers/events">Events</a>. Reference: <a href="/api/docs">API docs</a>.</p>
<h2>${frame.livemode ? "Live" : "Test"} endpoints</h2>
${table(["URL", "Events", "Status", "Created (UTC)"], rows, html`No ${mode} endpoints yet. Add one below to receive events.`)}
${nextLink(WEBHOOKS_PATH, view.next)}
${create}`,
  );
}
