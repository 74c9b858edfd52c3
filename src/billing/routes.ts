import { createRoute } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { ExternalIdParam } from "../customers/index.js";
import { errorResponses, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { createPortalLinkFor } from "../portal/index.js";
import { getCustomerBilling } from "./billing.js";
import { CustomerBillingSchema } from "./schemas.js";

const tags = ["Customers"];
const security = [{ secretKey: [] }];

export function registerBillingRoutes(app: App, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/customers/{externalId}/billing",
      tags,
      security,
      summary: "The customer's catalog, subscriptions, purchases, invoices and payment methods",
      request: { params: ExternalIdParam },
      responses: {
        200: jsonResponse(CustomerBillingSchema, "The customer's billing state"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { externalId } = c.req.valid("param");
      // The link is written first and on its own: the snapshot below is read-only. An unknown customer
      // is a 404 here already.
      const portal = await createPortalLinkFor(deps, merchant, externalId, {});
      // One snapshot, so a payment landing mid-request cannot show a purchase without its invoice.
      const billing = await deps.db.transaction(
        (tx) => getCustomerBilling(tx, merchant, externalId, deps.config.publicUrl, deps.now(), portal.url),
        { isolationLevel: "repeatable read", accessMode: "read only" },
      );
      return c.json(billing, 200);
    },
  );
}
