import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { registerPriceRoutes } from "./routes-prices.js";
import { registerPricingModelRoutes } from "./routes-pricing-models.js";
import { registerProductRoutes } from "./routes-products.js";

export function registerCatalogRoutes(app: App, deps: AppDeps): void {
  registerPricingModelRoutes(app, deps);
  registerProductRoutes(app, deps);
  registerPriceRoutes(app, deps);
}
