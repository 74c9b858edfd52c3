// The catalog's "new" forms: pricing models, discounts and features of a model, another price of a product.
import {
  createFeature,
  createPrice,
  createPricingModel,
  getPricingModel,
  getProduct,
  type PricingModelRow,
  type ProductRow,
} from "../catalog/index.js";
import type { AppDeps } from "../context/index.js";
import { createDiscount } from "../discounts/index.js";
import type { App } from "../http/types.js";
import { CURRENCIES } from "../lib/money.js";
import { type PriceFormValues, readPriceFields } from "./catalog-form.js";
import {
  type DiscountFormValues,
  type FeatureFormValues,
  type PricingModelFormValues,
  readDiscountForm,
  readFeatureForm,
  readPricingModelForm,
} from "./catalog-forms-more.js";
import { auditedPrice } from "./catalog-view.js";
import { CATALOG, registerCatalogForm } from "./routes-catalog-form.js";

const currencyOptions = CURRENCIES.map((c) => ({ value: c, label: c }));
const modelBack = (m: PricingModelRow) => ({ href: `${CATALOG}#model-${m.id}`, label: `Catalog: ${m.name}` });

export function registerDashboardCatalogForms(app: App, deps: AppDeps): void {
  registerCatalogForm<PricingModelFormValues, { name: string; isDefault: boolean }, true>(app, deps, {
    path: `${CATALOG}/pricing-models`,
    title: "New pricing model",
    intro:
      "A pricing model groups products, prices, discounts and features. The default one is what checkouts by slug and new customers use.",
    submit: "Create pricing model",
    empty: { name: "", isDefault: "" },
    read: readPricingModelForm,
    parent: async () => true,
    parentName: "pricing model",
    back: () => ({ href: CATALOG, label: "Catalog" }),
    fields: (v, e) => [
      { name: "name", label: "Name", kind: "text", value: v.name, error: e.name, required: true },
      { name: "isDefault", label: "Make it the default pricing model", kind: "checkbox", value: v.isDefault },
    ],
    write: async (tx, merchant, input, _parent, now) => {
      const row = await createPricingModel(tx, merchant, input, now);
      return {
        audit: {
          action: "pricing_model.created",
          objectType: "pricing_model",
          objectId: row.id,
          after: { id: row.id, name: row.name, isDefault: row.isDefault },
        },
        to: `${CATALOG}?done=model-created#model-${row.id}`,
      };
    },
  });

  registerCatalogForm<
    DiscountFormValues,
    NonNullable<ReturnType<typeof readDiscountForm>["input"]>,
    PricingModelRow
  >(app, deps, {
    path: `${CATALOG}/pricing-models/:id/discounts`,
    title: "New discount",
    intro:
      "Customers type the code on the checkout page. A fixed amount is taken off in the price's currency; a percent off the subtotal.",
    submit: "Create discount",
    empty: {
      name: "",
      code: "",
      amountType: "percent",
      amount: "",
      currency: "USD",
      duration: "once",
      numberOfPayments: "",
    },
    read: readDiscountForm,
    parent: (db, merchant, id) => getPricingModel(db, merchant, id),
    parentName: "pricing model",
    back: modelBack,
    fields: (v, e) => [
      { name: "name", label: "Name", kind: "text", value: v.name, error: e.name, required: true },
      { name: "code", label: "Code", kind: "text", value: v.code, error: e.code, required: true },
      {
        name: "amountType",
        label: "Kind",
        kind: "select",
        value: v.amountType,
        error: e.amountType,
        options: [
          { value: "percent", label: "Percent off" },
          { value: "fixed", label: "Fixed amount off" },
        ],
      },
      {
        name: "amount",
        label: "Amount",
        kind: "text",
        value: v.amount,
        error: e.amount,
        inputmode: "decimal",
        hint: "A whole percent (10), or an amount like 5.00 in the currency below.",
      },
      {
        name: "currency",
        label: "Currency of a fixed amount",
        kind: "select",
        value: v.currency,
        options: currencyOptions,
      },
      {
        name: "duration",
        label: "Applies to",
        kind: "select",
        value: v.duration,
        error: e.duration,
        options: [
          { value: "once", label: "The first payment" },
          { value: "forever", label: "Every payment" },
          { value: "number_of_payments", label: "A number of payments" },
        ],
      },
      {
        name: "numberOfPayments",
        label: "Number of payments (for “a number of payments”)",
        kind: "text",
        value: v.numberOfPayments,
        error: e.numberOfPayments,
        inputmode: "numeric",
      },
    ],
    write: async (tx, merchant, input, model, now) => {
      const row = await createDiscount(tx, merchant, { ...input, pricingModelId: model.id }, now);
      return {
        audit: {
          action: "discount.created",
          objectType: "discount",
          objectId: row.id,
          after: {
            id: row.id,
            code: row.code,
            amountType: row.amountType,
            amount: row.amount,
            duration: row.duration,
            numberOfPayments: row.numberOfPayments,
          },
        },
        to: `${CATALOG}?done=discount-created#model-${model.id}`,
      };
    },
    conflict: { field: "code", message: "Another discount of this pricing model has this code." },
  });

  registerCatalogForm<
    FeatureFormValues,
    NonNullable<ReturnType<typeof readFeatureForm>["input"]>,
    PricingModelRow
  >(app, deps, {
    path: `${CATALOG}/pricing-models/:id/features`,
    title: "New feature",
    intro:
      "A feature your app checks by slug (an on/off feature). Attach it to products: their customers get it while they own them.",
    submit: "Create feature",
    empty: { name: "", slug: "", description: "" },
    read: readFeatureForm,
    parent: (db, merchant, id) => getPricingModel(db, merchant, id),
    parentName: "pricing model",
    back: modelBack,
    fields: (v, e) => [
      { name: "name", label: "Name", kind: "text", value: v.name, error: e.name, required: true },
      { name: "slug", label: "Slug", kind: "text", value: v.slug, error: e.slug, required: true },
      {
        name: "description",
        label: "Description (optional)",
        kind: "textarea",
        value: v.description,
        error: e.description,
      },
    ],
    write: async (tx, merchant, input, model, now) => {
      const row = await createFeature(
        tx,
        merchant,
        { ...input, type: "toggle", pricingModelId: model.id },
        now,
      );
      return {
        audit: {
          action: "feature.created",
          objectType: "feature",
          objectId: row.id,
          after: { id: row.id, slug: row.slug, name: row.name, type: row.type },
        },
        to: `${CATALOG}?done=feature-created#model-${model.id}`,
      };
    },
    conflict: { field: "slug", message: "Another feature of this pricing model has this slug." },
  });

  registerCatalogForm<
    PriceFormValues & { isDefault: string },
    NonNullable<ReturnType<typeof readPriceFields>["price"]> & { isDefault: boolean },
    ProductRow
  >(app, deps, {
    path: `${CATALOG}/products/:id/prices`,
    title: "New price",
    intro:
      "Another way to buy this product (another amount, currency or interval), with its own purchase link.",
    submit: "Add price",
    empty: {
      priceType: "subscription",
      unitAmount: "",
      currency: "USD",
      intervalUnit: "month",
      isDefault: "",
    },
    read: (form) => {
      const read = readPriceFields(form);
      const values = { ...read.values, isDefault: form.isDefault === "true" ? "true" : "" };
      return read.price
        ? { values, input: { ...read.price, isDefault: values.isDefault === "true" }, errors: read.errors }
        : { values, errors: read.errors };
    },
    parent: (db, merchant, id) => getProduct(db, merchant, id),
    parentName: "product",
    back: (p) => ({ href: `${CATALOG}/products/${p.id}`, label: p.name }),
    fields: (v, e) => [
      {
        name: "priceType",
        label: "Type",
        kind: "select",
        value: v.priceType,
        error: e.priceType,
        options: [
          { value: "single_payment", label: "One-time payment" },
          { value: "subscription", label: "Subscription" },
        ],
      },
      {
        name: "unitAmount",
        label: "Amount",
        kind: "text",
        value: v.unitAmount,
        error: e.unitAmount,
        inputmode: "decimal",
        required: true,
      },
      {
        name: "currency",
        label: "Currency",
        kind: "select",
        value: v.currency,
        error: e.currency,
        options: currencyOptions,
      },
      {
        name: "intervalUnit",
        label: "Renews every (subscriptions only)",
        kind: "select",
        value: v.intervalUnit,
        error: e.intervalUnit,
        options: ["month", "year", "week", "day"].map((i) => ({ value: i, label: i })),
      },
      {
        name: "isDefault",
        label: "Make it the product's default price",
        kind: "checkbox",
        value: v.isDefault,
      },
    ],
    write: async (tx, merchant, input, product, now) => {
      const row = await createPrice(tx, merchant, { ...input, productId: product.id }, now);
      return {
        audit: { action: "price.created", objectType: "price", objectId: row.id, after: auditedPrice(row) },
        to: `${CATALOG}/products/${product.id}?done=price-added#price-${row.id}`,
      };
    },
  });
}
