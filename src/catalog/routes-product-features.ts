import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { AppDeps } from "../context/index.js";
import { listTenantPage } from "../db/list.js";
import { productFeatures } from "../db/schema/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { listEnvelope } from "../lib/wire.js";
import { attachProductFeature, expireProductFeature, requireProductFeature } from "./product-features.js";
import { IdParam } from "./schemas.js";
import {
  CreateProductFeatureBody,
  ProductFeatureListQuery,
  ProductFeatureRecordSchema,
} from "./schemas-entitlements.js";
import { serializeProductFeature } from "./serialize-entitlements.js";

const tags = ["Product features"];
const security = [{ secretKey: [] }];
const ProductFeatureResponse = z.object({ productFeature: ProductFeatureRecordSchema });

export function registerProductFeatureRoutes(app: App, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/product-features",
      tags,
      security,
      summary:
        "Attach a feature to a product (same pricing model); a pair already attached returns that attachment",
      request: { body: jsonBody(CreateProductFeatureBody) },
      responses: {
        200: jsonResponse(ProductFeatureResponse, "The live attachment"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { productFeature } = c.req.valid("json");
      const row = await deps.db.transaction((tx) =>
        attachProductFeature(tx, merchant, productFeature, deps.now()),
      );
      return c.json({ productFeature: serializeProductFeature(row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/product-features",
      tags,
      security,
      summary: "List product features (expired ones too), newest first; `productId` narrows to one product",
      request: { query: ProductFeatureListQuery },
      responses: {
        200: jsonResponse(
          listEnvelope(ProductFeatureRecordSchema, "ProductFeatureList"),
          "A page of product features",
        ),
        ...errorResponses(),
      },
    }),
    async (c) => {
      const { productId, ...query } = c.req.valid("query");
      const page = await listTenantPage(
        deps.db,
        productFeatures,
        c.get("merchant"),
        query,
        serializeProductFeature,
        productId === undefined ? undefined : eq(productFeatures.productId, productId),
      );
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/product-features/{id}",
      tags,
      security,
      summary: "A product feature",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(ProductFeatureResponse, "The product feature"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const row = await requireProductFeature(deps.db, c.get("merchant"), c.req.valid("param").id);
      return c.json({ productFeature: serializeProductFeature(row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/product-features/{id}/expire",
      tags,
      security,
      summary:
        "Detach a feature from its product from now on (subscriptions lose what it granted); expiring again changes nothing",
      request: { params: IdParam, body: { ...jsonBody(z.object({})), required: false } },
      responses: {
        200: jsonResponse(ProductFeatureResponse, "The expired product feature"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { id } = c.req.valid("param");
      const row = await deps.db.transaction((tx) => expireProductFeature(tx, merchant, id, deps.now()));
      return c.json({ productFeature: serializeProductFeature(row) }, 200);
    },
  );
}
