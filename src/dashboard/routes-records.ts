import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { registerDashboardCheckoutSessions } from "./routes-checkout-sessions.js";
import { registerDashboardInvoices } from "./routes-invoices.js";
import { registerDashboardSubscriptions } from "./routes-subscriptions.js";
import { registerDashboardSubscriptionChanges } from "./routes-subscriptions-cancel.js";

/** The records sections: subscriptions (with cancel and undo), invoices, checkout sessions (with expire). */
export function registerDashboardRecords(app: App, deps: AppDeps): void {
  registerDashboardSubscriptions(app, deps);
  registerDashboardSubscriptionChanges(app, deps);
  registerDashboardInvoices(app, deps);
  registerDashboardCheckoutSessions(app, deps);
}
