import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { claimResources } from "./claim-resources.js";
import { getResourceUsage, listResourceClaims, listResourceUsages } from "./read-claims.js";
import { releaseResources } from "./release-claims.js";
import {
  ClaimResourceBody,
  ReleaseResourceBody,
  ReleaseResourceResponse,
  ResourceClaimList,
  ResourceClaimsQuery,
  ResourceUsageQuery,
  ResourceUsagesQuery,
  ResourceUsageWithClaims,
  SubscriptionIdParams,
} from "./schemas.js";

const tags = ["Resource claims"];
const security = [{ secretKey: [] }];
const base = "/api/v1/resource-claims/{subscriptionId}";

const claimRoute = createRoute({
  method: "post",
  path: `${base}/claim`,
  tags,
  security,
  summary: "Claim a resource from the subscription's capacity",
  description:
    "Exactly one of quantity (anonymous claims), externalId or externalIds (named claims; an id already claimed returns its claim). Refused whole (422) when the active claims would exceed the capacity of the resource grants in force, or when the subscription is not current.",
  request: { params: SubscriptionIdParams, body: jsonBody(ClaimResourceBody) },
  responses: {
    200: jsonResponse(ResourceUsageWithClaims, "The claims asked for and the resource's usage after"),
    ...errorResponses("NOT_FOUND", "UNPROCESSABLE_CONTENT"),
  },
});

const releaseRoute = createRoute({
  method: "post",
  path: `${base}/release`,
  tags,
  security,
  summary: "Release claims of a resource",
  description:
    "Exactly one of quantity (anonymous claims, oldest first), externalId, externalIds or claimIds. Naming more than is actively claimed is refused whole (422).",
  request: { params: SubscriptionIdParams, body: jsonBody(ReleaseResourceBody) },
  responses: {
    200: jsonResponse(ReleaseResourceResponse, "The released claims and the resource's usage after"),
    ...errorResponses("NOT_FOUND", "UNPROCESSABLE_CONTENT"),
  },
});

const usageRoute = createRoute({
  method: "get",
  path: `${base}/usage`,
  tags,
  security,
  summary: "A resource's capacity, claims and availability (exactly one of resourceSlug or resourceId)",
  request: { params: SubscriptionIdParams, query: ResourceUsageQuery },
  responses: {
    200: jsonResponse(ResourceUsageWithClaims, "The resource's active claims and usage"),
    ...errorResponses("NOT_FOUND"),
  },
});

const usagesRoute = createRoute({
  method: "get",
  path: `${base}/usages`,
  tags,
  security,
  summary: "Usage of the named resources, or of every resource the subscription has capacity of or claims on",
  request: { params: SubscriptionIdParams, query: ResourceUsagesQuery },
  responses: {
    200: jsonResponse(z.array(ResourceUsageWithClaims), "One entry per resource (a bare array)"),
    ...errorResponses("NOT_FOUND"),
  },
});

const claimsRoute = createRoute({
  method: "get",
  path: `${base}/claims`,
  tags,
  security,
  summary: "The subscription's active claims, of one resource when resourceSlug is given",
  request: { params: SubscriptionIdParams, query: ResourceClaimsQuery },
  responses: {
    200: jsonResponse(ResourceClaimList, "Active claims, oldest first"),
    ...errorResponses("NOT_FOUND"),
  },
});

export function registerClaimRoutes(app: App, deps: AppDeps): void {
  app.openapi(claimRoute, async (c) => {
    const { subscriptionId } = c.req.valid("param");
    return c.json(await claimResources(deps, c.get("merchant"), subscriptionId, c.req.valid("json")), 200);
  });

  app.openapi(releaseRoute, async (c) => {
    const { subscriptionId } = c.req.valid("param");
    return c.json(await releaseResources(deps, c.get("merchant"), subscriptionId, c.req.valid("json")), 200);
  });

  app.openapi(usageRoute, async (c) => {
    const { subscriptionId } = c.req.valid("param");
    return c.json(await getResourceUsage(deps, c.get("merchant"), subscriptionId, c.req.valid("query")), 200);
  });

  app.openapi(usagesRoute, async (c) => {
    const { subscriptionId } = c.req.valid("param");
    const usages = await listResourceUsages(deps, c.get("merchant"), subscriptionId, c.req.valid("query"));
    return c.json(usages, 200);
  });

  app.openapi(claimsRoute, async (c) => {
    const { subscriptionId } = c.req.valid("param");
    const { resourceSlug } = c.req.valid("query");
    const claims = await listResourceClaims(deps, c.get("merchant"), subscriptionId, resourceSlug);
    return c.json({ claims }, 200);
  });
}
