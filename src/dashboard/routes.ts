import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { registerDashboardAudit } from "./routes-audit.js";
import { registerDashboardAuth } from "./routes-auth.js";
import { registerDashboardCatalog } from "./routes-catalog.js";
import { registerDashboardCustomers } from "./routes-customers.js";
import { registerDashboardDevelopers } from "./routes-developers.js";
import { registerDashboardOverview } from "./routes-overview.js";
import { registerDashboardRecords } from "./routes-records.js";
import { registerDashboardSettings } from "./routes-settings.js";
import { registerDashboardWebhooks } from "./routes-webhooks.js";

/** The merchant dashboard under /dashboard: server-rendered pages, no script, one stylesheet. */
export function registerDashboard(app: App, deps: AppDeps): void {
  registerDashboardAuth(app, deps);
  registerDashboardOverview(app, deps);
  registerDashboardDevelopers(app, deps);
  registerDashboardAudit(app, deps);
  registerDashboardCustomers(app, deps);
  registerDashboardCatalog(app, deps);
  registerDashboardWebhooks(app, deps);
  registerDashboardSettings(app, deps);
  registerDashboardRecords(app, deps);
}
