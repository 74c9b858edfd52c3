import { WEBHOOKS_PATH } from "../../web/dashboard/webhooks-page.js";
import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { getWebhookEndpoint } from "../webhooks/index.js";
import { notFoundPage } from "./records-shared.js";
import { registerDashboardEvents } from "./routes-events.js";
import { viewingVisitor, visitorMerchant } from "./routes-visitor.js";
import { registerDashboardWebhookChanges } from "./routes-webhooks-change.js";
import { orBadCursor, webhookPage, webhooksPage } from "./routes-webhooks-pages.js";

/** Developers → Webhooks (endpoints, their delivery logs) and Events, through the webhooks domain's services. */
export function registerDashboardWebhooks(app: App, deps: AppDeps): void {
  app.get(WEBHOOKS_PATH, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    return orBadCursor(c, async () =>
      c.html(await webhooksPage(deps, visitor, { cursor: c.req.query("cursor") })),
    );
  });

  app.get(`${WEBHOOKS_PATH}/:id`, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const endpoint = await getWebhookEndpoint(deps.db, visitorMerchant(visitor), c.req.param("id"));
    if (!endpoint) return notFoundPage(c, "webhook endpoint");
    return orBadCursor(c, async () =>
      c.html(
        await webhookPage(deps, visitor, endpoint, {
          cursor: c.req.query("cursor"),
          notice: c.req.query("notice"),
        }),
      ),
    );
  });

  registerDashboardWebhookChanges(app, deps);
  registerDashboardEvents(app, deps);
}
