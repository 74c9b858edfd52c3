import { createRoute } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { ExternalIdParam } from "../customers/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { toEpochMs } from "../lib/wire.js";
import { createPortalLinkFor } from "./create-link.js";
import { BillingPortalSessionResponse, CreateBillingPortalSessionBody } from "./schemas.js";

export function registerPortalApiRoutes(app: App, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/customers/{externalId}/billing-portal-sessions",
      tags: ["Customers"],
      security: [{ secretKey: [] }],
      summary: "A one-time, short-lived link that signs the customer in to their billing portal",
      request: { params: ExternalIdParam, body: jsonBody(CreateBillingPortalSessionBody) },
      responses: {
        200: jsonResponse(BillingPortalSessionResponse, "The link to send the customer to"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const { externalId } = c.req.valid("param");
      const { link, url } = await createPortalLinkFor(
        deps,
        c.get("merchant"),
        externalId,
        c.req.valid("json"),
      );
      return c.json(
        {
          billingPortalSession: {
            id: link.id,
            url,
            customerId: link.customerId,
            returnUrl: link.returnUrl,
            expiresAt: toEpochMs(link.expiresAt),
            livemode: link.livemode,
            createdAt: toEpochMs(link.createdAt),
          },
        },
        200,
      );
    },
  );
}
