import type { Context } from "hono";
import { renderNewProductPage } from "../../web/dashboard/catalog-product-page.js";
import { recordAudit } from "../audit/index.js";
import { createProduct, ensureDefaultPricingModel, listPricingModelsPage } from "../catalog/index.js";
import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import { CURRENCIES } from "../lib/money.js";
import type { Visitor } from "./access.js";
import { type ProductFormErrors, type ProductFormValues, readProductForm } from "./catalog-form.js";
import { auditedPrice, auditedProduct } from "./catalog-view.js";
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
/** The form's pricing model choice; more than this many models is beyond what a dashboard form lists. */
const MODEL_CHOICES = 100;

async function newProductPage(
  c: Context,
  deps: AppDeps,
  visitor: Visitor,
  values: ProductFormValues,
  errors: ProductFormErrors,
  status: 200 | 400,
) {
  const models = await listPricingModelsPage(deps.db, visitorMerchant(visitor), { limit: MODEL_CHOICES });
  return c.html(
    renderNewProductPage(await frameFor(deps, visitor, CATALOG), {
      models: models.data.map((m) => ({ id: m.id, name: m.name, isDefault: m.isDefault })),
      currencies: CURRENCIES,
      values,
      errors,
    }),
    status,
  );
}

export function registerDashboardCatalogCreate(app: App, deps: AppDeps): void {
  app.get(`${CATALOG}/products/new`, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    if (!canChange(visitor)) {
      return messagePage(c, 403, "Not allowed", "Your role can view the catalog but not create products.");
    }
    const values: ProductFormValues = {
      name: "",
      description: "",
      slug: "",
      pricingModelId: c.req.query("pricingModelId") ?? "",
      priceType: "single_payment",
      unitAmount: "",
      currency: "USD",
      intervalUnit: "month",
    };
    return newProductPage(c, deps, visitor, values, {}, 200);
  });

  app.post(`${CATALOG}/products`, async (c) => {
    const posted = await postingVisitor(c, deps, "admin");
    if (posted instanceof Response) return posted;
    const { visitor, form } = posted;
    const { values, input, errors } = readProductForm(form);
    if (!input) return newProductPage(c, deps, visitor, values, errors, 400);
    const merchant = visitorMerchant(visitor);
    const now = deps.now();
    let created: { productId: string };
    try {
      created = await deps.db.transaction(async (tx) => {
        // Only a merchant with no pricing model yet sends none: its default is made with the first product.
        const pricingModelId =
          input.pricingModelId === ""
            ? (await ensureDefaultPricingModel(tx, merchant, now)).id
            : input.pricingModelId;
        const made = await createProduct(
          tx,
          merchant,
          { ...input.product, pricingModelId },
          input.price,
          now,
        );
        await recordAudit(
          tx,
          merchant,
          {
            actor: visitorActor(visitor),
            action: "product.created",
            objectType: "product",
            objectId: made.product.id,
            after: { product: auditedProduct(made.product), price: auditedPrice(made.price) },
          },
          now,
        );
        return { productId: made.product.id };
      });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === "NOT_FOUND") {
        return messagePage(
          c,
          404,
          "Not found",
          "There is no such pricing model in this organization and mode.",
        );
      }
      if (err.code === "CONFLICT" && err.message.includes("slug")) {
        return newProductPage(
          c,
          deps,
          visitor,
          values,
          { slug: "Another product of this pricing model has this slug." },
          400,
        );
      }
      return newProductPage(c, deps, visitor, values, { unitAmount: err.message }, 400);
    }
    return c.redirect(`${CATALOG}/products/${created.productId}?done=created`, 303);
  });
}
