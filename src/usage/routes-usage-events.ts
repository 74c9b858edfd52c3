import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { listTenantPage } from "../db/list.js";
import { usageEvents } from "../db/schema/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { listEnvelope } from "../lib/wire.js";
import { createUsageEventExamples } from "./examples.js";
import { ingestUsageEvents } from "./ingest-bulk.js";
import { ingestUsageEvent } from "./ingest-event.js";
import { requireUsageEvent } from "./queries-events.js";
import {
  BulkCreateUsageEventsBody,
  BulkUsageEventsResponse,
  CreateUsageEventBody,
  ListUsageEventsQuery,
  UsageEventRecordSchema,
  UsageEventResponse,
} from "./schemas-events.js";
import { serializeUsageEvent } from "./serialize-event.js";

const tags = ["Usage events"];
const security = [{ secretKey: [] }];
const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});

const create = createRoute({
  method: "post",
  path: "/api/v1/usage-events",
  tags,
  security,
  summary:
    "Record usage for a subscription; a transactionId already recorded returns its first event, counted once",
  request: { body: jsonBody(CreateUsageEventBody, undefined, createUsageEventExamples) },
  responses: {
    200: jsonResponse(UsageEventResponse, "The recorded event (or the first one with this transactionId)"),
    ...errorResponses("NOT_FOUND", "CONFLICT"),
  },
});

const bulk = createRoute({
  method: "post",
  path: "/api/v1/usage-events/bulk",
  tags,
  security,
  summary: "Record 1 to 1000 usage events, all or nothing; answered in input order",
  request: { body: jsonBody(BulkCreateUsageEventsBody) },
  responses: {
    200: jsonResponse(BulkUsageEventsResponse, "The recorded events, in input order"),
    ...errorResponses("NOT_FOUND", "CONFLICT"),
  },
});

const list = createRoute({
  method: "get",
  path: "/api/v1/usage-events",
  tags,
  security,
  summary: "List usage events, newest first",
  request: { query: ListUsageEventsQuery },
  responses: {
    200: jsonResponse(listEnvelope(UsageEventRecordSchema, "UsageEventList"), "A page of usage events"),
    ...errorResponses(),
  },
});

const retrieve = createRoute({
  method: "get",
  path: "/api/v1/usage-events/{id}",
  tags,
  security,
  summary: "A usage event",
  request: { params: IdParam },
  responses: {
    200: jsonResponse(UsageEventResponse, "The usage event"),
    ...errorResponses("NOT_FOUND"),
  },
});

export function registerUsageEventRoutes(app: App, deps: AppDeps): void {
  app.openapi(create, async (c) => {
    const { usageEvent } = c.req.valid("json");
    const row = await ingestUsageEvent(deps.db, c.get("merchant"), usageEvent, deps.now());
    return c.json({ usageEvent: serializeUsageEvent(row) }, 200);
  });

  app.openapi(bulk, async (c) => {
    const { usageEvents: inputs } = c.req.valid("json");
    const rows = await ingestUsageEvents(deps.db, c.get("merchant"), inputs, deps.now());
    return c.json({ usageEvents: rows.map(serializeUsageEvent) }, 200);
  });

  app.openapi(list, async (c) => {
    const page = await listTenantPage(
      deps.db,
      usageEvents,
      c.get("merchant"),
      c.req.valid("query"),
      serializeUsageEvent,
    );
    return c.json(page, 200);
  });

  app.openapi(retrieve, async (c) => {
    const row = await requireUsageEvent(deps.db, c.get("merchant"), c.req.valid("param").id);
    return c.json({ usageEvent: serializeUsageEvent(row) }, 200);
  });
}
