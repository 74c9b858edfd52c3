import { listResourcesByIds, type ResourceRow } from "../catalog/index.js";
import type { AppDeps, Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { badRequest } from "../lib/errors.js";
import {
  capacityOf,
  listActiveClaims,
  requireResource,
  requireSubscription,
  resourceGrantsInForce,
  resourceUsage,
  usageOf,
} from "./claim-queries.js";
import type { ResourceClaimRecord, ResourceUsageWithClaims } from "./schemas.js";
import { type ResourceClaimRow, serializeResourceClaim } from "./serialize.js";

/** Reads several statements as one snapshot, so a claim landing mid-read cannot show half. */
function snapshot<T>(deps: AppDeps, read: (tx: Executor) => Promise<T>): Promise<T> {
  return deps.db.transaction(read, { isolationLevel: "repeatable read", accessMode: "read only" });
}

/** GET /resource-claims/{subscriptionId}/usage: exactly one of resourceSlug or resourceId. */
export function getResourceUsage(
  deps: AppDeps,
  merchant: Merchant,
  subscriptionId: string,
  query: { resourceSlug?: string | undefined; resourceId?: string | undefined },
): Promise<ResourceUsageWithClaims> {
  const now = deps.now();
  return snapshot(deps, async (tx) => {
    // The subscription first: another tenant's is "not found" whatever else the query says.
    const subscription = await requireSubscription(tx, merchant, subscriptionId);
    if ((query.resourceSlug === undefined) === (query.resourceId === undefined)) {
      throw badRequest("Provide exactly one of resourceSlug or resourceId", [
        { path: ["resourceSlug"], message: "Provide exactly one of resourceSlug or resourceId" },
      ]);
    }
    const resource = await requireResource(
      tx,
      merchant,
      subscription,
      query.resourceSlug !== undefined ? { slug: query.resourceSlug } : { id: query.resourceId ?? "" },
    );
    return resourceUsage(tx, merchant, subscription, resource, now);
  });
}

const commaList = (value: string | undefined): string[] => [
  ...new Set(
    (value ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  ),
];

/**
 * GET /resource-claims/{subscriptionId}/usages: the named resources (slugs and ids, comma lists), or else
 * every resource the subscription has capacity of or claims on, in the catalog's order.
 */
export function listResourceUsages(
  deps: AppDeps,
  merchant: Merchant,
  subscriptionId: string,
  query: { resourceSlugs?: string | undefined; resourceIds?: string | undefined },
): Promise<ResourceUsageWithClaims[]> {
  const now = deps.now();
  return snapshot(deps, async (tx) => {
    const subscription = await requireSubscription(tx, merchant, subscriptionId);
    const [grants, claims] = await Promise.all([
      resourceGrantsInForce(tx, merchant, subscription.id, now),
      listActiveClaims(tx, merchant, subscription.id),
    ]);
    const slugs = commaList(query.resourceSlugs);
    const ids = commaList(query.resourceIds);
    let resources: ResourceRow[];
    if (slugs.length > 0 || ids.length > 0) {
      resources = [];
      for (const slug of slugs) resources.push(await requireResource(tx, merchant, subscription, { slug }));
      for (const id of ids) resources.push(await requireResource(tx, merchant, subscription, { id }));
    } else {
      const held = new Set([...grants.map((g) => g.resourceId ?? ""), ...claims.map((c) => c.resourceId)]);
      resources = await listResourcesByIds(tx, merchant, [...held]);
    }
    const unique = [...new Map(resources.map((r) => [r.id, r])).values()].sort(
      (a, b) => a.position - b.position,
    );
    return unique.map((resource) => {
      const active = claims.filter((c) => c.resourceId === resource.id);
      return {
        claims: active.map(serializeResourceClaim),
        usage: usageOf(resource, capacityOf(grants, resource.id), active.length),
      };
    });
  });
}

/** GET /resource-claims/{subscriptionId}/claims: the active claims, of one resource when a slug is given. */
export function listResourceClaims(
  deps: AppDeps,
  merchant: Merchant,
  subscriptionId: string,
  resourceSlug: string | undefined,
): Promise<ResourceClaimRecord[]> {
  return snapshot(deps, async (tx) => {
    const subscription = await requireSubscription(tx, merchant, subscriptionId);
    const resource =
      resourceSlug === undefined
        ? undefined
        : await requireResource(tx, merchant, subscription, { slug: resourceSlug });
    const claims: ResourceClaimRow[] = await listActiveClaims(tx, merchant, subscription.id, resource?.id);
    return claims.map(serializeResourceClaim);
  });
}
