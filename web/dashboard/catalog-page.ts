import { html } from "hono/html";
import type { Html } from "../layout.js";
import {
  type CatalogDiscountView,
  type CatalogFeatureView,
  type CatalogProductView,
  productBlock,
} from "./catalog-parts.js";
import { type DashboardFrame, dashboardPage, nextLink, postForm, table } from "./layout.js";

export type CatalogModelView = {
  id: string;
  name: string;
  isDefault: boolean;
  products: CatalogProductView[];
  discounts: CatalogDiscountView[];
  features: CatalogFeatureView[];
};

function discountSwitch(d: CatalogModelView["discounts"][number], csrfToken: string): Html {
  return postForm(
    `/dashboard/catalog/discounts/${d.id}/active`,
    csrfToken,
    html`<input type="hidden" name="active" value="${d.active ? "false" : "true"}"><button type="submit" class="${d.active ? "danger" : ""}">${d.active ? "Deactivate" : "Activate"}<span class="sr-only"> ${d.code}</span></button>`,
  );
}

function modelSection(model: CatalogModelView, canChange: boolean, csrfToken: string): Html {
  const base = `/dashboard/catalog/pricing-models/${encodeURIComponent(model.id)}`;
  const newProduct = canChange
    ? html`<p class="catalog-actions"><a class="catalog-button" href="/dashboard/catalog/products/new?pricingModelId=${encodeURIComponent(model.id)}">New product in ${model.name}</a>
<a class="catalog-button" href="${base}/discounts/new">New discount</a>
<a class="catalog-button" href="${base}/features/new">New feature</a></p>`
    : "";
  const discounts = model.discounts.map(
    (d) =>
      html`<tr><td>${d.name}</td><td><code>${d.code}</code></td><td>${d.amount}</td><td>${d.duration}</td><td>${d.active ? "Active" : "Inactive"}${canChange ? discountSwitch(d, csrfToken) : ""}</td></tr>`,
  );
  const features = model.features.map(
    (f) =>
      html`<tr><td>${f.name}</td><td><code>${f.slug}</code></td><td>${f.type}</td><td>${f.active ? "Active" : "Inactive"}</td></tr>`,
  );
  return html`<section class="catalog-model" aria-labelledby="model-${model.id}">
<h2 id="model-${model.id}">${model.name} ${model.isDefault ? html`<span class="catalog-badge">Default pricing model</span>` : ""}</h2>
${newProduct}
${
  model.products.length === 0
    ? html`<p class="empty">No products in ${model.name} yet. ${canChange ? html`<a href="/dashboard/catalog/products/new?pricingModelId=${encodeURIComponent(model.id)}">Create a product</a> with its first price to get a purchase link.` : "An admin can create one."}</p>`
    : model.products.map((p) => productBlock(p, true))
}
<h3>Discounts</h3>
${table(["Name", "Code", "Amount", "Duration", "Status"], discounts, canChange ? "No discounts in this pricing model yet: New discount creates a code customers type at checkout." : "No discounts in this pricing model.")}
<h3>Features</h3>
${table(["Name", "Slug", "Type", "Status"], features, canChange ? "No features in this pricing model yet: New feature makes one your app checks by slug; attach it on a product's page." : "No features in this pricing model.")}
</section>`;
}

export function renderCatalogPage(
  frame: DashboardFrame,
  view: { models: CatalogModelView[]; next: string | null; canChange: boolean; notice: string | null },
): Html {
  const mode = frame.livemode ? "live" : "test";
  const content =
    view.models.length === 0
      ? html`<div class="empty"><p>Your ${mode} catalog is empty. Create a product with its first price: you get a purchase link to share right away.</p>
${view.canChange ? html`<p><a class="catalog-button" href="/dashboard/catalog/products/new">Create a product</a></p>` : html`<p class="muted">Your role can view the catalog; an admin or owner can create products.</p>`}</div>`
      : html`${view.models.map((m) => modelSection(m, view.canChange, frame.csrfToken))}${nextLink("/dashboard/catalog", view.next)}`;
  return dashboardPage(
    frame,
    "Catalog",
    html`<p class="muted">Pricing models of your ${mode} data, newest first, with their products, prices and purchase links.</p>
${view.notice ? html`<p class="ok" role="status">${view.notice}</p>` : ""}
${view.canChange ? html`<p><a class="catalog-button" href="/dashboard/catalog/pricing-models/new">New pricing model</a></p>` : ""}
${content}`,
  );
}
