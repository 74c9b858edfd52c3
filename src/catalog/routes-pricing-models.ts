import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { listTenantPage } from "../db/list.js";
import { pricingModels } from "../db/schema/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { ListQuery } from "../lib/pagination.js";
import { listEnvelope } from "../lib/wire.js";
import { clonePricingModel } from "./clone-pricing-model.js";
import { getPricingModelDetails } from "./details.js";
import { createPricingModel, ensureDefaultPricingModel, updatePricingModel } from "./pricing-models.js";
import {
  ClonePricingModelBody,
  CreatePricingModelBody,
  IdParam,
  PricingModelRecordSchema,
  UpdatePricingModelBody,
} from "./schemas.js";
import { PricingModelDetailsSchema } from "./schemas-entitlements.js";
import { serializePricingModel } from "./serialize.js";

const tags = ["Pricing models"];
const security = [{ secretKey: [] }];
const PricingModelResponse = z.object({ pricingModel: PricingModelRecordSchema });
const PricingModelDetailsResponse = z.object({ pricingModel: PricingModelDetailsSchema });

export function registerPricingModelRoutes(app: App, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/pricing-models",
      tags,
      security,
      summary: "Create a pricing model (isDefault: true makes it the only default)",
      request: { body: jsonBody(CreatePricingModelBody) },
      responses: {
        200: jsonResponse(PricingModelResponse, "The created pricing model"),
        ...errorResponses("CONFLICT"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { pricingModel } = c.req.valid("json");
      const row = await deps.db.transaction((tx) =>
        createPricingModel(tx, merchant, pricingModel, deps.now()),
      );
      return c.json({ pricingModel: serializePricingModel(row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/pricing-models",
      tags,
      security,
      summary: "List pricing models, newest first",
      request: { query: ListQuery },
      responses: {
        200: jsonResponse(
          listEnvelope(PricingModelRecordSchema, "PricingModelList"),
          "A page of pricing models",
        ),
        ...errorResponses(),
      },
    }),
    async (c) => {
      const page = await listTenantPage(
        deps.db,
        pricingModels,
        c.get("merchant"),
        c.req.valid("query"),
        serializePricingModel,
      );
      return c.json(page, 200);
    },
  );

  // Registered before /{id} so "default" is never taken for an id.
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/pricing-models/default",
      tags,
      security,
      summary: "The default pricing model with its products and prices (created if missing)",
      responses: {
        200: jsonResponse(PricingModelDetailsResponse, "The default pricing model's details"),
        ...errorResponses(),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const details = await deps.db.transaction(async (tx) => {
        const pricingModel = await ensureDefaultPricingModel(tx, merchant, deps.now());
        return getPricingModelDetails(tx, merchant, pricingModel.id, { publicUrl: deps.config.publicUrl });
      });
      return c.json({ pricingModel: details }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/pricing-models/{id}",
      tags,
      security,
      summary: "A pricing model with its products and prices",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(PricingModelDetailsResponse, "The pricing model's details"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const details = await getPricingModelDetails(deps.db, c.get("merchant"), c.req.valid("param").id, {
        publicUrl: deps.config.publicUrl,
      });
      return c.json({ pricingModel: details }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/pricing-models/{id}",
      tags,
      security,
      summary: "Rename a pricing model or make it the default",
      request: { params: IdParam, body: jsonBody(UpdatePricingModelBody) },
      responses: {
        200: jsonResponse(PricingModelResponse, "The updated pricing model"),
        ...errorResponses("NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { id } = c.req.valid("param");
      const { pricingModel } = c.req.valid("json");
      const row = await deps.db.transaction((tx) =>
        updatePricingModel(tx, merchant, id, pricingModel, deps.now()),
      );
      return c.json({ pricingModel: serializePricingModel(row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/pricing-models/{id}/clone",
      tags,
      security,
      summary:
        "Copy a pricing model with all its products, prices, usage meters, resources and features (new ids, same slugs and terms) into this mode, or with a live key into test mode (a test key never writes live data: 403); the copy is never the default",
      request: { params: IdParam, body: jsonBody(ClonePricingModelBody) },
      responses: {
        200: jsonResponse(PricingModelDetailsResponse, "The new pricing model's details"),
        ...errorResponses("NOT_FOUND", "FORBIDDEN"),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const details = await deps.db.transaction(async (tx) => {
        const { pricingModel, destination } = await clonePricingModel(
          tx,
          c.get("merchant"),
          id,
          c.req.valid("json"),
          deps.now(),
        );
        return getPricingModelDetails(tx, destination, pricingModel.id, { publicUrl: deps.config.publicUrl });
      });
      return c.json({ pricingModel: details }, 200);
    },
  );
}
