import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { registerDashboardAudit } from "./routes-audit.js";
import { registerDashboardAuth } from "./routes-auth.js";
import { registerDashboardDevelopers } from "./routes-developers.js";
import { registerDashboardOverview } from "./routes-overview.js";
import { registerDashboardRecords } from "./routes-records.js";

/** The merchant dashboard under /dashboard: server-rendered pages, no script, one stylesheet. */
export function registerDashboard(app: App, deps: AppDeps): void {
  registerDashboardAuth(app, deps);
  registerDashboardOverview(app, deps);
  registerDashboardDevelopers(app, deps);
  registerDashboardAudit(app, deps);
  registerDashboardRecords(app, deps);
}
