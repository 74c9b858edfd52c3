import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { registerFeatureRoutes } from "./routes-features.js";
import { registerPriceRoutes } from "./routes-prices.js";
import { registerPricingModelRoutes } from "./routes-pricing-models.js";
import { registerProductFeatureRoutes } from "./routes-product-features.js";
import { registerProductRoutes } from "./routes-products.js";
import { registerResourceRoutes } from "./routes-resources.js";
import { registerUsageMeterRoutes } from "./routes-usage-meters.js";

export function registerCatalogRoutes(app: App, deps: AppDeps): void {
  registerPricingModelRoutes(app, deps);
  registerProductRoutes(app, deps);
  registerPriceRoutes(app, deps);
  registerUsageMeterRoutes(app, deps);
  registerResourceRoutes(app, deps);
  registerFeatureRoutes(app, deps);
  registerProductFeatureRoutes(app, deps);
}
