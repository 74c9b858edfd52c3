import { html } from "hono/html";
import type { Html } from "../layout.js";
import { postForm } from "./layout.js";

export type CatalogPriceView = {
  id: string;
  label: string;
  type: string;
  active: boolean;
  isDefault: boolean;
  purchasePageEnabled: boolean;
  purchaseUrl: string | null;
};

export type CatalogProductView = {
  id: string;
  name: string;
  description: string;
  slug: string;
  active: boolean;
  purchasePageEnabled: boolean;
  prices: CatalogPriceView[];
};

export type CatalogDiscountView = {
  id: string;
  name: string;
  code: string;
  amount: string;
  duration: string;
  active: boolean;
};

export type CatalogFeatureView = { name: string; slug: string; type: string; active: boolean };

/**
 * The purchase link in a read-only field: without a script the merchant selects it (Tab selects it all) and
 * copies it with the keyboard or the context menu.
 */
function purchaseLink(price: CatalogPriceView, productName: string): Html | string {
  if (!price.purchaseUrl)
    return html`<p class="muted">No purchase link: usage prices are billed on renewals.</p>`;
  const id = `link-${price.id}`;
  return html`<div class="catalog-link">
<label for="${id}">Copy purchase link <span class="sr-only">of ${productName} ${price.label}</span></label>
<input id="${id}" class="catalog-link-input" type="text" readonly value="${price.purchaseUrl}" aria-describedby="${id}-hint">
<p class="muted" id="${id}-hint">Select the link and copy it (Ctrl+C / ⌘C). ${
    price.purchasePageEnabled
      ? price.active
        ? ""
        : "Archived prices do not sell."
      : "This link is disabled."
  }</p>
</div>`;
}

function priceStatus(price: CatalogPriceView): Html {
  return html`${price.isDefault ? html`<span class="catalog-badge">Default</span>` : ""}
${price.active ? "" : html`<span class="catalog-badge catalog-off">Archived</span>`}
${price.purchaseUrl && !price.purchasePageEnabled ? html`<span class="catalog-badge catalog-off">Link disabled</span>` : ""}`;
}

/** A price with its purchase link; `controls` adds archive and link switches (the product page, admins). */
export function priceBlock(
  price: CatalogPriceView,
  productName: string,
  controls: { csrfToken: string } | null,
): Html {
  const actions = controls
    ? html`<div class="catalog-actions">${postForm(
        `/dashboard/catalog/prices/${price.id}/active`,
        controls.csrfToken,
        html`<input type="hidden" name="active" value="${price.active ? "false" : "true"}"><button type="submit" class="${price.active ? "danger" : ""}">${price.active ? "Archive price" : "Unarchive price"}</button>`,
      )}${
        price.purchaseUrl
          ? postForm(
              `/dashboard/catalog/prices/${price.id}/purchase-link`,
              controls.csrfToken,
              html`<input type="hidden" name="enabled" value="${price.purchasePageEnabled ? "false" : "true"}"><button type="submit">${price.purchasePageEnabled ? "Disable purchase link" : "Enable purchase link"}</button>`,
            )
          : ""
      }</div>`
    : "";
  return html`<li class="catalog-price" id="price-${price.id}">
<p><strong>${price.label}</strong> <span class="muted">${price.type.replace(/_/g, " ")}</span> ${priceStatus(price)}</p>
${purchaseLink(price, productName)}
${actions}
</li>`;
}

export function productBlock(product: CatalogProductView, link: boolean): Html {
  return html`<article class="catalog-product">
<h3>${link ? html`<a href="/dashboard/catalog/products/${product.id}">${product.name}</a>` : product.name}
${product.active ? "" : html`<span class="catalog-badge catalog-off">Inactive</span>`}</h3>
${product.description ? html`<p>${product.description}</p>` : ""}
${product.slug ? html`<p class="muted">Slug <code>${product.slug}</code></p>` : ""}
${product.purchasePageEnabled ? "" : html`<p class="muted">Purchase pages are disabled for this product (API setting).</p>`}
<ul class="catalog-prices">${product.prices.map((p) => priceBlock(p, product.name, null))}</ul>
</article>`;
}

/** The error under a field, tied to it by aria-describedby. */
export function fieldError(id: string, error: string | undefined): Html | string {
  return error ? html`<p class="field-error" id="${id}-error">${error}</p>` : "";
}

export function invalid(id: string, error: string | undefined): Html | string {
  return error ? html`aria-invalid="true" aria-describedby="${id}-error"` : "";
}
