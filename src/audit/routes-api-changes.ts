import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { AppDeps } from "../context/index.js";
import type { AppEnv } from "../http/types.js";
import { recordAudit } from "./record.js";

/**
 * The traffic a store's customers cause through the merchant's server, not changes the merchant makes: a
 * checkout opened per buyer, usage reported per action, seats claimed. Logging each would add a write to the
 * hottest paths and drown the merchant's own changes; the records themselves (sessions, events, claims) are
 * their history.
 */
const CUSTOMER_TRAFFIC = new Set([
  "POST /api/v1/checkout-sessions",
  "POST /api/v1/usage-events",
  "POST /api/v1/usage-events/bulk",
  "POST /api/v1/resource-claims/:subscriptionId/claim",
  "POST /api/v1/resource-claims/:subscriptionId/release",
]);

/**
 * Every other change made with an API key joins the audit log: who (the key), what (method and route), which
 * object (the path's id), when. Written after the change answered 2xx; reads are not recorded.
 */
export function auditApiChanges(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (c.req.method === "GET" || c.res.status >= 300) return;
    const merchant = c.get("merchant");
    if (!merchant) return;
    const route = routePath(c, -1);
    if (CUSTOMER_TRAFFIC.has(`${c.req.method} ${route}`)) return;
    const params = c.req.param() as Record<string, string | undefined>;
    await recordAudit(
      deps.db,
      merchant,
      {
        actor: { type: "api_key", id: merchant.apiKeyId, label: `API key ${merchant.apiKeyId}` },
        action: `${c.req.method} ${route}`,
        objectId: params.id ?? params.externalId ?? params.subscriptionId,
      },
      deps.now(),
    );
  };
}
