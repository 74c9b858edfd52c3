import { html } from "hono/html";
import type { Html } from "../layout.js";
import { page } from "./layout.js";

export type FieldErrors = Partial<Record<"email" | "password" | "form", string>>;

function field(
  name: "email" | "password",
  label: string,
  type: string,
  value: string,
  errors: FieldErrors,
  autocomplete: string,
): Html {
  const error = errors[name];
  return html`<label for="${name}">${label}</label>
<input id="${name}" name="${name}" type="${type}" value="${value}" autocomplete="${autocomplete}" required ${error ? html`aria-invalid="true" aria-describedby="${name}-error"` : ""}>
${error ? html`<p class="field-error" id="${name}-error">${error}</p>` : ""}`;
}

export function renderSignInPage(view: { email: string; errors: FieldErrors; notice?: string }): Html {
  return page(
    "Sign in",
    html`<main class="narrow"><h1>Sign in to Glade</h1>
${view.notice ? html`<p class="ok" role="status">${view.notice}</p>` : ""}
${view.errors.form ? html`<p class="error" role="alert">${view.errors.form}</p>` : ""}
<form method="post" action="/dashboard/sign-in" novalidate>
${field("email", "Email", "email", view.email, view.errors, "username")}
${field("password", "Password", "password", "", view.errors, "current-password")}
<button type="submit">Sign in</button>
</form>
<p class="muted">No password yet, or forgot it? Ask an owner of your organization, or run <code>npx glade users reset-password --email you@example.com</code> on the server.</p>
</main>`,
  );
}

export function renderSetPasswordPage(view: { token: string; email: string; error?: string }): Html {
  return page(
    "Choose a password",
    html`<main class="narrow"><h1>Choose a password</h1>
<p>For ${view.email}. Use at least 12 characters.</p>
<form method="post" action="/dashboard/link/${view.token}" novalidate>
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required ${view.error ? html`aria-invalid="true" aria-describedby="password-error"` : ""}>
${view.error ? html`<p class="field-error" id="password-error">${view.error}</p>` : ""}
<button type="submit">Save and sign in</button>
</form></main>`,
  );
}

export function renderMessagePage(title: string, message: string): Html {
  return page(
    title,
    html`<main class="narrow"><h1>${title}</h1><p>${message}</p><p><a href="/dashboard/sign-in">Go to sign in</a></p></main>`,
  );
}
