import { renderGetStartedPage, renderOverviewPage } from "../../web/dashboard/overview-page.js";
import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { getOrganizationCached } from "../organizations/index.js";
import { hasAnyPayment } from "../payments/index.js";
import { overviewView } from "./overview-data.js";
import { frameFor, viewingVisitor, visitorMerchant } from "./routes-visitor.js";

export function registerDashboardOverview(app: App, deps: AppDeps): void {
  app.get("/dashboard", async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const merchant = visitorMerchant(visitor);
    const [frame, paid, org] = await Promise.all([
      frameFor(deps, visitor, "/dashboard"),
      hasAnyPayment(deps.db, merchant),
      getOrganizationCached(deps.db, merchant.organizationId),
    ]);
    // Until the first payment there is nothing to chart: the page says what to do first.
    if (!paid) return c.html(renderGetStartedPage(frame));
    const by = c.req.query("by") === "week" ? "week" : "day";
    const view = await overviewView(deps, merchant, org?.defaultCurrency ?? "USD", by);
    return c.html(renderOverviewPage(frame, view));
  });
}
