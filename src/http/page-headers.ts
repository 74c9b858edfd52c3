import type { Context, MiddlewareHandler } from "hono";

function origin(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** What a processor's browser script needs beyond the page's own origin (only on its pages). */
export type ProcessorSources = { script: string[]; frame: string[]; connect: string[] };

const STRIPE_JS = "https://js.stripe.com/v3/";
const STRIPE_API = "https://api.stripe.com";

/**
 * Stripe's documented sources for Stripe.js and the Payment Element: the script and its frames from
 * js.stripe.com, 3-D Secure frames from hooks.stripe.com, API calls to api.stripe.com. Pointed elsewhere
 * (a fake in tests), exactly those origins instead.
 */
export function stripeSources(scriptUrl: string, apiUrl: string): ProcessorSources {
  const script = origin(scriptUrl) ?? "https://js.stripe.com";
  const api = origin(apiUrl) ?? STRIPE_API;
  if (scriptUrl !== STRIPE_JS || api !== STRIPE_API)
    return { script: [script], frame: [script], connect: [api] };
  return {
    script: ["https://js.stripe.com", "https://*.js.stripe.com"],
    frame: ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"],
    connect: [STRIPE_API],
  };
}

/**
 * Headers for the hosted pages: no inline script, no framing (clickjacking a pay button), no referrer
 * leaking the session URL, nothing cached. `form-action` must list the merchant's redirect origins because
 * browsers apply it to the redirect that follows a form post.
 */
export function setPageSecurityHeaders(
  c: Context,
  redirectUrls: (string | null)[] = [],
  processor?: ProcessorSources,
): void {
  const formTargets = ["'self'", ...new Set(redirectUrls.map(origin).filter((o): o is string => o !== null))];
  const with_ = (own: string, extra: string[] | undefined) => [own, ...(extra ?? [])].join(" ");
  c.header(
    "content-security-policy",
    [
      "default-src 'none'",
      `script-src ${with_("'self'", processor?.script)}`,
      "style-src 'self'",
      "img-src 'self' https: data:",
      `connect-src ${with_("'self'", processor?.connect)}`,
      ...(processor ? [`frame-src ${processor.frame.join(" ")}`] : []),
      `form-action ${formTargets.join(" ")}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join("; "),
  );
  c.header("x-frame-options", "DENY");
  c.header("x-content-type-options", "nosniff");
  // same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` on the page's own form
  // posts, which would make a post from a sandboxed frame on another site look the same as ours.
  c.header("referrer-policy", "same-origin");
  c.header("cache-control", "no-store");
}

/**
 * A form posted from another site: its Origin is neither this server's nor the public URL's, or is `null`
 * (a sandboxed frame, a data: page; our pages' referrer policy makes browsers send their real origin).
 * Browsers send Origin on every POST, so a missing one (curl, old clients) is not treated as cross-site; forms
 * that change something also carry a token of their own.
 */
export function isCrossSiteForm(c: Context, publicUrl: string): boolean {
  const sent = c.req.header("origin");
  if (!sent) return false;
  if (sent === "null") return true;
  return sent !== new URL(c.req.url).origin && sent !== new URL(publicUrl).origin;
}

/**
 * Served over https (the public URL says so): browsers are told to use nothing else for a year, so a
 * network attacker cannot downgrade a later visit to http and read the checkout or dashboard cookies.
 */
export const strictTransportSecurity: MiddlewareHandler = async (c, next) => {
  await next();
  c.header("strict-transport-security", "max-age=31536000");
};
