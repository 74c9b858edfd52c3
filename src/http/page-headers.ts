import type { Context } from "hono";

function origin(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * Headers for the hosted pages: no inline script, no framing (clickjacking a pay button), no referrer
 * leaking the session URL, nothing cached. `form-action` must list the merchant's redirect origins because
 * browsers apply it to the redirect that follows a form post.
 */
export function setPageSecurityHeaders(c: Context, redirectUrls: (string | null)[] = []): void {
  const formTargets = ["'self'", ...new Set(redirectUrls.map(origin).filter((o): o is string => o !== null))];
  c.header(
    "content-security-policy",
    [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' https: data:",
      "connect-src 'self'",
      `form-action ${formTargets.join(" ")}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join("; "),
  );
  c.header("x-frame-options", "DENY");
  c.header("x-content-type-options", "nosniff");
  c.header("referrer-policy", "no-referrer");
  c.header("cache-control", "no-store");
}
