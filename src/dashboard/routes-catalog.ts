import { type CatalogModelView, renderCatalogPage } from "../../web/dashboard/catalog-page.js";
import {
  listFeaturesOfPricingModel,
  listPricesForProducts,
  listPricingModelsPage,
  listProductsForPricingModel,
  type PricingModelRow,
} from "../catalog/index.js";
import type { AppDeps } from "../context/index.js";
import { listDiscountsOfPricingModel } from "../discounts/index.js";
import type { App } from "../http/types.js";
import type { Visitor } from "./access.js";
import { discountView, featureView, productView } from "./catalog-view.js";
import { listOr400 } from "./records-shared.js";
import { registerDashboardCatalogCreate } from "./routes-catalog-create.js";
import { registerDashboardCatalogEdit } from "./routes-catalog-edit.js";
import { registerDashboardCatalogForms } from "./routes-catalog-forms.js";
import { registerDashboardCatalogSwitches } from "./routes-catalog-switches.js";
import { canChange, frameFor, viewingVisitor, visitorMerchant } from "./routes-visitor.js";

export const CATALOG_PATH = "/dashboard/catalog";
/** What a redirect's `?done=` says on the catalog page; anything else says nothing. */
const CATALOG_NOTICES: Record<string, string> = {
  "model-created": "Pricing model created. Add products to it below.",
  "discount-created": "Discount created: customers can type its code at checkout.",
  "discount-activated": "Discount active: its code works at checkout.",
  "discount-deactivated": "Discount inactive: its code is refused at checkout.",
  "feature-created": "Feature created. Attach it to products on their pages.",
};

/** Pricing models per page: each one shows all its products, prices, discounts and features. */
const MODELS_PER_PAGE = 5;

async function modelView(deps: AppDeps, visitor: Visitor, model: PricingModelRow): Promise<CatalogModelView> {
  const merchant = visitorMerchant(visitor);
  const [products, discounts, features] = await Promise.all([
    listProductsForPricingModel(deps.db, merchant, model.id),
    listDiscountsOfPricingModel(deps.db, merchant, model.id),
    listFeaturesOfPricingModel(deps.db, merchant, model.id),
  ]);
  const prices = await listPricesForProducts(
    deps.db,
    merchant,
    products.map((p) => p.id),
  );
  return {
    id: model.id,
    name: model.name,
    isDefault: model.isDefault,
    // Newest first, like every dashboard list.
    products: products.reverse().map((p) => productView(p, prices, deps.config.publicUrl)),
    discounts: discounts.map(discountView),
    features: features.map(featureView),
  };
}

export function registerDashboardCatalog(app: App, deps: AppDeps): void {
  app.get(CATALOG_PATH, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const cursor = c.req.query("cursor");
    const page = await listOr400(c, "Catalog", () =>
      listPricingModelsPage(deps.db, visitorMerchant(visitor), {
        limit: MODELS_PER_PAGE,
        ...(cursor ? { cursor } : {}),
      }),
    );
    if (page instanceof Response) return page;
    const models = await Promise.all(page.data.map((m) => modelView(deps, visitor, m)));
    const notice = CATALOG_NOTICES[c.req.query("done") ?? ""] ?? null;
    return c.html(
      renderCatalogPage(await frameFor(deps, visitor, CATALOG_PATH), {
        models,
        next: page.nextCursor ?? null,
        canChange: canChange(visitor),
        notice,
      }),
    );
  });
  registerDashboardCatalogCreate(app, deps);
  registerDashboardCatalogForms(app, deps);
  registerDashboardCatalogSwitches(app, deps);
  registerDashboardCatalogEdit(app, deps);
}
