import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { ExternalIdParam } from "../customers/index.js";
import { errorResponses, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { UsageMeterBalanceRecord } from "../subscriptions/index.js";
import { getUsageBalances } from "./balances.js";

const tags = ["Customers"];
const security = [{ secretKey: [] }];

const UsageBalancesQuery = z.object({
  subscriptionId: z.string().min(1).max(100).optional().openapi({
    description: "Only this subscription of the customer (default: every current subscription)",
  }),
});
const UsageBalancesResponse = z
  .object({ usageMeterBalances: z.array(UsageMeterBalanceRecord) })
  .openapi("UsageMeterBalances");

export function registerUsageBalanceRoutes(app: App, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/customers/{externalId}/usage-balances",
      tags,
      security,
      summary:
        "The customer's balance on each usage meter of each current subscription (or of the one named)",
      request: { params: ExternalIdParam, query: UsageBalancesQuery },
      responses: {
        200: jsonResponse(UsageBalancesResponse, "One balance per subscription and meter"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { externalId } = c.req.valid("param");
      const { subscriptionId } = c.req.valid("query");
      const now = deps.now();
      // One snapshot: credits, what the ledger says was used and the usage totals agree with each other.
      const usageMeterBalances = await deps.db.transaction(
        (tx) => getUsageBalances(tx, merchant, externalId, subscriptionId, now),
        { isolationLevel: "repeatable read", accessMode: "read only" },
      );
      return c.json({ usageMeterBalances }, 200);
    },
  );
}
