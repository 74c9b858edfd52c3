import { html } from "hono/html";
import { type Html, layout } from "./layout.js";

/** Everything a purchase link's landing page shows, already formatted; built by src/purchase-pages/view.ts. */
export type PurchaseLandingView = {
  livemode: boolean;
  merchantName: string;
  title: string;
  description: string | null;
  /** e.g. "$199.00" or "$19.00 every month". */
  unitLabel: string;
  quantity: number;
  maxQuantity: number;
  quantityLabel: string;
  /** What is due when the checkout completes, for the linked quantity. */
  totalLabel: string;
  /** For the page's script, which updates the total as the quantity changes (the server computes the real one). */
  unitAmount: number;
  currency: string;
  currencyDigits: number;
  /** "every month" for a subscription. */
  every: string | null;
  terms: string[];
  email: string | null;
  /** Where the "Continue to checkout" form posts. */
  action: string;
};

/**
 * The page a purchase link opens. Showing it writes nothing, so crawlers and link previews are harmless; the
 * checkout session is made only when the visitor presses the button (a POST).
 */
export function renderPurchaseLandingPage(view: PurchaseLandingView): Html {
  const body = html`<main><section class="panel narrow" aria-labelledby="offer-title">
  <p class="merchant">${view.merchantName}</p>
  <h1 id="offer-title">${view.title}</h1>
  ${view.description ? html`<p class="desc">${view.description}</p>` : ""}
  <p class="amount" aria-label="Price">${view.unitLabel}</p>
  ${view.terms.map((t) => html`<p class="muted">${t}</p>`)}
  <form method="post" action="${view.action}" data-purchase>
    <label for="quantity">${view.quantityLabel}</label>
    <input id="quantity" name="quantity" type="number" inputmode="numeric" min="1" max="${view.maxQuantity}" step="1" required value="${view.quantity}">
    ${
      view.email
        ? html`<p class="muted">Checking out as ${view.email}</p><input type="hidden" name="email" value="${view.email}">`
        : ""
    }
    <p class="muted" data-total data-unit-amount="${String(view.unitAmount)}" data-currency="${view.currency}" data-digits="${String(view.currencyDigits)}" data-every="${view.every ?? ""}"><span aria-live="polite" id="order-total">Total for ${view.quantity}: ${view.totalLabel}</span></p>
    <button type="submit">Continue to checkout</button>
  </form>
  <p class="secure">You will enter your payment details on the next page.</p>
</section></main>`;
  return layout({ title: `${view.title} · ${view.merchantName}`, livemode: view.livemode, body });
}

/** A link that cannot be used (unknown, switched off, bad parameter, too many tries): a page, not an error dump. */
export function renderPurchaseProblemPage(options: {
  title: string;
  message: string;
  livemode: boolean;
  back?: { href: string; label: string };
}): Html {
  const body = html`<main><section class="panel narrow" aria-labelledby="problem-title">
  <h1 id="problem-title">${options.title}</h1>
  <p role="alert">${options.message}</p>
  ${options.back ? html`<a class="cancel" href="${options.back.href}">${options.back.label}</a>` : ""}
</section></main>`;
  return layout({ title: options.title, livemode: options.livemode, body });
}
