import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Every interpolation inside `html` is escaped: merchant and customer text can never become markup. */
/**
 * `scripts` load after the page's own, in order (deferred): the Stripe-mode page's Stripe.js and its
 * driver, and nothing on any other page.
 */
export function layout(options: {
  title: string;
  livemode: boolean;
  body: Html;
  scripts?: string[];
  /** What the test-mode banner says; the pay pages' default names the test card. */
  testBanner?: string;
  /** The merchant's colour stylesheet, loaded after Glade's own so it wins. */
  brandStylesheet?: string | null;
}): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow">
<title>${options.title}</title>
<link rel="icon" href="/checkout/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/checkout/assets/checkout.css">
${options.brandStylesheet ? html`<link rel="stylesheet" href="${options.brandStylesheet}">\n` : ""}<script src="/checkout/assets/checkout.js" defer></script>
${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>\n`)}
</head>
<body>
${options.livemode ? "" : html`<div class="banner" role="note">${options.testBanner ?? "Test mode: no real money moves. Pay with 4242 4242 4242 4242, any future date, any CVC."}</div>`}
${options.body}
</body>
</html>`;
}

export const COUNTRIES: [string, string][] = [
  ["US", "United States"],
  ["CA", "Canada"],
  ["GB", "United Kingdom"],
  ["IE", "Ireland"],
  ["DE", "Germany"],
  ["FR", "France"],
  ["ES", "Spain"],
  ["IT", "Italy"],
  ["NL", "Netherlands"],
  ["BE", "Belgium"],
  ["AT", "Austria"],
  ["CH", "Switzerland"],
  ["SE", "Sweden"],
  ["NO", "Norway"],
  ["DK", "Denmark"],
  ["FI", "Finland"],
  ["PL", "Poland"],
  ["PT", "Portugal"],
  ["CZ", "Czechia"],
  ["AU", "Australia"],
  ["NZ", "New Zealand"],
  ["JP", "Japan"],
  ["KR", "South Korea"],
  ["SG", "Singapore"],
  ["IN", "India"],
  ["BR", "Brazil"],
  ["MX", "Mexico"],
  ["ZA", "South Africa"],
  ["AE", "United Arab Emirates"],
  ["IL", "Israel"],
];
export const COUNTRY_CODES = new Set(COUNTRIES.map(([code]) => code));
