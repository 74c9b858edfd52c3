import type { AppDeps, Merchant } from "../context/index.js";
import { resourceClaims } from "../db/schema/index.js";
import { unprocessable } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { CURRENT_STATUSES } from "../subscriptions/index.js";
import {
  capacityOf,
  listActiveClaims,
  lockResourceClaims,
  requireResource,
  requireSubscription,
  resourceGrantsInForce,
  usageOf,
} from "./claim-queries.js";
import type { ClaimResourceBody, ResourceUsageWithClaims } from "./schemas.js";
import { type ResourceClaimRow, serializeResourceClaim } from "./serialize.js";

/**
 * POST /resource-claims/{subscriptionId}/claim. `quantity` makes that many anonymous claims; `externalId(s)`
 * make one named claim per id, and an id already actively claimed returns its claim without counting again.
 * What would take the active claims past the capacity of the grants in force is refused whole.
 */
export async function claimResources(
  deps: AppDeps,
  merchant: Merchant,
  subscriptionId: string,
  body: ClaimResourceBody,
): Promise<ResourceUsageWithClaims> {
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const subscription = await requireSubscription(tx, merchant, subscriptionId);
    if (!CURRENT_STATUSES.has(subscription.status)) {
      throw unprocessable(
        `Subscription ${subscription.id} is ${subscription.status}; claims need a current one`,
      );
    }
    const resource = await requireResource(tx, merchant, subscription, { slug: body.resourceSlug });
    await lockResourceClaims(tx, subscription.id, resource.id);
    const [grants, active] = await Promise.all([
      resourceGrantsInForce(tx, merchant, subscription.id, now),
      listActiveClaims(tx, merchant, subscription.id, resource.id),
    ]);
    const capacity = capacityOf(grants, resource.id);

    const named = body.externalIds ?? (body.externalId !== undefined ? [body.externalId] : []);
    const held = new Map(active.filter((c) => c.externalId !== null).map((c) => [c.externalId, c]));
    const newNames = [...new Set(named)].filter((externalId) => !held.has(externalId));
    const wanted: (string | null)[] =
      body.quantity !== undefined ? Array.from({ length: body.quantity }, () => null) : newNames;
    if (active.length + wanted.length > capacity) {
      throw unprocessable(
        `Claiming ${wanted.length} more ${resource.slug} would exceed the capacity: ${active.length} of ${capacity} claimed`,
      );
    }
    let created: ResourceClaimRow[] = [];
    if (wanted.length > 0) {
      const grant = grants.find((g) => g.resourceId === resource.id);
      if (!grant) throw unprocessable(`Subscription ${subscription.id} has no ${resource.slug} granted`);
      created = await tx
        .insert(resourceClaims)
        .values(
          wanted.map((externalId) => ({
            id: newId("resourceClaim"),
            organizationId: merchant.organizationId,
            livemode: merchant.livemode,
            pricingModelId: subscription.pricingModelId,
            subscriptionId: subscription.id,
            subscriptionItemFeatureId: grant.id,
            resourceId: resource.id,
            externalId,
            metadata: body.metadata ?? null,
            claimedAt: now,
            createdAt: now,
            updatedAt: now,
          })),
        )
        .returning();
    }
    const byName = new Map([...held, ...created.map((c) => [c.externalId, c] as const)]);
    const claims =
      body.quantity !== undefined ? created : [...new Set(named)].map((externalId) => byName.get(externalId));
    return {
      claims: claims.filter((c): c is ResourceClaimRow => c !== undefined).map(serializeResourceClaim),
      usage: usageOf(resource, capacity, active.length + created.length),
    };
  });
}
