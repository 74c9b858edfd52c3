import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { listTenantPage } from "../db/list.js";
import { features } from "../db/schema/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { ListQuery } from "../lib/pagination.js";
import { listEnvelope } from "../lib/wire.js";
import { createFeature, requireFeature, updateFeature } from "./features.js";
import { IdParam } from "./schemas.js";
import { CreateFeatureBody, FeatureRecordSchema, UpdateFeatureBody } from "./schemas-entitlements.js";
import { serializeFeature } from "./serialize-entitlements.js";

const tags = ["Features"];
const security = [{ secretKey: [] }];
const FeatureResponse = z.object({ feature: FeatureRecordSchema });

export function registerFeatureRoutes(app: App, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/features",
      tags,
      security,
      summary: "Create a feature: a toggle, a usage credit grant or a resource allowance",
      request: { body: jsonBody(CreateFeatureBody) },
      responses: {
        200: jsonResponse(FeatureResponse, "The created feature"),
        ...errorResponses("NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { feature } = c.req.valid("json");
      const row = await deps.db.transaction((tx) => createFeature(tx, merchant, feature, deps.now()));
      return c.json({ feature: serializeFeature(row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/features",
      tags,
      security,
      summary: "List features, newest first",
      request: { query: ListQuery },
      responses: {
        200: jsonResponse(listEnvelope(FeatureRecordSchema, "FeatureList"), "A page of features"),
        ...errorResponses(),
      },
    }),
    async (c) => {
      const page = await listTenantPage(
        deps.db,
        features,
        c.get("merchant"),
        c.req.valid("query"),
        serializeFeature,
      );
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/features/{id}",
      tags,
      security,
      summary: "A feature",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(FeatureResponse, "The feature"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const row = await requireFeature(deps.db, c.get("merchant"), c.req.valid("param").id);
      return c.json({ feature: serializeFeature(row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/features/{id}",
      tags,
      security,
      summary:
        "Rename, re-slug, describe, (de)activate a feature or change its amount; what it is and what it credits are fixed",
      request: { params: IdParam, body: jsonBody(UpdateFeatureBody) },
      responses: {
        200: jsonResponse(FeatureResponse, "The updated feature"),
        ...errorResponses("NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { id } = c.req.valid("param");
      const { feature } = c.req.valid("json");
      const row = await deps.db.transaction((tx) => updateFeature(tx, merchant, id, feature, deps.now()));
      return c.json({ feature: serializeFeature(row) }, 200);
    },
  );
}
