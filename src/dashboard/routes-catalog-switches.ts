// One-click catalog changes: a discount on or off, a feature attached to or detached from a product.
import { recordAudit } from "../audit/index.js";
import { attachProductFeature, detachProductFeature, getProduct } from "../catalog/index.js";
import type { AppDeps } from "../context/index.js";
import { getDiscount, updateDiscount } from "../discounts/index.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import { notFoundPage } from "./records-shared.js";
import { CATALOG } from "./routes-catalog-form.js";
import { messagePage, postingVisitor, visitorActor, visitorMerchant } from "./routes-visitor.js";

export function registerDashboardCatalogSwitches(app: App, deps: AppDeps): void {
  app.post(`${CATALOG}/discounts/:id/active`, async (c) => {
    const posted = await postingVisitor(c, deps, "admin");
    if (posted instanceof Response) return posted;
    const { visitor, form } = posted;
    const merchant = visitorMerchant(visitor);
    const discount = await getDiscount(deps.db, merchant, c.req.param("id"));
    if (!discount) return notFoundPage(c, "discount");
    if (form.active !== "true" && form.active !== "false") {
      return messagePage(c, 400, "Nothing was changed", "The form sent no valid choice.");
    }
    const active = form.active === "true";
    const now = deps.now();
    await deps.db.transaction(async (tx) => {
      const after = await updateDiscount(tx, merchant, discount.id, { active }, now);
      await recordAudit(
        tx,
        merchant,
        {
          actor: visitorActor(visitor),
          action: active ? "discount.activated" : "discount.deactivated",
          objectType: "discount",
          objectId: discount.id,
          before: { active: discount.active },
          after: { active: after.active },
        },
        now,
      );
    });
    const done = active ? "discount-activated" : "discount-deactivated";
    return c.redirect(`${CATALOG}?done=${done}#model-${discount.pricingModelId}`, 303);
  });

  app.post(`${CATALOG}/products/:id/features`, async (c) => {
    const posted = await postingVisitor(c, deps, "admin");
    if (posted instanceof Response) return posted;
    const { visitor, form } = posted;
    const merchant = visitorMerchant(visitor);
    const product = await getProduct(deps.db, merchant, c.req.param("id"));
    if (!product) return notFoundPage(c, "product");
    const featureId = form.featureId ?? "";
    const detach = form.detach === "true";
    const now = deps.now();
    try {
      const changed = await deps.db.transaction(async (tx) => {
        const row = detach
          ? await detachProductFeature(tx, merchant, { productId: product.id, featureId }, now)
          : await attachProductFeature(tx, merchant, { productId: product.id, featureId }, now);
        if (!row) return false;
        await recordAudit(
          tx,
          merchant,
          {
            actor: visitorActor(visitor),
            action: detach ? "product_feature.detached" : "product_feature.attached",
            objectType: "product",
            objectId: product.id,
            after: { featureId, productFeatureId: row.id },
          },
          now,
        );
        return true;
      });
      if (!changed) return notFoundPage(c, "feature on this product");
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === "NOT_FOUND") return notFoundPage(c, "feature");
      // Another pricing model's feature: said plainly, nothing attached.
      return messagePage(c, 400, "Not attached", err.message);
    }
    const done = detach ? "feature-detached" : "feature-attached";
    return c.redirect(`${CATALOG}/products/${product.id}?done=${done}#features`, 303);
  });
}
