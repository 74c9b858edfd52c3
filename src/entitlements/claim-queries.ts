import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { findResourceBySlug, getResource, type ResourceRow } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { resourceClaims } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { notFound } from "../lib/errors.js";
import { sumAmounts } from "../lib/money.js";
import { getSubscription, type SubscriptionRow } from "../subscriptions/index.js";
import { type FeatureGrant, grantInForce, listFeatureGrants } from "./grants.js";
import type { ResourceUsageRecord, ResourceUsageWithClaims } from "./schemas.js";
import { type ResourceClaimRow, serializeResourceClaim } from "./serialize.js";

export async function requireSubscription(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<SubscriptionRow> {
  const subscription = await getSubscription(db, merchant, id);
  if (!subscription) throw notFound("Subscription", id);
  return subscription;
}

/** A resource of the subscription's pricing model, by slug or id; any other is "not found". */
export async function requireResource(
  db: Executor,
  merchant: Merchant,
  subscription: SubscriptionRow,
  by: { slug: string } | { id: string },
): Promise<ResourceRow> {
  if ("slug" in by) {
    const found = await findResourceBySlug(db, merchant, subscription.pricingModelId, by.slug);
    if (!found) throw notFound("Resource", by.slug);
    return found;
  }
  const found = await getResource(db, merchant, by.id);
  if (!found || found.pricingModelId !== subscription.pricingModelId) throw notFound("Resource", by.id);
  return found;
}

/** The subscription's resource grants in force at `now`, in grant order. */
export async function resourceGrantsInForce(
  db: Executor,
  merchant: Merchant,
  subscriptionId: string,
  now: Date,
): Promise<FeatureGrant[]> {
  return (await listFeatureGrants(db, merchant, [subscriptionId])).filter(
    (grant) => grant.type === "resource" && grantInForce(grant, now),
  );
}

/** The active claims of the subscription (on one resource, or all), oldest first. */
export async function listActiveClaims(
  db: Executor,
  merchant: Merchant,
  subscriptionId: string,
  resourceId?: string,
): Promise<ResourceClaimRow[]> {
  return db
    .select()
    .from(resourceClaims)
    .where(
      and(
        ownedBy(resourceClaims, merchant),
        eq(resourceClaims.subscriptionId, subscriptionId),
        resourceId === undefined ? undefined : eq(resourceClaims.resourceId, resourceId),
        isNull(resourceClaims.releasedAt),
      ),
    )
    .orderBy(asc(resourceClaims.claimedAt), asc(resourceClaims.position));
}

/** What the grants in force give of the resource: the sum of their amounts. */
export function capacityOf(grants: FeatureGrant[], resourceId: string): number {
  return sumAmounts(grants.filter((g) => g.resourceId === resourceId).map((g) => g.amount ?? 0));
}

export function usageOf(resource: ResourceRow, capacity: number, claimed: number): ResourceUsageRecord {
  return {
    resourceId: resource.id,
    resourceSlug: resource.slug,
    capacity,
    claimed,
    available: capacity - claimed,
  };
}

/** The resource's active claims and its usage for the subscription, at `now`. */
export async function resourceUsage(
  db: Executor,
  merchant: Merchant,
  subscription: SubscriptionRow,
  resource: ResourceRow,
  now: Date,
): Promise<ResourceUsageWithClaims> {
  const [grants, claims] = await Promise.all([
    resourceGrantsInForce(db, merchant, subscription.id, now),
    listActiveClaims(db, merchant, subscription.id, resource.id),
  ]);
  return {
    claims: claims.map(serializeResourceClaim),
    usage: usageOf(resource, capacityOf(grants, resource.id), claims.length),
  };
}

/**
 * Claims and releases on one subscription's resource take turns: a transaction-scoped advisory lock on the
 * pair, taken before capacity and claims are read, so concurrent claims can never exceed the capacity. It is
 * narrower than the subscription's row lock (claims on other resources, renewals and cancellations do not
 * wait on it) and needs nothing from another domain. It is released at commit or rollback.
 */
export async function lockResourceClaims(tx: Executor, subscriptionId: string, resourceId: string) {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`resource_claims:${subscriptionId}:${resourceId}`}, 0))`,
  );
}
