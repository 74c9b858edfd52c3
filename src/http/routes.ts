import { registerCatalogRoutes } from "../catalog/index.js";
import { registerCustomerRoutes } from "../customers/index.js";
import type { App, AppDeps } from "./types.js";

/** Each domain registers its own routes; this list is the one place that knows them all. */
export function registerRoutes(app: App, deps: AppDeps): void {
  registerCatalogRoutes(app, deps);
  registerCustomerRoutes(app, deps);
}
