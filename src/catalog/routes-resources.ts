import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { createResource, listResourcesOfPricingModel, requireResource, updateResource } from "./resources.js";
import { IdParam } from "./schemas.js";
import {
  CreateResourceBody,
  ResourceListQuery,
  ResourceRecordSchema,
  UpdateResourceBody,
} from "./schemas-entitlements.js";
import { serializeResource } from "./serialize-entitlements.js";

const tags = ["Resources"];
const security = [{ secretKey: [] }];
const ResourceResponse = z.object({ resource: ResourceRecordSchema });

export function registerResourceRoutes(app: App, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/resources",
      tags,
      security,
      summary: "Create a resource (something a subscription claims units of, such as seats)",
      request: { body: jsonBody(CreateResourceBody) },
      responses: {
        200: jsonResponse(ResourceResponse, "The created resource"),
        ...errorResponses("NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { resource } = c.req.valid("json");
      const row = await deps.db.transaction((tx) => createResource(tx, merchant, resource, deps.now()));
      return c.json({ resource: serializeResource(row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/resources",
      tags,
      security,
      summary:
        "Every resource of a pricing model, oldest first, as `{resources}` (not the list envelope, as Flowglad returns it)",
      request: { query: ResourceListQuery },
      responses: {
        200: jsonResponse(
          z.object({ resources: z.array(ResourceRecordSchema) }).openapi("ResourceList"),
          "The pricing model's resources",
        ),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const rows = await listResourcesOfPricingModel(
        deps.db,
        c.get("merchant"),
        c.req.valid("query").pricingModelId,
      );
      return c.json({ resources: rows.map(serializeResource) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/resources/{id}",
      tags,
      security,
      summary: "A resource",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(ResourceResponse, "The resource"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const row = await requireResource(deps.db, c.get("merchant"), c.req.valid("param").id);
      return c.json({ resource: serializeResource(row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/resources/{id}",
      tags,
      security,
      summary: "Rename, re-slug or (de)activate a resource",
      request: { params: IdParam, body: jsonBody(UpdateResourceBody) },
      responses: {
        200: jsonResponse(ResourceResponse, "The updated resource"),
        ...errorResponses("NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { id } = c.req.valid("param");
      const { resource } = c.req.valid("json");
      const row = await deps.db.transaction((tx) => updateResource(tx, merchant, id, resource, deps.now()));
      return c.json({ resource: serializeResource(row) }, 200);
    },
  );
}
