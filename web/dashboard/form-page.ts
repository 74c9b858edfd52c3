import { html } from "hono/html";
import type { Html } from "../layout.js";
import { fieldError, invalid } from "./catalog-parts.js";
import { type DashboardFrame, dashboardPage, postForm } from "./layout.js";

/** One field of a dashboard form: its value as typed and, after a refused POST, its error next to it. */
export type FormField = {
  name: string;
  label: string;
  kind: "text" | "textarea" | "select" | "checkbox";
  value: string;
  error?: string | undefined;
  hint?: string;
  options?: { value: string; label: string }[];
  required?: boolean;
  inputmode?: "decimal" | "numeric";
};

function control(f: FormField): Html {
  const describedBy = f.hint && !f.error ? html`aria-describedby="${f.name}-hint"` : "";
  const hint = f.hint ? html`<p class="muted" id="${f.name}-hint">${f.hint}</p>` : "";
  switch (f.kind) {
    case "checkbox":
      return html`<label class="catalog-check"><input type="checkbox" id="${f.name}" name="${f.name}" value="true" ${f.value === "true" ? "checked" : ""} ${invalid(f.name, f.error)}> ${f.label}</label>${fieldError(f.name, f.error)}`;
    case "select":
      return html`<label for="${f.name}">${f.label}</label>
<select id="${f.name}" name="${f.name}" ${invalid(f.name, f.error)} ${describedBy}>${(f.options ?? []).map(
        (o) => html`<option value="${o.value}" ${o.value === f.value ? "selected" : ""}>${o.label}</option>`,
      )}</select>${hint}${fieldError(f.name, f.error)}`;
    case "textarea":
      return html`<label for="${f.name}">${f.label}</label>
<textarea id="${f.name}" name="${f.name}" rows="3" maxlength="5000" ${invalid(f.name, f.error)} ${describedBy}>${f.value}</textarea>${hint}${fieldError(f.name, f.error)}`;
    default:
      return html`<label for="${f.name}">${f.label}</label>
<input id="${f.name}" name="${f.name}" value="${f.value}" maxlength="255" ${f.required ? "required" : ""} ${f.inputmode ? html`inputmode="${f.inputmode}"` : ""} ${invalid(f.name, f.error)} ${describedBy}>${hint}${fieldError(f.name, f.error)}`;
  }
}

/** A page holding one form: back link, what it does, the fields, one submit button. */
export function renderFormPage(
  frame: DashboardFrame,
  view: {
    title: string;
    back: { href: string; label: string };
    intro: string;
    action: string;
    fields: FormField[];
    submit: string;
    /** A refusal that belongs to no single field. */
    error?: string | undefined;
  },
): Html {
  return dashboardPage(
    frame,
    view.title,
    html`<p><a href="${view.back.href}">← ${view.back.label}</a></p>
<p class="muted">${view.intro}</p>
${view.error ? html`<div class="error" role="alert">${view.error}</div>` : ""}
${postForm(view.action, frame.csrfToken, html`${view.fields.map(control)}<button type="submit">${view.submit}</button>`, "catalog-form")}`,
  );
}
