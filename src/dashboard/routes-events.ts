import { EVENTS_PATH, renderEventPage, renderEventsPage } from "../../web/dashboard/events-page.js";
import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { getEvent, listEvents, serializeEvent } from "../webhooks/index.js";
import { notFoundPage } from "./records-shared.js";
import { frameFor, viewingVisitor, visitorMerchant } from "./routes-visitor.js";
import { orBadCursor } from "./routes-webhooks-pages.js";
import { eventView, prettyJson } from "./webhook-views.js";

const EVENTS_PER_PAGE = 25;

export function registerDashboardEvents(app: App, deps: AppDeps): void {
  app.get(EVENTS_PATH, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    return orBadCursor(c, async () => {
      const page = await listEvents(deps.db, visitorMerchant(visitor), {
        cursor: c.req.query("cursor"),
        limit: EVENTS_PER_PAGE,
      });
      return c.html(
        renderEventsPage(await frameFor(deps, visitor, EVENTS_PATH), {
          events: page.data.map(eventView),
          next: page.nextCursor ?? null,
        }),
      );
    });
  });

  app.get(`${EVENTS_PATH}/:id`, async (c) => {
    const visitor = await viewingVisitor(c, deps);
    if (visitor instanceof Response) return visitor;
    const row = await getEvent(deps.db, visitorMerchant(visitor), c.req.param("id"));
    if (!row) return notFoundPage(c, "event");
    const event = serializeEvent(row);
    return c.html(
      renderEventPage(await frameFor(deps, visitor, EVENTS_PATH), {
        event: eventView(event),
        payload: prettyJson(event),
      }),
    );
  });
}
