import { timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";

/** A signed-in page area's cookie (the billing portal, the dashboard): its name and the path it is scoped to. */
export type SessionCookie = { name: string; path: string };

/**
 * HttpOnly, SameSite=Lax, Secure when the public URL is https; a lifetime rather than a date, because the
 * browser's clock may disagree with the server's: the session row is what counts.
 */
export function setSessionCookie(
  c: Context,
  cookie: SessionCookie,
  secret: string,
  options: { expiresAt: Date; now: Date; publicUrl: string },
): void {
  setCookie(c, cookie.name, secret, {
    httpOnly: true,
    sameSite: "Lax",
    secure: options.publicUrl.startsWith("https:"),
    path: cookie.path,
    maxAge: Math.max(0, Math.ceil((options.expiresAt.getTime() - options.now.getTime()) / 1000)),
  });
}

export function clearSessionCookie(c: Context, cookie: SessionCookie, publicUrl: string): void {
  deleteCookie(c, cookie.name, { path: cookie.path, secure: publicUrl.startsWith("https:") });
}

/** A form's token against the session's, in constant time. */
export function sameToken(sent: string | undefined, expected: string): boolean {
  if (sent === undefined) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
