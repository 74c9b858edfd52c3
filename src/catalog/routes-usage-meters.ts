import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { listTenantPage } from "../db/list.js";
import { usageMeters } from "../db/schema/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { ListQuery } from "../lib/pagination.js";
import { listEnvelope } from "../lib/wire.js";
import { IdParam } from "./schemas.js";
import {
  CreateUsageMeterBody,
  UpdateUsageMeterBody,
  UsageMeterRecordSchema,
} from "./schemas-entitlements.js";
import { serializeUsageMeter } from "./serialize-entitlements.js";
import { createUsageMeter, requireUsageMeter, updateUsageMeter } from "./usage-meters.js";

const tags = ["Usage meters"];
const security = [{ secretKey: [] }];
const UsageMeterResponse = z.object({ usageMeter: UsageMeterRecordSchema });

export function registerUsageMeterRoutes(app: App, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/usage-meters",
      tags,
      security,
      summary: "Create a usage meter; with `price`, also its default usage price",
      request: { body: jsonBody(CreateUsageMeterBody) },
      responses: {
        200: jsonResponse(UsageMeterResponse, "The created usage meter"),
        ...errorResponses("NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const body = c.req.valid("json");
      const { usageMeter } = await deps.db.transaction((tx) =>
        createUsageMeter(tx, merchant, body.usageMeter, body.price, deps.now()),
      );
      return c.json({ usageMeter: serializeUsageMeter(usageMeter) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/usage-meters",
      tags,
      security,
      summary: "List usage meters, newest first",
      request: { query: ListQuery },
      responses: {
        200: jsonResponse(listEnvelope(UsageMeterRecordSchema, "UsageMeterList"), "A page of usage meters"),
        ...errorResponses(),
      },
    }),
    async (c) => {
      const page = await listTenantPage(
        deps.db,
        usageMeters,
        c.get("merchant"),
        c.req.valid("query"),
        serializeUsageMeter,
      );
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/usage-meters/{id}",
      tags,
      security,
      summary: "A usage meter",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(UsageMeterResponse, "The usage meter"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const row = await requireUsageMeter(deps.db, c.get("merchant"), c.req.valid("param").id);
      return c.json({ usageMeter: serializeUsageMeter(row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/usage-meters/{id}",
      tags,
      security,
      summary: "Rename or re-slug a usage meter; its aggregation type is fixed",
      request: { params: IdParam, body: jsonBody(UpdateUsageMeterBody) },
      responses: {
        200: jsonResponse(UsageMeterResponse, "The updated usage meter"),
        ...errorResponses("NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { id } = c.req.valid("param");
      const { usageMeter } = c.req.valid("json");
      const row = await deps.db.transaction((tx) =>
        updateUsageMeter(tx, merchant, id, usageMeter, deps.now()),
      );
      return c.json({ usageMeter: serializeUsageMeter(row) }, 200);
    },
  );
}
