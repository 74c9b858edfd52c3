import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { listTenantPage } from "../db/list.js";
import { prices } from "../db/schema/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { ListQuery } from "../lib/pagination.js";
import { listEnvelope } from "../lib/wire.js";
import { createPrice } from "./create-price.js";
import { createPriceExamples } from "./examples.js";
import { requirePrice } from "./queries.js";
import { CreatePriceBody, IdParam, PriceRecordSchema, UpdatePriceBody } from "./schemas.js";
import { type PriceRow, serializePrice } from "./serialize.js";
import { updatePrice } from "./update-price.js";

const tags = ["Prices"];
const security = [{ secretKey: [] }];
const PriceResponse = z.object({ price: PriceRecordSchema });

export function registerPriceRoutes(app: App, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/prices",
      tags,
      security,
      summary: "Create a price for a product (usage prices may have no product)",
      request: { body: jsonBody(CreatePriceBody, undefined, createPriceExamples) },
      responses: {
        200: jsonResponse(PriceResponse, "The created price"),
        ...errorResponses("NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { price } = c.req.valid("json");
      const row = await deps.db.transaction((tx) => createPrice(tx, merchant, price, deps.now()));
      return c.json({ price: serializePrice(row, deps.config.publicUrl) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/prices",
      tags,
      security,
      summary: "List prices, newest first",
      request: { query: ListQuery },
      responses: {
        200: jsonResponse(listEnvelope(PriceRecordSchema, "PriceList"), "A page of prices"),
        ...errorResponses(),
      },
    }),
    async (c) => {
      const page = await listTenantPage(
        deps.db,
        prices,
        c.get("merchant"),
        c.req.valid("query"),
        (row: PriceRow) => serializePrice(row, deps.config.publicUrl),
      );
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/prices/{id}",
      tags,
      security,
      summary: "A price",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(PriceResponse, "The price"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const row = await requirePrice(deps.db, c.get("merchant"), c.req.valid("param").id);
      return c.json({ price: serializePrice(row, deps.config.publicUrl) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/prices/{id}",
      tags,
      security,
      summary:
        "Rename, re-slug, (de)activate a price or make it its product's default; charging terms are frozen",
      request: { params: IdParam, body: jsonBody(UpdatePriceBody) },
      responses: {
        200: jsonResponse(PriceResponse, "The updated price"),
        ...errorResponses("NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { id } = c.req.valid("param");
      const { price } = c.req.valid("json");
      const row = await deps.db.transaction((tx) => updatePrice(tx, merchant, id, price, deps.now()));
      return c.json({ price: serializePrice(row, deps.config.publicUrl) }, 200);
    },
  );
}
