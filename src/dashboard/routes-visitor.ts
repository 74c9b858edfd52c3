// HTTP glue of the dashboard pages (cookie, CSRF, roles, the page frame); a route module because it reads requests.
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { DashboardFrame } from "../../web/dashboard/layout.js";
import { renderMessagePage } from "../../web/dashboard/sign-in-page.js";
import type { AppDeps, Merchant } from "../context/index.js";
import type { AuditActor, DashboardRole } from "../db/schema/index.js";
import { readFormFields } from "../http/form.js";
import { isCrossSiteForm, setPageSecurityHeaders } from "../http/page-headers.js";
import {
  clearSessionCookie,
  type SessionCookie,
  sameToken,
  setSessionCookie,
} from "../http/session-cookie.js";
import { getOrganizationCached } from "../organizations/index.js";
import { findVisitor, type Visitor } from "./access.js";
import { listUserOrganizations } from "./users.js";

const COOKIE: SessionCookie = { name: "glade_dashboard", path: "/dashboard" };
const RANK: Record<DashboardRole, number> = { viewer: 0, admin: 1, owner: 2 };

export function setDashboardCookie(c: Context, deps: AppDeps, secret: string, expiresAt: Date): void {
  setSessionCookie(c, COOKIE, secret, { expiresAt, now: deps.now(), publicUrl: deps.config.publicUrl });
}

export function clearDashboardCookie(c: Context, deps: AppDeps): void {
  clearSessionCookie(c, COOKIE, deps.config.publicUrl);
}

export async function currentVisitor(c: Context, deps: AppDeps): Promise<Visitor | undefined> {
  const secret = getCookie(c, COOKIE.name);
  if (!secret || secret.length > 200) return undefined;
  return findVisitor(deps.db, secret, deps.now());
}

/** What the visitor's queries are scoped to: the session's organization and mode, as an API key would be. */
export function visitorMerchant(visitor: Visitor): Merchant {
  return {
    organizationId: visitor.session.organizationId,
    livemode: visitor.session.livemode,
    apiKeyId: `user:${visitor.user.id}`,
  };
}

export function visitorActor(visitor: Visitor): AuditActor {
  return { type: "user", id: visitor.user.id, label: visitor.user.email };
}

export function messagePage(c: Context, status: 200 | 400 | 403 | 404 | 429, title: string, message: string) {
  setPageSecurityHeaders(c);
  return c.html(renderMessagePage(title, message), status);
}

/** A signed-in GET: the visitor, or a redirect to sign in. */
export async function viewingVisitor(c: Context, deps: AppDeps): Promise<Visitor | Response> {
  const visitor = await currentVisitor(c, deps);
  if (!visitor) {
    setPageSecurityHeaders(c);
    return c.redirect("/dashboard/sign-in", 303);
  }
  setPageSecurityHeaders(c);
  return visitor;
}

/**
 * A signed-in POST: refused (nothing changed) without the session's token, from another site, or by a role
 * below `least` (a viewer changes nothing).
 */
export async function postingVisitor(
  c: Context,
  deps: AppDeps,
  least: DashboardRole,
): Promise<{ visitor: Visitor; form: Record<string, string> } | Response> {
  const visitor = await currentVisitor(c, deps);
  if (!visitor) {
    setPageSecurityHeaders(c);
    return c.redirect("/dashboard/sign-in", 303);
  }
  const form = await readFormFields(c);
  if (isCrossSiteForm(c, deps.config.publicUrl) || !sameToken(form.csrf, visitor.session.csrfToken)) {
    return messagePage(
      c,
      403,
      "Nothing was changed",
      "This form has expired or did not come from the dashboard. Go back and try again.",
    );
  }
  if (RANK[visitor.membership.role] < RANK[least]) {
    return messagePage(
      c,
      403,
      "Nothing was changed",
      `Your role (${visitor.membership.role}) cannot make this change. Ask an owner.`,
    );
  }
  return { visitor, form };
}

export function canChange(visitor: Visitor, least: DashboardRole = "admin"): boolean {
  return RANK[visitor.membership.role] >= RANK[least];
}

export async function frameFor(deps: AppDeps, visitor: Visitor, current: string): Promise<DashboardFrame> {
  const [org, organizations] = await Promise.all([
    getOrganizationCached(deps.db, visitor.session.organizationId),
    listUserOrganizations(deps.db, visitor.user.id),
  ]);
  return {
    csrfToken: visitor.session.csrfToken,
    user: { name: visitor.user.name, email: visitor.user.email },
    role: visitor.membership.role,
    organization: { id: visitor.session.organizationId, name: org?.name ?? "Organization" },
    organizations,
    livemode: visitor.session.livemode,
    current,
  };
}
