import type { Context } from "hono";
import { renderProductPage } from "../../web/dashboard/catalog-product-page.js";
import { recordAudit } from "../audit/index.js";
import {
  getPrice,
  getPricingModel,
  getProduct,
  listFeaturesOfPricingModel,
  listLiveFeaturesOfProducts,
  listPricesForProducts,
  type ProductRow,
  updatePrice,
  updateProduct,
} from "../catalog/index.js";
import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import type { Visitor } from "./access.js";
import { auditedPrice, auditedProduct, productView } from "./catalog-view.js";
import { notFoundPage } from "./records-shared.js";
import {
  canChange,
  frameFor,
  messagePage,
  postingVisitor,
  viewingVisitor,
  visitorActor,
  visitorMerchant,
} from "./routes-visitor.js";

const CATALOG = "/dashboard/catalog";

/** What a redirect's `?done=` says on the product page; anything else says nothing. */
const NOTICES: Record<string, string> = {
  created: "Product created. Share its purchase link below.",
  saved: "Product saved.",
  archived: "Price archived: its purchase link no longer sells.",
  unarchived: "Price unarchived.",
  "link-enabled": "Purchase link enabled.",
  "link-disabled": "Purchase link disabled.",
  "price-added": "Price added, with its own purchase link.",
  "feature-attached": "Feature attached: customers who buy this product get it.",
  "feature-detached":
    "Feature detached: new grants stop; what customers already hold is kept until their period ends.",
};

async function productPage(
  c: Context,
  deps: AppDeps,
  visitor: Visitor,
  product: ProductRow,
  edit: {
    values?: { name: string; description: string; active: boolean };
    errors?: { name?: string; description?: string };
  },
) {
  const merchant = visitorMerchant(visitor);
  const [prices, model, attached, modelFeatures] = await Promise.all([
    listPricesForProducts(deps.db, merchant, [product.id]),
    getPricingModel(deps.db, merchant, product.pricingModelId),
    listLiveFeaturesOfProducts(deps.db, merchant, [product.id]),
    listFeaturesOfPricingModel(deps.db, merchant, product.pricingModelId),
  ]);
  const onProduct = attached.get(product.id) ?? [];
  const features = {
    attached: onProduct.map((f) => ({ id: f.id, name: f.name, slug: f.slug })),
    available: modelFeatures
      .filter((f) => f.active && !onProduct.some((a) => a.id === f.id))
      .map((f) => ({ id: f.id, name: f.name, slug: f.slug })),
  };
  const notice = NOTICES[c.req.query("done") ?? ""] ?? null;
  return c.html(
    renderProductPage(await frameFor(deps, visitor, CATALOG), {
      product: productView(product, prices, deps.config.publicUrl),
      pricingModelName: model?.name ?? product.pricingModelId,
      features,
      canChange: canChange(visitor),
      values: edit.values ?? {
        name: product.name,
        description: product.description ?? "",
        active: product.active,
      },
      errors: edit.errors ?? {},
      notice: edit.errors ? null : notice,
    }),
    edit.errors ? 400 : 200,
  );
}

/** Archive/unarchive or switch the purchase link of one price: the same audited update, one field. */
function priceSwitch(
  app: App,
  deps: AppDeps,
  verb: string,
  read: (form: Record<string, string>) => { active: boolean } | { purchasePageEnabled: boolean } | undefined,
) {
  app.post(`${CATALOG}/prices/:id/${verb}`, async (c) => {
    const posted = await postingVisitor(c, deps, "admin");
    if (posted instanceof Response) return posted;
    const { visitor, form } = posted;
    const merchant = visitorMerchant(visitor);
    const price = await getPrice(deps.db, merchant, c.req.param("id"));
    if (!price) return notFoundPage(c, "price");
    const change = read(form);
    if (!change) return messagePage(c, 400, "Nothing was changed", "The form sent no valid choice.");
    const now = deps.now();
    const updated = await deps.db.transaction(async (tx) => {
      const after = await updatePrice(tx, merchant, price.id, change, now);
      const action =
        "active" in change
          ? change.active
            ? "price.unarchived"
            : "price.archived"
          : change.purchasePageEnabled
            ? "price.purchase_link_enabled"
            : "price.purchase_link_disabled";
      await recordAudit(
        tx,
        merchant,
        {
          actor: visitorActor(visitor),
          action,
          objectType: "price",
          objectId: price.id,
          before: auditedPrice(price),
          after: auditedPrice(after),
        },
        now,
      );
      return { after, action };
    });
    const done = {
      "price.unarchived": "unarchived",
      "price.archived": "archived",
      "price.purchase_link_enabled": "link-enabled",
      "price.purchase_link_disabled": "link-disabled",
    }[updated.action];
    const back = updated.after.productId ? `${CATALOG}/products/${updated.after.productId}` : CATALOG;
    return c.redirect(`${back}?done=${done ?? ""}#price-${price.id}`, 303);
  });
}

const flag = (value: string | undefined) => (value === "true" ? true : value === "false" ? false : undefined);

export function registerDashboardCatalogEdit(app: App, deps: AppDeps): void {
  app.get(`${CATALOG}/products/:id`, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const product = await getProduct(deps.db, visitorMerchant(visitor), c.req.param("id"));
    if (!product) return notFoundPage(c, "product");
    return productPage(c, deps, visitor, product, {});
  });

  app.post(`${CATALOG}/products/:id`, async (c) => {
    const posted = await postingVisitor(c, deps, "admin");
    if (posted instanceof Response) return posted;
    const { visitor, form } = posted;
    const merchant = visitorMerchant(visitor);
    const product = await getProduct(deps.db, merchant, c.req.param("id"));
    if (!product) return notFoundPage(c, "product");
    // An unchecked box sends nothing: absent means inactive.
    const values = {
      name: (form.name ?? "").trim(),
      description: (form.description ?? "").trim(),
      active: form.active === "true",
    };
    const errors: { name?: string; description?: string } = {};
    if (values.name === "" || values.name.length > 255)
      errors.name = "Give the product a name of 1 to 255 characters.";
    if (values.description.length > 5000) errors.description = "Keep the description under 5,000 characters.";
    if (errors.name || errors.description) return productPage(c, deps, visitor, product, { values, errors });
    const now = deps.now();
    await deps.db.transaction(async (tx) => {
      const { product: after } = await updateProduct(
        tx,
        merchant,
        product.id,
        {
          name: values.name,
          description: values.description === "" ? null : values.description,
          active: values.active,
        },
        now,
      );
      await recordAudit(
        tx,
        merchant,
        {
          actor: visitorActor(visitor),
          action: "product.updated",
          objectType: "product",
          objectId: product.id,
          before: auditedProduct(product),
          after: auditedProduct(after),
        },
        now,
      );
    });
    return c.redirect(`${CATALOG}/products/${product.id}?done=saved`, 303);
  });

  priceSwitch(app, deps, "active", (form) => {
    const active = flag(form.active);
    return active === undefined ? undefined : { active };
  });
  priceSwitch(app, deps, "purchase-link", (form) => {
    const enabled = flag(form.enabled);
    return enabled === undefined ? undefined : { purchasePageEnabled: enabled };
  });
}
