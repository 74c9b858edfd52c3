import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { createManualGrant } from "./create-grant.js";
import { requireFeatureGrant } from "./queries.js";
import {
  CreateSubscriptionItemFeatureBody,
  IdParams,
  SubscriptionItemFeatureEnvelope,
  UpdateSubscriptionItemFeatureBody,
} from "./schemas.js";
import { serializeFeatureGrant } from "./serialize.js";
import { expireGrant, updateGrant } from "./update-grant.js";

const tags = ["Subscription item features"];
const security = [{ secretKey: [] }];
const envelope = jsonResponse(SubscriptionItemFeatureEnvelope, "The subscription item feature");

const createGrantRoute = createRoute({
  method: "post",
  path: "/api/v1/subscription-item-features",
  tags,
  security,
  summary: "Grant a feature to a subscription item by hand",
  description:
    "The feature must be active and of the subscription's pricing model, the item still in force. The grant is manuallyCreated and lasts as long as the item unless expired.",
  request: { body: jsonBody(CreateSubscriptionItemFeatureBody) },
  responses: {
    200: envelope,
    ...errorResponses("NOT_FOUND", "UNPROCESSABLE_CONTENT"),
  },
});

const getGrantRoute = createRoute({
  method: "get",
  path: "/api/v1/subscription-item-features/{id}",
  tags,
  security,
  summary: "Retrieve a subscription item feature (a product feature's grant or one made by hand)",
  request: { params: IdParams },
  responses: { 200: envelope, ...errorResponses("NOT_FOUND") },
});

const updateGrantRoute = createRoute({
  method: "put",
  path: "/api/v1/subscription-item-features/{id}",
  tags,
  security,
  summary: "Change a grant's amount or expiry",
  description:
    "amount (not for toggles) replaces the granted credits or capacity; expiredAt (epoch ms, not in the past) schedules the end, null takes it back. A grant that has ended cannot change.",
  request: { params: IdParams, body: jsonBody(UpdateSubscriptionItemFeatureBody) },
  responses: {
    200: envelope,
    ...errorResponses("NOT_FOUND", "UNPROCESSABLE_CONTENT"),
  },
});

const expireGrantRoute = createRoute({
  method: "post",
  path: "/api/v1/subscription-item-features/{id}/expire",
  tags,
  security,
  summary: "End a grant now (an expired grant is returned unchanged)",
  request: { params: IdParams, body: { ...jsonBody(z.object({})), required: false } },
  responses: { 200: envelope, ...errorResponses("NOT_FOUND") },
});

export function registerGrantRoutes(app: App, deps: AppDeps): void {
  app.openapi(createGrantRoute, async (c) => {
    const { subscriptionItemFeature } = c.req.valid("json");
    const grant = await createManualGrant(deps, c.get("merchant"), subscriptionItemFeature);
    return c.json({ subscriptionItemFeature: serializeFeatureGrant(grant) }, 200);
  });

  app.openapi(getGrantRoute, async (c) => {
    const grant = await requireFeatureGrant(deps.db, c.get("merchant"), c.req.valid("param").id);
    return c.json({ subscriptionItemFeature: serializeFeatureGrant(grant) }, 200);
  });

  app.openapi(updateGrantRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { subscriptionItemFeature } = c.req.valid("json");
    const grant = await updateGrant(deps, c.get("merchant"), id, subscriptionItemFeature);
    return c.json({ subscriptionItemFeature: serializeFeatureGrant(grant) }, 200);
  });

  app.openapi(expireGrantRoute, async (c) => {
    const grant = await expireGrant(deps, c.get("merchant"), c.req.valid("param").id);
    return c.json({ subscriptionItemFeature: serializeFeatureGrant(grant) }, 200);
  });
}
