import { registerBillingRoutes } from "../billing/index.js";
import { registerCatalogRoutes } from "../catalog/index.js";
import { registerCheckoutPages, registerCheckoutRoutes } from "../checkout/index.js";
import type { AppDeps } from "../context/index.js";
import { registerCustomerRoutes } from "../customers/index.js";
import { registerInvoiceRoutes } from "../invoices/index.js";
import { registerPaymentRoutes } from "../payments/index.js";
import { registerPurchasePageRoutes } from "../purchase-pages/index.js";
import { registerPurchaseRoutes } from "../purchases/index.js";
import { registerSubscriptionRoutes } from "../subscriptions/index.js";
import { registerWebhookRoutes } from "../webhooks/index.js";
import type { App } from "./types.js";

/** Each domain registers its own routes; this list is the one place that knows them all. */
export function registerRoutes(app: App, deps: AppDeps): void {
  registerCatalogRoutes(app, deps);
  registerCustomerRoutes(app, deps);
  registerBillingRoutes(app, deps);
  registerWebhookRoutes(app, deps);
  registerCheckoutRoutes(app, deps);
  registerCheckoutPages(app, deps);
  registerPaymentRoutes(app, deps);
  registerInvoiceRoutes(app, deps);
  registerPurchaseRoutes(app, deps);
  registerPurchasePageRoutes(app, deps);
  registerSubscriptionRoutes(app, deps);
}
