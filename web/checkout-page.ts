import { html } from "hono/html";
import { COUNTRIES, type Html, layout } from "./layout.js";
import type { CardEntry, CheckoutView } from "./view.js";

/** The pay form's id: the code field's input and buttons belong to it from the summary (`form=`). */
const PAY_FORM = "pay";

/**
 * The code field. Its input and buttons belong to the pay form, so that without the page's script Apply and
 * Remove post what the customer typed there too, and the page comes back with it (never with a card
 * number). The script posts the code alone and swaps the summary in place.
 */
function discountField(view: CheckoutView): Html {
  const discount = view.discount;
  if (!discount) return html``;
  const message = discount.message
    ? html`<p class="${discount.failed ? "error" : "ok"}">${discount.message}</p>`
    : "";
  const action = (value: "apply" | "remove", label: string) =>
    html`<button type="submit" form="${PAY_FORM}" formaction="/checkout/${view.sessionId}/discount" formmethod="post" formnovalidate name="action" value="${value}" class="secondary" data-discount-action>${label}</button>`;
  return html`<div class="discount" data-discount>
  <label for="discountCode">Discount code</label>
  <div class="inline">
    <input id="discountCode" name="code" form="${PAY_FORM}" autocomplete="off" maxlength="50" value="${discount.typed}" data-applied="${discount.applied ?? ""}"${discount.failed ? html` aria-invalid="true"` : ""} aria-describedby="discount-message">
    ${action("apply", "Apply")}
    ${discount.applied ? action("remove", "Remove") : ""}
  </div>
  <div id="discount-message" role="status" aria-live="polite">${message}</div>
</div>`;
}

/**
 * The pay form's first submit button in document order, so that Enter in any field pays rather than
 * applying a code (the code's Apply comes earlier in the page). Off-screen and out of the tab order.
 */
function defaultPayButton(view: CheckoutView): Html {
  if (!view.discount) return html``;
  return html`<button type="submit" form="${PAY_FORM}" class="default-submit" tabindex="-1" aria-hidden="true">${view.buttonLabel}</button>`;
}

/** The order summary; the discount endpoint sends it alone so the page can swap it in place. */
export function renderSummary(view: CheckoutView): Html {
  return summary(view);
}

function summary(view: CheckoutView): Html {
  return html`<section class="panel" id="summary" aria-labelledby="summary-title">
  ${view.brand.logoUrl ? html`<img class="logo" src="${view.brand.logoUrl}" alt="" referrerpolicy="no-referrer">` : ""}
  <p class="merchant">${view.merchantName}</p>
  <h1 id="summary-title">${view.title}</h1>
  ${view.description ? html`<p class="desc">${view.description}</p>` : ""}
  <p class="amount" aria-label="Total due today">${view.totalLabel}</p>
  ${view.terms.map((t) => html`<p class="muted">${t}</p>`)}
  <table class="lines" aria-label="Order summary">
    <tbody>
      ${view.lines.map((l) => html`<tr><td>${l.label}</td><td>${l.amount}</td></tr>`)}
      <tr class="total"><td>Total due today</td><td>${view.totalLabel}</td></tr>
    </tbody>
  </table>
  ${discountField(view)}
</section>`;
}

/** The field's problem after a failed submit, linked to it for screen readers, shown under it. */
function fieldError(view: CheckoutView, name: string): { attrs: Html; note: Html } {
  const message = view.fieldErrors[name as keyof CheckoutView["fieldErrors"]];
  if (!message) return { attrs: html``, note: html`` };
  return {
    attrs: html` aria-invalid="true" aria-describedby="${name}-error"`,
    note: html`<p class="field-error" id="${name}-error">${message}</p>`,
  };
}

function field(view: CheckoutView, name: string, label: string, attrs: Html, extra: Html = html``): Html {
  const error = fieldError(view, name);
  return html`<label for="${name}">${label}</label>
<div class="field">${extra}<input id="${name}" name="${name}" ${attrs}${error.attrs}></div>${error.note}`;
}

/** Card brands the page recognises as the number is typed (checkout.js), drawn by checkout.css. */
const BRANDS = ["visa", "mastercard", "amex", "discover"] as const;

/**
 * Glade's card fields; kept (hidden and disabled) on an order a code made free, so that removing the code
 * shows them again in place. Nothing typed here ever comes back in a page: after a failed submit they are
 * empty, with the problem shown next to each.
 */
function cardFields(view: CheckoutView): Html {
  if (!view.collectCard && !view.discount?.applied) return html``;
  const off = view.collectCard ? "" : html` hidden disabled`;
  const brands = html`<span class="card-brand" data-card-brand aria-hidden="true"></span>`;
  return html`<fieldset class="plain" data-card-fields${off}>
  <legend class="muted">Card details</legend>
  <p class="brands muted" aria-label="Cards accepted: Visa, Mastercard, American Express, Discover">${BRANDS.map((b) => html`<span class="brand-icon" data-brand="${b}"></span>`)}</p>
  ${field(view, "cardNumber", "Card number", html`inputmode="numeric" autocomplete="cc-number" required maxlength="23" placeholder="1234 1234 1234 1234"`, brands)}
  <div class="row">
    <div>${field(view, "cardExpiry", "Expiry (MM / YY)", html`inputmode="numeric" autocomplete="cc-exp" required maxlength="9" placeholder="MM / YY"`)}</div>
    <div>${field(view, "cardCvc", "Security code", html`inputmode="numeric" autocomplete="cc-csc" required maxlength="4" placeholder="CVC"`)}</div>
  </div>
</fieldset>`;
}

/**
 * Every problem of the last submit, each a link to its field. An alert, so it is read out as the page comes
 * back; the page's script also moves focus to it (not `autofocus`: the hostile-text tests treat any autofocus
 * in a page as injected).
 */
function errorSummary(view: CheckoutView): Html {
  const listed = Object.entries(view.fieldErrors).filter((e): e is [string, string] => Boolean(e[1]));
  const general = view.error && !listed.some(([, message]) => message === view.error) ? view.error : null;
  if (listed.length === 0 && !general)
    return html`<div id="form-error" role="alert" aria-live="assertive"></div>`;
  return html`<div id="form-error" class="error-summary" role="alert" tabindex="-1" aria-labelledby="form-error-title">
  <p id="form-error-title"><strong>${listed.length > 1 ? "Check these details:" : "Check your details:"}</strong>${general ? html` ${general}` : ""}</p>
  ${listed.length > 0 ? html`<ul>${listed.map(([name, message]) => html`<li><a href="#${name}">${message}</a></li>`)}</ul>` : ""}
</div>`;
}

/** Stripe's Payment Element is mounted here by stripe-checkout.js; the card never passes through Glade. */
function stripeFields(entry: Extract<CardEntry, { kind: "stripe" }>): Html {
  return html`<fieldset class="plain">
  <legend class="muted">Payment details</legend>
  <div id="payment-element" class="payment-element" data-publishable-key="${entry.publishableKey}" data-mode="${entry.mode}" data-amount="${String(entry.amount)}" data-currency="${entry.currency}" data-setup-future-usage="${entry.setupFutureUsage ? "off_session" : ""}"></div>
  <noscript><p class="error">This payment form needs JavaScript: your card details are entered in Stripe's secure fields.</p></noscript>
</fieldset>`;
}

function paymentForm(view: CheckoutView): Html {
  if (view.cardEntry.kind === "unavailable") {
    return html`<section class="panel" aria-labelledby="pay-title"><h2 id="pay-title">Payment</h2>
<p class="error" role="status">${view.merchantName} cannot take payments right now. No payment was taken.</p></section>`;
  }
  const entry = view.cardEntry;
  const identity = view.identityLocked
    ? html`<p class="muted">Paying as <strong>${view.name}</strong> (${view.email})</p>
<input type="hidden" name="email" value="${view.email}"><input type="hidden" name="name" value="${view.name}">`
    : html`${field(view, "email", "Email", html`type="email" autocomplete="email" required maxlength="254" value="${view.email}"`)}
${field(view, "name", "Full name", html`autocomplete="name" required maxlength="200" value="${view.name}"`)}`;
  const countryError = fieldError(view, "country");
  return html`<section class="panel" aria-labelledby="pay-title">
  <h2 id="pay-title">${view.collectCard ? "Payment" : "Your details"}</h2>
  ${errorSummary(view)}
  ${
    entry.kind === "stripe"
      ? html`<form id="${PAY_FORM}" method="post" action="/checkout/${view.sessionId}/intent" data-stripe novalidate>`
      : html`<form id="${PAY_FORM}" method="post" action="/checkout/${view.sessionId}/confirm" data-checkout novalidate>`
  }
    ${identity}
    <label for="country">Billing country</label>
    <select id="country" name="country" autocomplete="country" required${countryError.attrs}>
      ${COUNTRIES.map(([code, label]) => html`<option value="${code}"${code === view.country ? " selected" : ""}>${label}</option>`)}
    </select>${countryError.note}
    ${entry.kind === "stripe" ? stripeFields(entry) : entry.kind === "glade" ? cardFields(view) : ""}
    <button type="submit">${view.buttonLabel}</button>
  </form>
  ${view.cancelUrl ? html`<a class="cancel" href="${view.cancelUrl}" rel="noreferrer">Cancel and return to ${view.merchantName}</a>` : ""}
  <p class="secure">${
    entry.kind === "stripe"
      ? `Card details go straight to Stripe; ${view.merchantName} never sees them.`
      : `Card numbers are sent to the payment processor and never stored by ${view.merchantName}.`
  }</p>
</section>`;
}

function finalState(view: CheckoutView): Html {
  const messages: Record<Exclude<CheckoutView["status"], "open">, Html> = {
    succeeded: html`<p class="ok" role="status">${view.type === "product" ? "Payment complete." : "All set."} Thank you!</p>
<a class="cancel" href="${view.continueUrl}">Continue to ${view.merchantName}</a>`,
    pending: view.hasChallenge
      ? html`<p role="status">Your bank needs you to confirm this payment.</p><a class="cancel" href="/checkout/${view.sessionId}/challenge">Continue to authentication</a>`
      : html`<p role="status">Your payment is being processed. This page will show the result when it is done; reload to check.</p>`,
    expired: html`<p class="error" role="status">This checkout has expired. No payment was taken.</p>
${view.cancelUrl ? html`<a class="cancel" href="${view.cancelUrl}" rel="noreferrer">Return to ${view.merchantName}</a>` : ""}`,
    failed: html`<p class="error" role="status">This checkout could not be completed and is closed. No payment was taken.</p>
${view.cancelUrl ? html`<a class="cancel" href="${view.cancelUrl}" rel="noreferrer">Return to ${view.merchantName}</a>` : ""}`,
  };
  const status = view.status === "open" ? "pending" : view.status;
  return html`<section class="panel" aria-labelledby="state-title"><h2 id="state-title">Checkout</h2>${messages[status]}</section>`;
}

export function renderCheckoutPage(view: CheckoutView): Html {
  const body = html`<main>${defaultPayButton(view)}${summary(view)}${view.status === "open" ? paymentForm(view) : finalState(view)}</main>`;
  const entry = view.cardEntry;
  return layout({
    title: `${view.title} · ${view.merchantName}`,
    livemode: view.livemode,
    body,
    brandStylesheet: view.brand.stylesheet,
    ...(entry.kind === "stripe" && view.status === "open"
      ? { scripts: [entry.scriptUrl, "/checkout/assets/stripe-checkout.js"] }
      : {}),
  });
}

/** The sandbox processor's stand-in for a bank's 3-D Secure page. */
export function renderChallengePage(view: CheckoutView): Html {
  const body = html`<main><section class="panel narrow" aria-labelledby="challenge-title">
  <p class="merchant">Glade test bank</p>
  <h1 id="challenge-title">Confirm your payment</h1>
  <p>${view.merchantName} asks for ${view.totalLabel}. In test mode you choose the bank's answer.</p>
  <form method="post" action="/checkout/${view.sessionId}/challenge" data-checkout>
    <input type="hidden" name="outcome" value="approve">
    <button type="submit">Complete authentication</button>
  </form>
  <form method="post" action="/checkout/${view.sessionId}/challenge">
    <input type="hidden" name="outcome" value="deny">
    <button type="submit" class="secondary">Fail authentication</button>
  </form>
</section></main>`;
  return layout({ title: `Authenticate payment · ${view.merchantName}`, livemode: view.livemode, body });
}

export function renderMessagePage(options: {
  title: string;
  message: string;
  livemode: boolean;
  link?: { href: string; label: string };
}): Html {
  const link = options.link ? html`<p><a href="${options.link.href}">${options.link.label}</a></p>` : "";
  const body = html`<main><section class="panel wide"><h1>${options.title}</h1><p>${options.message}</p>${link}</section></main>`;
  return layout({ title: options.title, livemode: options.livemode, body });
}
