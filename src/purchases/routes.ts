import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { listTenantPage } from "../db/list.js";
import { purchases } from "../db/schema/index.js";
import { errorResponses, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { notFound } from "../lib/errors.js";
import { ListQuery } from "../lib/pagination.js";
import { listEnvelope } from "../lib/wire.js";
import { getPurchase } from "./purchases.js";
import { PurchaseRecord } from "./schemas.js";
import { serializePurchase } from "./serialize.js";

const PurchaseList = listEnvelope(PurchaseRecord, "PurchaseList");

const listPurchasesRoute = createRoute({
  method: "get",
  path: "/api/v1/purchases",
  tags: ["Purchases"],
  security: [{ secretKey: [] }],
  summary: "List purchases",
  request: { query: ListQuery },
  responses: { 200: jsonResponse(PurchaseList, "A page of purchases"), ...errorResponses() },
});

const getPurchaseRoute = createRoute({
  method: "get",
  path: "/api/v1/purchases/{id}",
  tags: ["Purchases"],
  security: [{ secretKey: [] }],
  summary: "Retrieve a purchase",
  request: { params: z.object({ id: z.string().min(1).max(200) }) },
  responses: {
    200: jsonResponse(z.object({ purchase: PurchaseRecord }), "The purchase"),
    ...errorResponses("NOT_FOUND"),
  },
});

export function registerPurchaseRoutes(app: App, deps: AppDeps): void {
  app.openapi(listPurchasesRoute, async (c) => {
    const page = await listTenantPage(
      deps.db,
      purchases,
      c.get("merchant"),
      c.req.valid("query"),
      serializePurchase,
    );
    return c.json(page, 200);
  });

  app.openapi(getPurchaseRoute, async (c) => {
    const { id } = c.req.valid("param");
    const row = await getPurchase(deps.db, c.get("merchant"), id);
    if (!row) throw notFound("Purchase", id);
    return c.json({ purchase: serializePurchase(row) }, 200);
  });
}
