import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { listTenantPage } from "../db/list.js";
import { webhookEndpoints } from "../db/schema/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { ListQuery } from "../lib/pagination.js";
import { listEnvelope } from "../lib/wire.js";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  requireWebhookEndpoint,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from "./endpoints.js";
import { createWebhookExamples } from "./examples.js";
import { listDeliveries } from "./list-deliveries.js";
import {
  CreateWebhookBody,
  DeliveryListQuery,
  DeliverySchema,
  IdParam,
  UpdateWebhookBody,
  WebhookSchema,
} from "./schemas.js";
import { openWebhookSecret } from "./secret-at-rest.js";
import { serializeWebhook, type WebhookEndpointRow } from "./serialize.js";

const tags = ["Webhooks"];
const WebhookEnvelope = z.object({ webhook: WebhookSchema });

const createWebhook = createRoute({
  method: "post",
  path: "/api/v1/webhooks",
  tags,
  summary: "Create a webhook endpoint (the response carries its whsec_ signing secret)",
  request: { body: jsonBody(CreateWebhookBody, undefined, createWebhookExamples) },
  responses: { 201: jsonResponse(WebhookEnvelope, "The new endpoint"), ...errorResponses() },
});

const listWebhooks = createRoute({
  method: "get",
  path: "/api/v1/webhooks",
  tags,
  summary: "List webhook endpoints, newest first",
  request: { query: ListQuery },
  responses: { 200: jsonResponse(listEnvelope(WebhookSchema, "WebhookList"), "A page"), ...errorResponses() },
});

const getWebhook = createRoute({
  method: "get",
  path: "/api/v1/webhooks/{id}",
  tags,
  summary: "Retrieve a webhook endpoint",
  request: { params: IdParam },
  responses: { 200: jsonResponse(WebhookEnvelope, "The endpoint"), ...errorResponses("NOT_FOUND") },
});

const updateWebhook = createRoute({
  method: "put",
  path: "/api/v1/webhooks/{id}",
  tags,
  summary: "Update a webhook endpoint (active: false pauses it; queued deliveries wait)",
  request: { params: IdParam, body: jsonBody(UpdateWebhookBody) },
  responses: { 200: jsonResponse(WebhookEnvelope, "The endpoint"), ...errorResponses("NOT_FOUND") },
});

const deleteWebhook = createRoute({
  method: "delete",
  path: "/api/v1/webhooks/{id}",
  tags,
  summary: "Deactivate a webhook endpoint and cancel its queued deliveries (history is kept)",
  request: { params: IdParam },
  responses: {
    200: jsonResponse(WebhookEnvelope, "The deactivated endpoint"),
    ...errorResponses("NOT_FOUND"),
  },
});

const rotateSecret = createRoute({
  method: "post",
  path: "/api/v1/webhooks/{id}/rotate-secret",
  tags,
  summary: "Replace the signing secret; deliveries sent from now on use the new one",
  request: { params: IdParam },
  responses: { 200: jsonResponse(WebhookEnvelope, "The endpoint"), ...errorResponses("NOT_FOUND") },
});

const listWebhookDeliveries = createRoute({
  method: "get",
  path: "/api/v1/webhooks/{id}/deliveries",
  tags,
  summary: "Delivery log of an endpoint, newest delivery first, each with its attempts",
  request: { params: IdParam, query: DeliveryListQuery },
  responses: {
    200: jsonResponse(listEnvelope(DeliverySchema, "WebhookDeliveryList"), "A page"),
    ...errorResponses("NOT_FOUND"),
  },
});

export function registerEndpointRoutes(app: App, deps: AppDeps): void {
  const wire = (row: WebhookEndpointRow) => serializeWebhook(row, openWebhookSecret(deps.config, row));

  app.openapi(createWebhook, async (c) => {
    const { webhook } = c.req.valid("json");
    const row = await deps.db.transaction((tx) =>
      createWebhookEndpoint(tx, c.get("merchant"), webhook, deps.now(), deps.config),
    );
    return c.json({ webhook: wire(row) }, 201);
  });

  app.openapi(listWebhooks, async (c) => {
    const page = await listTenantPage(
      deps.db,
      webhookEndpoints,
      c.get("merchant"),
      c.req.valid("query"),
      wire,
    );
    return c.json(page, 200);
  });

  app.openapi(getWebhook, async (c) => {
    const row = await requireWebhookEndpoint(deps.db, c.get("merchant"), c.req.valid("param").id);
    return c.json({ webhook: wire(row) }, 200);
  });

  app.openapi(updateWebhook, async (c) => {
    const { id } = c.req.valid("param");
    const { webhook } = c.req.valid("json");
    const row = await deps.db.transaction((tx) =>
      updateWebhookEndpoint(tx, c.get("merchant"), id, webhook, deps.now(), deps.config),
    );
    return c.json({ webhook: wire(row) }, 200);
  });

  app.openapi(deleteWebhook, async (c) => {
    const { id } = c.req.valid("param");
    const row = await deps.db.transaction((tx) =>
      deleteWebhookEndpoint(tx, c.get("merchant"), id, deps.now()),
    );
    return c.json({ webhook: wire(row) }, 200);
  });

  app.openapi(rotateSecret, async (c) => {
    const { id } = c.req.valid("param");
    const row = await deps.db.transaction((tx) =>
      rotateWebhookSecret(tx, c.get("merchant"), id, deps.now(), deps.config),
    );
    return c.json({ webhook: wire(row) }, 200);
  });

  app.openapi(listWebhookDeliveries, async (c) => {
    const page = await listDeliveries(
      deps.db,
      c.get("merchant"),
      c.req.valid("param").id,
      c.req.valid("query"),
    );
    return c.json(page, 200);
  });
}
