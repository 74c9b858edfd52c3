import { OpenAPIHono } from "@hono/zod-openapi";
import { registerApiKeyRoutes } from "./api-keys/index.js";
import { auditApiChanges } from "./audit/index.js";
import { registerBillingRoutes } from "./billing/index.js";
import { registerCatalogRoutes } from "./catalog/index.js";
import { registerCheckoutPages, registerCheckoutRoutes } from "./checkout/index.js";
import type { AppDeps } from "./context/index.js";
import { registerCustomerRoutes } from "./customers/index.js";
import { registerDashboard } from "./dashboard/index.js";
import { registerDiscountRoutes } from "./discounts/index.js";
import { registerDocumentRoutes } from "./documents/index.js";
import { registerEntitlementRoutes } from "./entitlements/index.js";
import { resolveClientAddress, trustedProxies } from "./http/client-address.js";
import { errorResponse, toAppError, validationError } from "./http/errors.js";
import { idempotency } from "./http/idempotency.js";
import { limitBody, requestId, requireApiKey } from "./http/middleware.js";
import { registerDocs } from "./http/openapi-doc.js";
import { setPageSecurityHeaders, strictTransportSecurity } from "./http/page-headers.js";
import { admitTenant, createTenantGate, noteTenantPages, type TenantGate } from "./http/tenant-admission.js";
import type { App, AppEnv } from "./http/types.js";
import { failurePage, isHostedPage, unavailablePage } from "./http/unavailable-page.js";
import { registerInvoiceRoutes } from "./invoices/index.js";
import { AppError } from "./lib/errors.js";
import { registerPaymentRoutes } from "./payments/index.js";
import { registerPortalApiRoutes, registerPortalPages } from "./portal/index.js";
import { registerPricingModelFileRoutes } from "./pricing-model-files/index.js";
import { registerProcessorRoutes, registerStripeWebhook } from "./processors/index.js";
import { registerPurchasePageRoutes } from "./purchase-pages/index.js";
import { registerPurchaseRoutes } from "./purchases/index.js";
import { registerSubscriptionRoutes } from "./subscriptions/index.js";
import { registerUsageBalanceRoutes, registerUsageEventRoutes } from "./usage/index.js";
import { registerWebhookRoutes } from "./webhooks/index.js";

// The one module that knows every domain's routes. It sits above http/ and the domains, so neither has
// to import the other's way: domains' route modules use http/, and http/ knows no domain's routes.
export function createApp(
  deps: AppDeps,
  tenantGate: TenantGate = createTenantGate(deps.config.tenantAdmission),
): App {
  const app: App = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return errorResponse(c, validationError(result.error, result.target));
    },
  });

  app.use("*", requestId);
  if (deps.config.publicUrl.startsWith("https://")) app.use("*", strictTransportSecurity);
  app.use("*", resolveClientAddress(trustedProxies(deps.config.trustedProxies)));
  app.use("*", limitBody(deps.config.maxBodyBytes));
  app.use("/api/v1/*", requireApiKey(deps));
  app.use("/api/v1/*", admitTenant(tenantGate));
  app.use("/checkout/*", noteTenantPages(tenantGate));
  app.use("/api/v1/*", idempotency(deps));
  app.use("/api/v1/*", auditApiChanges(deps));

  registerRoutes(app, deps);
  registerDocs(app, deps.config.publicUrl);
  app.get("/", (c) => {
    setPageSecurityHeaders(c);
    return c.html(
      '<!doctype html><html lang="en"><meta charset="utf-8"><title>Glade</title><body><h1>Glade</h1><p>Checkout and billing server. API reference: <a href="/api/docs">/api/docs</a>.</p></body></html>',
    );
  });

  app.notFound((c) => {
    if (c.req.path.startsWith("/api/")) {
      return errorResponse(c, new AppError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`));
    }
    return c.html("<!doctype html><title>Not found</title><h1>Not found</h1>", 404);
  });
  app.onError((err, c) => {
    const error = toAppError(err, deps.logger, c.get("requestId") ?? "unknown");
    if (isHostedPage(c.req.path)) {
      if (error.code === "SERVICE_UNAVAILABLE") return unavailablePage(c);
      return failurePage(c, error.status, error.message);
    }
    return errorResponse(c, error);
  });
  return app;
}

/** Each domain registers its own routes; this list is the one place that knows them all. */
function registerRoutes(app: App, deps: AppDeps): void {
  // Before the catalog: `/pricing-models/setup` must not be read as a pricing model id.
  registerPricingModelFileRoutes(app, deps);
  registerCatalogRoutes(app, deps);
  registerDiscountRoutes(app, deps);
  registerCustomerRoutes(app, deps);
  registerBillingRoutes(app, deps);
  registerPortalApiRoutes(app, deps);
  registerPortalPages(app, deps);
  registerDocumentRoutes(app, deps);
  registerDashboard(app, deps);
  registerWebhookRoutes(app, deps);
  registerApiKeyRoutes(app, deps);
  registerCheckoutRoutes(app, deps);
  registerCheckoutPages(app, deps);
  registerPaymentRoutes(app, deps);
  registerInvoiceRoutes(app, deps);
  registerPurchaseRoutes(app, deps);
  registerPurchasePageRoutes(app, deps);
  registerSubscriptionRoutes(app, deps);
  registerEntitlementRoutes(app, deps);
  registerProcessorRoutes(app, deps);
  registerStripeWebhook(app, deps);
  registerUsageEventRoutes(app, deps);
  registerUsageBalanceRoutes(app, deps);
}
