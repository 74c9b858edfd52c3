import { and, inArray } from "drizzle-orm";
import type { AppDeps, Merchant } from "../context/index.js";
import { resourceClaims } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { unprocessable } from "../lib/errors.js";
import {
  capacityOf,
  listActiveClaims,
  lockResourceClaims,
  requireResource,
  requireSubscription,
  resourceGrantsInForce,
  usageOf,
} from "./claim-queries.js";
import type { ReleaseResourceBody } from "./schemas.js";
import { type ResourceClaimRow, serializeResourceClaim } from "./serialize.js";

export const RELEASE_REASON = "released";

/** The active claims a release names, or a 4xx saying which it names that are not held. */
function chooseClaims(active: ResourceClaimRow[], body: ReleaseResourceBody, slug: string) {
  if (body.quantity !== undefined) {
    // Anonymous claims are interchangeable; the oldest go first, as Flowglad's clients document (FIFO).
    const anonymous = active.filter((c) => c.externalId === null);
    if (anonymous.length < body.quantity) {
      throw unprocessable(
        `Cannot release ${body.quantity} anonymous ${slug} claims: ${anonymous.length} are held`,
      );
    }
    return anonymous.slice(0, body.quantity);
  }
  const byExternalId = body.externalIds ?? (body.externalId !== undefined ? [body.externalId] : undefined);
  const names = [...new Set(byExternalId ?? body.claimIds ?? [])];
  const key = (c: ResourceClaimRow) => (byExternalId ? c.externalId : c.id);
  const held = new Map(active.map((c) => [key(c), c]));
  const missing = names.filter((name) => !held.has(name));
  if (missing.length > 0) {
    throw unprocessable(
      `No active ${slug} claim for ${byExternalId ? "external id" : "claim id"} ${missing.join(", ")}`,
    );
  }
  return names.map((name) => held.get(name) as ResourceClaimRow);
}

/**
 * POST /resource-claims/{subscriptionId}/release: by quantity (anonymous claims, oldest first), by external
 * ids or by claim ids (the named active claims). Naming more than is held is refused whole. Releasing is
 * allowed whatever the subscription's status, so claims can be tidied up after it ends.
 */
export async function releaseResources(
  deps: AppDeps,
  merchant: Merchant,
  subscriptionId: string,
  body: ReleaseResourceBody,
) {
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const subscription = await requireSubscription(tx, merchant, subscriptionId);
    const resource = await requireResource(tx, merchant, subscription, { slug: body.resourceSlug });
    await lockResourceClaims(tx, subscription.id, resource.id);
    const [grants, active] = await Promise.all([
      resourceGrantsInForce(tx, merchant, subscription.id, now),
      listActiveClaims(tx, merchant, subscription.id, resource.id),
    ]);
    const chosen = chooseClaims(active, body, resource.slug);
    const released = await tx
      .update(resourceClaims)
      .set({ releasedAt: now, releaseReason: RELEASE_REASON, updatedAt: now })
      .where(
        and(
          ownedBy(resourceClaims, merchant),
          inArray(
            resourceClaims.id,
            chosen.map((c) => c.id),
          ),
        ),
      )
      .returning();
    const order = new Map(chosen.map((c, i) => [c.id, i]));
    released.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    return {
      releasedClaims: released.map(serializeResourceClaim),
      usage: usageOf(resource, capacityOf(grants, resource.id), active.length - released.length),
    };
  });
}
