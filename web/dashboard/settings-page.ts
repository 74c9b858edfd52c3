import { html } from "hono/html";
import type { Html } from "../layout.js";
import { type DashboardFrame, dashboardPage, postForm } from "./layout.js";

/** General · Team: the two pages of the settings section. */
export function settingsTabs(current: "general" | "team"): Html {
  const tab = (key: "general" | "team", href: string, label: string) =>
    html`<li><a href="${href}" ${key === current ? html`aria-current="page"` : ""}>${label}</a></li>`;
  return html`<nav class="settings-tabs" aria-label="Settings"><ul>${tab("general", "/dashboard/settings", "General")}${tab("team", "/dashboard/settings/team", "Team")}</ul></nav>`;
}

/** The `aria-*` pair and the message of a field with a problem, or nothing. */
export function fieldError(
  id: string,
  error: string | undefined,
): { attrs: Html | string; message: Html | string } {
  if (!error) return { attrs: "", message: "" };
  return {
    attrs: html`aria-invalid="true" aria-describedby="${id}-error"`,
    message: html`<p class="field-error" id="${id}-error">${error}</p>`,
  };
}

export type ProcessorView =
  | { connected: false }
  | { connected: true; accountId: string; publishableKeyPrefix: string; since: string; webhookUrl: string };

export type SettingsView = {
  canChange: boolean;
  notice: string | null;
  profile: { name: string; addressLines: string; supportEmail: string; brandColor: string; logoUrl: string };
  profileErrors: Partial<Record<"name" | "addressLines" | "supportEmail" | "brandColor" | "logoUrl", string>>;
  domains: string;
  domainsError: string | null;
  processor: ProcessorView;
};

function profileSection(frame: DashboardFrame, view: SettingsView): Html {
  const p = view.profile;
  if (!view.canChange) {
    return html`<dl class="settings-facts">
<dt>Business name</dt><dd>${p.name}</dd>
<dt>Support email</dt><dd>${p.supportEmail || "None"}</dd>
<dt>Address</dt><dd>${p.addressLines ? html`<span class="settings-lines">${p.addressLines}</span>` : "None"}</dd>
<dt>Brand colour</dt><dd>${p.brandColor || "Glade's blue"}</dd>
<dt>Logo</dt><dd>${p.logoUrl || "None"}</dd>
</dl>`;
  }
  const name = fieldError("settings-name", view.profileErrors.name);
  const email = fieldError("settings-support-email", view.profileErrors.supportEmail);
  const address = fieldError("settings-address", view.profileErrors.addressLines);
  const color = fieldError("settings-brand-color", view.profileErrors.brandColor);
  const logo = fieldError("settings-logo", view.profileErrors.logoUrl);
  return postForm(
    "/dashboard/settings/profile",
    frame.csrfToken,
    html`<label for="settings-name">Business name</label>
<input id="settings-name" name="name" value="${p.name}" maxlength="100" required ${name.attrs}>
${name.message}
<label for="settings-support-email">Support email</label>
<input id="settings-support-email" name="supportEmail" type="email" value="${p.supportEmail}" maxlength="320" ${email.attrs}>
${email.message}
<label for="settings-address">Address (one line per line, up to 6)</label>
<textarea id="settings-address" name="addressLines" rows="4" ${address.attrs}>${p.addressLines}</textarea>
${address.message}
<label for="settings-brand-color">Brand colour on the hosted checkout (like #1f5eff; empty for Glade's blue)</label>
<input id="settings-brand-color" name="brandColor" value="${p.brandColor}" maxlength="7" ${color.attrs}>
${color.message}
<label for="settings-logo">Logo on the hosted checkout (https:// address of an image)</label>
<input id="settings-logo" name="logoUrl" type="url" value="${p.logoUrl}" maxlength="2048" ${logo.attrs}>
${logo.message}
<div><button type="submit">Save business details</button></div>`,
    "settings-form",
  );
}

function domainsSection(frame: DashboardFrame, view: SettingsView): Html {
  const explain = html`<p class="muted">Where checkout and the billing portal may send a customer back to. Empty: any http(s) address. A domain also allows its subdomains.</p>`;
  if (!view.canChange) {
    return html`${explain}<p>${view.domains ? html`<span class="settings-lines">${view.domains}</span>` : "Any host (no list)."}</p>`;
  }
  const error = fieldError("settings-domains", view.domainsError ?? undefined);
  return html`${explain}${postForm(
    "/dashboard/settings/redirect-domains",
    frame.csrfToken,
    html`<label for="settings-domains">Allowed redirect domains (one per line)</label>
<textarea id="settings-domains" name="domains" rows="4" placeholder="shop.example.com" ${error.attrs}>${view.domains}</textarea>
${error.message}
<div><button type="submit">Save redirect domains</button></div>`,
    "settings-form",
  )}`;
}

function processorSection(frame: DashboardFrame, processor: ProcessorView): Html {
  const mode = frame.livemode ? "live" : "test";
  const command = `npx glade processors connect stripe --org ${frame.organization.id} --mode ${mode} --secret-key sk_${mode}_… --publishable-key pk_${mode}_… --webhook-secret whsec_…`;
  const how = html`<p class="muted">Connect or replace the keys on the server (they are checked with Stripe and stored sealed; <code>GLADE_ENCRYPTION_KEY</code> must be set). The keys may come from <code>STRIPE_SECRET_KEY</code>, <code>STRIPE_PUBLISHABLE_KEY</code> and <code>STRIPE_WEBHOOK_SECRET</code> instead, to keep them out of shell history:</p>
<pre class="secret settings-command">${command}</pre>`;
  if (!processor.connected) {
    return html`<p class="settings-status" id="processor-status"><strong>Stripe is not connected</strong> in ${mode} mode.
${frame.livemode ? "Live payments are refused until it is." : "Test payments use Glade's built-in sandbox until it is."}</p>${how}`;
  }
  return html`<p class="settings-status" id="processor-status"><strong>Stripe is connected</strong> in ${mode} mode.</p>
<dl class="settings-facts">
<dt>Account</dt><dd><code>${processor.accountId}</code></dd>
<dt>Publishable key</dt><dd><code>${processor.publishableKeyPrefix}…</code></dd>
<dt>Connected or replaced</dt><dd>${processor.since} UTC</dd>
<dt>Webhook endpoint to add in Stripe</dt><dd><code class="settings-wrap">${processor.webhookUrl}</code></dd>
</dl>${how}`;
}

export function renderSettingsPage(frame: DashboardFrame, view: SettingsView): Html {
  return dashboardPage(
    frame,
    "Settings",
    html`${settingsTabs("general")}
${view.notice ? html`<p class="ok" role="status">${view.notice}</p>` : ""}
${view.canChange ? "" : html`<p class="muted">Your role (${frame.role}) can view these settings but not change them.</p>`}
<h2 id="business">Business details</h2>
<p class="muted">Shown on invoices, receipts and the billing portal, in test and live mode alike.</p>
${profileSection(frame, view)}
<h2 id="redirects">Redirect domains</h2>
${domainsSection(frame, view)}
<h2 id="processor">Processor</h2>
${processorSection(frame, view.processor)}`,
  );
}
