import { createRoute, z } from "@hono/zod-openapi";
import { getPricingModelDetails, PricingModelDetailsSchema } from "../catalog/index.js";
import type { AppDeps } from "../context/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { PathId } from "../lib/wire.js";
import { exportPricingModel } from "./export-file.js";
import { importPricingModel } from "./import-file.js";
import { PricingModelFile } from "./schemas.js";

const tags = ["Pricing models"];
const security = [{ secretKey: [] }];

export function registerPricingModelFileRoutes(app: App, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/pricing-models/{id}/export",
      tags,
      security,
      summary: "A pricing model as a file (Flowglad's setup format, by slug) to import elsewhere",
      request: { params: PathId },
      responses: {
        200: jsonResponse(z.object({ pricingModel: PricingModelFile }), "The pricing model file"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const file = await exportPricingModel(deps.db, c.get("merchant"), c.req.valid("param").id);
      return c.json({ pricingModel: file }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/pricing-models/setup",
      tags,
      security,
      summary:
        "Create a whole pricing model from a file: features, products, prices, meters, resources, discounts",
      request: { body: jsonBody(PricingModelFile) },
      responses: {
        200: jsonResponse(z.object({ pricingModel: PricingModelDetailsSchema }), "The pricing model created"),
        ...errorResponses("NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const file = c.req.valid("json");
      const created = await deps.db.transaction((tx) => importPricingModel(tx, merchant, file, deps.now()));
      const pricingModel = await getPricingModelDetails(deps.db, merchant, created.id, {
        publicUrl: deps.config.publicUrl,
      });
      return c.json({ pricingModel }, 200);
    },
  );
}
