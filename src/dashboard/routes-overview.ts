import { renderOverviewPage } from "../../web/dashboard/overview-page.js";
import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { frameFor, viewingVisitor } from "./routes-visitor.js";

export function registerDashboardOverview(app: App, deps: AppDeps): void {
  app.get("/dashboard", async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    return c.html(renderOverviewPage(await frameFor(deps, visitor, "/dashboard")));
  });
}
