// HTTP glue of the portal pages (cookie, CSRF, refusal pages); named as a route module because it reads requests.
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { renderPortalMessage } from "../../web/portal-plan-page.js";
import type { AppDeps } from "../context/index.js";
import { readFormFields } from "../http/form.js";
import { isCrossSiteForm, setPageSecurityHeaders } from "../http/page-headers.js";
import {
  clearSessionCookie,
  type SessionCookie,
  sameToken,
  setSessionCookie,
} from "../http/session-cookie.js";
import { findPortalVisitor, type PortalVisitor } from "./access.js";

/** One portal at a time per browser: the cookie names the session, the session names customer and organization. */
const COOKIE: SessionCookie = { name: "glade_portal", path: "/billing" };

export function setPortalCookie(c: Context, deps: AppDeps, secret: string, expiresAt: Date): void {
  setSessionCookie(c, COOKIE, secret, { expiresAt, now: deps.now(), publicUrl: deps.config.publicUrl });
}

export function clearPortalCookie(c: Context, deps: AppDeps): void {
  clearSessionCookie(c, COOKIE, deps.config.publicUrl);
}

export function messagePage(
  c: Context,
  status: 200 | 401 | 403 | 404 | 410,
  view: Parameters<typeof renderPortalMessage>[0],
) {
  setPageSecurityHeaders(c);
  return c.html(renderPortalMessage(view), status);
}

export function signedOutPage(c: Context) {
  return messagePage(c, 401, {
    title: "You are signed out of billing",
    message:
      "Your billing session has ended. Open billing again from the website or app where you bought your plan.",
  });
}

export async function currentVisitor(c: Context, deps: AppDeps): Promise<PortalVisitor | undefined> {
  const secret = getCookie(c, COOKIE.name);
  if (!secret || secret.length > 200) return undefined;
  return findPortalVisitor(deps.db, secret, deps.now());
}

/**
 * The visitor and form of a portal POST, or the page that refuses it: signed out (401), or a form from
 * elsewhere or without this session's token (403). Nothing is changed on a refusal.
 */
export async function postingVisitor(
  c: Context,
  deps: AppDeps,
): Promise<{ visitor: PortalVisitor; form: Record<string, string> } | Response> {
  const visitor = await currentVisitor(c, deps);
  if (!visitor) return signedOutPage(c);
  const form = await readFormFields(c);
  if (isCrossSiteForm(c, deps.config.publicUrl) || !sameToken(form.csrf, visitor.csrfToken)) {
    return messagePage(c, 403, {
      title: "Nothing was changed",
      message:
        "This form has expired or did not come from your billing page. Go back to billing and try again.",
      livemode: visitor.merchant.livemode,
    });
  }
  return { visitor, form };
}
