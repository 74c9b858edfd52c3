import { html } from "hono/html";
import type { Html } from "../layout.js";
import { type DashboardFrame, dashboardPage, postForm, table } from "./layout.js";

export type ApiKeyRow = {
  id: string;
  name: string;
  prefix: string;
  created: string;
  lastUsed: string;
  revoked: string | null;
};

export function renderApiKeysPage(
  frame: DashboardFrame,
  view: {
    keys: ApiKeyRow[];
    canChange: boolean;
    newSecret: string | null;
    nameError: string | null;
    name: string;
  },
): Html {
  const mode = frame.livemode ? "live" : "test";
  const create = view.canChange
    ? postForm(
        "/dashboard/developers/api-keys",
        frame.csrfToken,
        html`<label for="key-name">Name of a new ${mode} key</label>
<input id="key-name" name="name" value="${view.name}" maxlength="100" ${view.nameError ? html`aria-invalid="true" aria-describedby="key-name-error"` : ""}>
<button type="submit">Create ${mode} key</button>
${view.nameError ? html`<p class="field-error" id="key-name-error">${view.nameError}</p>` : ""}`,
        "create-form",
      )
    : html`<p class="muted">Your role can view keys but not create or revoke them.</p>`;
  const rows = view.keys.map(
    (k) => html`<tr>
<td>${k.name}</td><td><code>${k.prefix}…</code></td><td>${k.created}</td><td>${k.lastUsed}</td>
<td>${k.revoked ? html`Revoked ${k.revoked}` : "Active"}</td>
<td>${!k.revoked && view.canChange ? postForm(`/dashboard/developers/api-keys/${k.id}/revoke`, frame.csrfToken, html`<button type="submit" class="danger" aria-label="Revoke ${k.name}">Revoke</button>`) : ""}</td>
</tr>`,
  );
  return dashboardPage(
    frame,
    "API keys",
    html`${
      view.newSecret
        ? html`<div class="ok" role="status"><p>Your new secret key. Copy it now: it is shown only once.</p><p class="secret" id="new-secret">${view.newSecret}</p></div>`
        : ""
    }
<p class="muted">Send a key as the <code>Authorization</code> header. Reference: <a href="/api/docs">API docs</a>.</p>
${create}
<h2>${frame.livemode ? "Live" : "Test"} keys</h2>
${table(["Name", "Key", "Created", "Last used", "Status", ""], rows, html`No ${mode} keys yet. Create one above to call the API.`)}`,
  );
}
