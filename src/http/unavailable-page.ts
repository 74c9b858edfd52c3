import type { Context } from "hono";
import { setPageSecurityHeaders } from "./page-headers.js";
import type { AppEnv } from "./types.js";

/** Paths a browser opens: they answer in HTML with the page headers, never with the API's JSON. */
const HOSTED_PAGES = ["/checkout/", "/price/", "/product/", "/o/", "/billing/", "/dashboard/", "/documents/"];

export function isHostedPage(path: string): boolean {
  return path === "/" || HOSTED_PAGES.some((prefix) => path.startsWith(prefix) || `${path}/` === prefix);
}

/** Seconds a client is asked to wait before retrying while the database is out of reach. */
const RETRY_AFTER_SECONDS = 5;

/**
 * What a buyer sees while the database is out of reach: a page that says to try again, with the same
 * security headers as every hosted page.
 */
export function unavailablePage(c: Context<AppEnv>): Response {
  setPageSecurityHeaders(c);
  c.header("x-should-retry", "true");
  c.header("retry-after", String(RETRY_AFTER_SECONDS));
  return c.html(
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Temporarily unavailable</title><body><h1>Temporarily unavailable</h1><p>This page cannot be served right now. Please reload it in a few seconds.</p></body></html>',
    503,
  );
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * Any other failure on a page a browser opened (a NUL byte in a form, a body cut short): a page in the
 * browser's terms with the page headers, never the API's JSON.
 */
export function failurePage(c: Context<AppEnv>, status: number, message: string): Response {
  setPageSecurityHeaders(c);
  const title = status >= 500 ? "Something went wrong" : "This request could not be used";
  const text =
    status >= 500
      ? "Please reload the page in a moment; if you were paying, check for a receipt before paying again."
      : message;
  return c.html(
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title}</title><body><h1>${title}</h1><p>${escapeHtml(text)}</p></body></html>`,
    status as 400,
  );
}
