import { html } from "hono/html";
import type { Html } from "../layout.js";

/** What every signed-in page shows around its content. */
export type DashboardFrame = {
  csrfToken: string;
  user: { name: string; email: string };
  role: "owner" | "admin" | "viewer";
  organization: { id: string; name: string };
  organizations: { organizationId: string; name: string }[];
  livemode: boolean;
  /** The nav entry to mark as current, e.g. "/dashboard/developers/api-keys". */
  current: string;
};

/** Every section, in order; a page marks its own with `current`. */
export const NAV: { href: string; label: string }[] = [
  { href: "/dashboard", label: "Overview" },
  { href: "/dashboard/catalog", label: "Catalog" },
  { href: "/dashboard/customers", label: "Customers" },
  { href: "/dashboard/subscriptions", label: "Subscriptions" },
  { href: "/dashboard/payments", label: "Payments" },
  { href: "/dashboard/invoices", label: "Invoices" },
  { href: "/dashboard/checkout-sessions", label: "Checkout sessions" },
  { href: "/dashboard/developers/api-keys", label: "API keys" },
  { href: "/dashboard/developers/webhooks", label: "Webhooks" },
  { href: "/dashboard/developers/events", label: "Events" },
  { href: "/dashboard/settings", label: "Settings" },
  { href: "/dashboard/audit-log", label: "Audit log" },
];

/** A POST form carrying the session's token: every change in the dashboard goes through one. */
export function postForm(
  action: string,
  csrfToken: string,
  inner: Html | string,
  className = "inline-form",
): Html {
  return html`<form method="post" action="${action}" class="${className}"><input type="hidden" name="csrf" value="${csrfToken}">${inner}</form>`;
}

export function page(title: string, body: Html, options: { livemode?: boolean } = {}): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow">
<title>${title} · Glade</title>
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">
<link rel="icon" href="data:,">
</head>
<body class="${options.livemode === false ? "test-data" : ""}">
${body}
</body>
</html>`;
}

/** The signed-in page: the header with organization, mode switch and account, the nav, then the content. */
export function dashboardPage(frame: DashboardFrame, title: string, content: Html): Html {
  const modeLabel = frame.livemode ? "Live data" : "Test data";
  return page(
    title,
    html`${frame.livemode ? "" : html`<div class="test-banner" role="note">You are viewing test data. Nothing here moves real money.</div>`}
<header class="top">
  <a class="brand" href="/dashboard">Glade</a>
  <span class="org">${frame.organization.name}</span>
  ${postForm(
    "/dashboard/view",
    frame.csrfToken,
    html`<input type="hidden" name="back" value="${frame.current}"><input type="hidden" name="livemode" value="${frame.livemode ? "false" : "true"}"><button type="submit" class="mode ${frame.livemode ? "live" : "test"}" aria-label="${modeLabel}: switch to ${frame.livemode ? "test" : "live"} data">${modeLabel} · switch</button>`,
  )}
  ${
    frame.organizations.length > 1
      ? postForm(
          "/dashboard/view",
          frame.csrfToken,
          html`<input type="hidden" name="back" value="${frame.current}"><label class="sr-only" for="org-switch">Organization</label><select id="org-switch" name="organizationId">${frame.organizations.map((o) => html`<option value="${o.organizationId}" ${o.organizationId === frame.organization.id ? "selected" : ""}>${o.name}</option>`)}</select><button type="submit">Switch</button>`,
        )
      : ""
  }
  <span class="who">${frame.user.email} · ${frame.role}</span>
  ${postForm("/dashboard/sign-out", frame.csrfToken, html`<button type="submit" class="link">Sign out</button>`)}
  ${postForm("/dashboard/sign-out-everywhere", frame.csrfToken, html`<button type="submit" class="link">Sign out everywhere</button>`)}
</header>
<nav class="side" aria-label="Dashboard">
  <ul>${NAV.map((n) => html`<li><a href="${n.href}" ${n.href === frame.current ? html`aria-current="page"` : ""}>${n.label}</a></li>`)}</ul>
</nav>
<main id="content">
<h1>${title}</h1>
${content}
</main>`,
    { livemode: frame.livemode },
  );
}

/** A table with an empty state that says what to do next. */
export function table(headers: string[], rows: Html[], empty: Html | string): Html {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<div class="scroll"><table><thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** "Older" link of a cursor-paginated list. */
export function nextLink(path: string, cursor: string | null): Html | string {
  return cursor ? html`<p><a href="${path}?cursor=${encodeURIComponent(cursor)}">Older →</a></p>` : "";
}
