import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { listTenantPage } from "../db/list.js";
import { discounts } from "../db/schema/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { ListQuery } from "../lib/pagination.js";
import { listEnvelope, PathId } from "../lib/wire.js";
import { createDiscount } from "./create-discount.js";
import { countRedemptions, requireDiscount } from "./queries.js";
import {
  CreateDiscountBody,
  DiscountRecordSchema,
  DiscountWithRedemptionsSchema,
  UpdateDiscountBody,
} from "./schemas.js";
import { serializeDiscount, serializeDiscountWithRedemptions } from "./serialize.js";
import { updateDiscount } from "./update-discount.js";

const tags = ["Discounts"];
const security = [{ secretKey: [] }];
const DiscountResponse = z.object({ discount: DiscountRecordSchema });

export function registerDiscountRoutes(app: App, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/discounts",
      tags,
      security,
      summary: "Create a discount code in a pricing model (the default one unless named)",
      request: { body: jsonBody(CreateDiscountBody) },
      responses: {
        200: jsonResponse(DiscountResponse, "The created discount"),
        ...errorResponses("NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const { discount } = c.req.valid("json");
      const row = await deps.db.transaction((tx) =>
        createDiscount(tx, c.get("merchant"), discount, deps.now()),
      );
      return c.json({ discount: serializeDiscount(row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/discounts",
      tags,
      security,
      summary: "List discounts, newest first, each with its redemption count",
      request: { query: ListQuery },
      responses: {
        200: jsonResponse(listEnvelope(DiscountWithRedemptionsSchema, "DiscountList"), "A page of discounts"),
        ...errorResponses(),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const page = await listTenantPage(deps.db, discounts, merchant, c.req.valid("query"), (row) => row);
      const counts = await countRedemptions(
        deps.db,
        merchant,
        page.data.map((row) => row.id),
      );
      const data = page.data.map((row) => serializeDiscountWithRedemptions(row, counts.get(row.id) ?? 0));
      return c.json({ ...page, data }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/discounts/{id}",
      tags,
      security,
      summary: "A discount, with how many checkouts redeemed it",
      request: { params: PathId },
      responses: {
        200: jsonResponse(z.object({ discount: DiscountWithRedemptionsSchema }), "The discount"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const row = await requireDiscount(deps.db, merchant, c.req.valid("param").id);
      const counts = await countRedemptions(deps.db, merchant, [row.id]);
      return c.json({ discount: serializeDiscountWithRedemptions(row, counts.get(row.id) ?? 0) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/discounts/{id}",
      tags,
      security,
      summary: "Change a discount for future checkouts; existing redemptions keep their terms",
      request: { params: PathId, body: jsonBody(UpdateDiscountBody) },
      responses: {
        200: jsonResponse(DiscountResponse, "The updated discount"),
        ...errorResponses("NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { discount } = c.req.valid("json");
      const row = await deps.db.transaction((tx) =>
        updateDiscount(tx, c.get("merchant"), id, discount, deps.now()),
      );
      return c.json({ discount: serializeDiscount(row) }, 200);
    },
  );
}
