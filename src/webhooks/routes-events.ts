import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { errorResponses, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { notFound } from "../lib/errors.js";
import { listEnvelope } from "../lib/wire.js";
import { getEvent, listEvents, redeliverEvent } from "./event-log.js";
import { DeliverySchema, EventListQuery, EventSchema, IdParam, RedeliverBody } from "./schemas.js";
import { serializeEvent } from "./serialize.js";

const tags = ["Events"];

const listEventsRoute = createRoute({
  method: "get",
  path: "/api/v1/events",
  tags,
  summary: "List events, newest first (optionally of one type)",
  request: { query: EventListQuery },
  responses: { 200: jsonResponse(listEnvelope(EventSchema, "EventList"), "A page"), ...errorResponses() },
});

const getEventRoute = createRoute({
  method: "get",
  path: "/api/v1/events/{id}",
  tags,
  summary: "Retrieve an event; its body is exactly what webhooks receive",
  request: { params: IdParam },
  responses: {
    200: jsonResponse(z.object({ event: EventSchema }), "The event"),
    ...errorResponses("NOT_FOUND"),
  },
});

const redeliverRoute = createRoute({
  method: "post",
  path: "/api/v1/events/{id}/redeliver",
  tags,
  summary: "Queue the event again for one webhook (webhookId) or every active webhook subscribed to it",
  request: {
    params: IdParam,
    body: { required: false, content: { "application/json": { schema: RedeliverBody } } },
  },
  responses: {
    200: jsonResponse(z.object({ deliveries: z.array(DeliverySchema) }), "The queued deliveries"),
    ...errorResponses("NOT_FOUND", "UNPROCESSABLE_CONTENT"),
  },
});

export function registerEventRoutes(app: App, deps: AppDeps): void {
  app.openapi(listEventsRoute, async (c) => {
    const page = await listEvents(deps.db, c.get("merchant"), c.req.valid("query"));
    return c.json(page, 200);
  });

  app.openapi(getEventRoute, async (c) => {
    const { id } = c.req.valid("param");
    const row = await getEvent(deps.db, c.get("merchant"), id);
    if (!row) throw notFound("Event", id);
    return c.json({ event: serializeEvent(row) }, 200);
  });

  app.openapi(redeliverRoute, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const deliveries = await deps.db.transaction((tx) =>
      redeliverEvent(tx, c.get("merchant"), id, input, deps.now()),
    );
    return c.json({ deliveries }, 200);
  });
}
