import { html } from "hono/html";
import type { Html } from "../layout.js";
import { type CatalogProductView, fieldError, invalid, priceBlock } from "./catalog-parts.js";
import { type DashboardFrame, dashboardPage, postForm } from "./layout.js";

export type NewProductValues = {
  name: string;
  description: string;
  slug: string;
  pricingModelId: string;
  priceType: string;
  unitAmount: string;
  currency: string;
  intervalUnit: string;
};
export type NewProductErrors = Partial<Record<keyof NewProductValues, string>>;

const TYPES = [
  { value: "single_payment", label: "One-time payment" },
  { value: "subscription", label: "Subscription" },
];
const INTERVALS = ["month", "year", "week", "day"];

function options(list: { value: string; label: string }[], selected: string): Html[] {
  return list.map(
    (o) => html`<option value="${o.value}" ${o.value === selected ? "selected" : ""}>${o.label}</option>`,
  );
}

export function renderNewProductPage(
  frame: DashboardFrame,
  view: {
    models: { id: string; name: string; isDefault: boolean }[];
    currencies: readonly string[];
    values: NewProductValues;
    errors: NewProductErrors;
  },
): Html {
  const { values: v, errors: e } = view;
  // A new merchant has no pricing model yet: the default one is created with the first product.
  const models =
    view.models.length === 0
      ? [{ value: "", label: "Default (created with this product)" }]
      : view.models.map((m) => ({ value: m.id, label: `${m.name}${m.isDefault ? " (default)" : ""}` }));
  const form = postForm(
    "/dashboard/catalog/products",
    frame.csrfToken,
    html`<fieldset class="catalog-fieldset"><legend>Product</legend>
<label for="name">Name</label>
<input id="name" name="name" value="${v.name}" maxlength="255" required ${invalid("name", e.name)}>
${fieldError("name", e.name)}
<label for="description">Description <span class="muted">(optional)</span></label>
<textarea id="description" name="description" rows="3" maxlength="5000" ${invalid("description", e.description)}>${v.description}</textarea>
${fieldError("description", e.description)}
<label for="slug">Slug <span class="muted">(optional, for checkouts by slug)</span></label>
<input id="slug" name="slug" value="${v.slug}" maxlength="255" ${invalid("slug", e.slug)}>
${fieldError("slug", e.slug)}
<label for="pricingModelId">Pricing model</label>
<select id="pricingModelId" name="pricingModelId" ${invalid("pricingModelId", e.pricingModelId)}>${options(models, v.pricingModelId)}</select>
${fieldError("pricingModelId", e.pricingModelId)}
</fieldset>
<fieldset class="catalog-fieldset"><legend>First price</legend>
<label for="priceType">Type</label>
<select id="priceType" name="priceType" ${invalid("priceType", e.priceType)}>${options(TYPES, v.priceType)}</select>
${fieldError("priceType", e.priceType)}
<label for="unitAmount">Amount</label>
<input id="unitAmount" name="unitAmount" value="${v.unitAmount}" inputmode="decimal" placeholder="19.99" required ${invalid("unitAmount", e.unitAmount)}>
${fieldError("unitAmount", e.unitAmount)}
<label for="currency">Currency</label>
<select id="currency" name="currency" ${invalid("currency", e.currency)}>${options(
      view.currencies.map((c) => ({ value: c, label: c })),
      v.currency,
    )}</select>
${fieldError("currency", e.currency)}
<label for="intervalUnit">Renews every <span class="muted">(subscriptions only)</span></label>
<select id="intervalUnit" name="intervalUnit" ${invalid("intervalUnit", e.intervalUnit)}>${options(
      INTERVALS.map((i) => ({ value: i, label: i })),
      v.intervalUnit,
    )}</select>
${fieldError("intervalUnit", e.intervalUnit)}
</fieldset>
<button type="submit">Create product</button>`,
    "catalog-form",
  );
  return dashboardPage(
    frame,
    "New product",
    html`<p><a href="/dashboard/catalog">← Catalog</a></p>
<p class="muted">A product is created with its first price; the price gets a purchase link you can share.</p>
${form}`,
  );
}

export type FeatureChoice = { id: string; name: string; slug: string };

function featuresSection(
  frame: DashboardFrame,
  productId: string,
  features: { attached: FeatureChoice[]; available: FeatureChoice[] },
  canChange: boolean,
): Html {
  const action = `/dashboard/catalog/products/${productId}/features`;
  const rows = features.attached.map(
    (f) =>
      html`<li>${f.name} <code>${f.slug}</code>${
        canChange
          ? postForm(
              action,
              frame.csrfToken,
              html`<input type="hidden" name="featureId" value="${f.id}"><input type="hidden" name="detach" value="true"><button type="submit" class="danger">Detach<span class="sr-only"> ${f.name}</span></button>`,
            )
          : ""
      }</li>`,
  );
  const attach =
    canChange && features.available.length > 0
      ? postForm(
          action,
          frame.csrfToken,
          html`<label for="featureId">Attach a feature of this pricing model</label>
<select id="featureId" name="featureId">${features.available.map((f) => html`<option value="${f.id}">${f.name} (${f.slug})</option>`)}</select>
<button type="submit">Attach feature</button>`,
          "catalog-form",
        )
      : "";
  return html`<h2 id="features">Features</h2>
${rows.length > 0 ? html`<ul class="catalog-features">${rows}</ul>` : html`<p class="empty">No features attached. ${canChange ? (features.available.length > 0 ? "Attach one below: customers who buy this product get it." : html`Create one from the <a href="/dashboard/catalog">catalog</a> (New feature), then attach it here.`) : ""}</p>`}
${attach}`;
}

export function renderProductPage(
  frame: DashboardFrame,
  view: {
    product: CatalogProductView;
    pricingModelName: string;
    features: { attached: FeatureChoice[]; available: FeatureChoice[] };
    canChange: boolean;
    values: { name: string; description: string; active: boolean };
    errors: { name?: string; description?: string };
    notice: string | null;
  },
): Html {
  const { product: p, values: v, errors: e } = view;
  const edit = view.canChange
    ? postForm(
        `/dashboard/catalog/products/${p.id}`,
        frame.csrfToken,
        html`<label for="name">Name</label>
<input id="name" name="name" value="${v.name}" maxlength="255" required ${invalid("name", e.name)}>
${fieldError("name", e.name)}
<label for="description">Description</label>
<textarea id="description" name="description" rows="3" maxlength="5000" ${invalid("description", e.description)}>${v.description}</textarea>
${fieldError("description", e.description)}
<label class="catalog-check"><input type="checkbox" name="active" value="true" ${v.active ? "checked" : ""}> Active (inactive products do not sell)</label>
<button type="submit">Save product</button>`,
        "catalog-form",
      )
    : html`<p class="muted">Your role can view this product but not change it.</p>`;
  return dashboardPage(
    frame,
    p.name,
    html`<p><a href="/dashboard/catalog">← Catalog</a> · Pricing model ${view.pricingModelName}</p>
${view.notice ? html`<p class="ok" role="status">${view.notice}</p>` : ""}
${p.active ? "" : html`<p class="muted">This product is inactive: its purchase links do not sell.</p>`}
${p.purchasePageEnabled ? "" : html`<p class="muted">Purchase pages are disabled for this product (API setting).</p>`}
<h2>Prices</h2>
<ul class="catalog-prices">${p.prices.map((price) => priceBlock(price, p.name, view.canChange ? { csrfToken: frame.csrfToken } : null))}</ul>
${view.canChange ? html`<p><a class="catalog-button" href="/dashboard/catalog/products/${p.id}/prices/new">Add a price</a></p>` : ""}
${featuresSection(frame, p.id, view.features, view.canChange)}
<h2>Edit product</h2>
${edit}`,
  );
}
