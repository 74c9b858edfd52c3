import { and, gt, isNull, or, type SQL } from "drizzle-orm";
import type { AppDeps, Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { subscriptionItemFeatures } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { badRequest, unprocessable } from "../lib/errors.js";
import type { FeatureGrant } from "./grants.js";
import { requireFeatureGrant } from "./queries.js";
import type { UpdateGrantInput } from "./schemas.js";

type GrantChange = { amount?: number; expiredAt?: Date | null };

/**
 * Stores a change to a grant. A grant made by hand is its row; a derived grant gets a row under its own id
 * the first time it changes (the override `listFeatureGrants` reads), so concurrent changes meet on the key.
 * `onlyIf` limits which stored row is changed; the caller reads the grant again either way.
 */
async function storeChange(
  tx: Executor,
  merchant: Merchant,
  grant: FeatureGrant,
  change: GrantChange,
  now: Date,
  onlyIf?: SQL,
): Promise<void> {
  await tx
    .insert(subscriptionItemFeatures)
    .values({
      id: grant.id,
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      pricingModelId: grant.pricingModelId,
      subscriptionId: grant.subscriptionId,
      subscriptionItemId: grant.subscriptionItemId,
      featureId: grant.featureId,
      productFeatureId: grant.productFeatureId,
      amount: change.amount ?? null,
      manuallyCreated: grant.manuallyCreated,
      expiredAt: change.expiredAt ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: subscriptionItemFeatures.id,
      set: { ...change, updatedAt: now },
      setWhere: and(ownedBy(subscriptionItemFeatures, merchant), onlyIf),
    });
}

/** PUT /subscription-item-features/{id}: a new amount (not for toggles) or expiry; an ended grant stays as it ended. */
export async function updateGrant(
  deps: AppDeps,
  merchant: Merchant,
  id: string,
  input: UpdateGrantInput,
): Promise<FeatureGrant> {
  if (input.id !== id) throw badRequest(`Body id ${input.id} does not match path id ${id}`);
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const grant = await requireFeatureGrant(tx, merchant, id);
    const change: GrantChange = {};
    if (input.amount !== undefined) {
      if (grant.type === "toggle") throw badRequest(`${id} grants a toggle feature, which has no amount`);
      change.amount = input.amount;
    }
    if (input.expiredAt !== undefined) {
      const expiredAt = input.expiredAt === null ? null : new Date(input.expiredAt);
      if (expiredAt !== null && expiredAt < now) {
        throw badRequest(
          "expiredAt is in the past; POST /subscription-item-features/{id}/expire ends a grant now",
        );
      }
      change.expiredAt = expiredAt;
    }
    if (grant.endsAt !== null && grant.endsAt <= now) {
      throw unprocessable(`Subscription item feature ${id} has ended`);
    }
    if (change.amount === undefined && change.expiredAt === undefined) return grant;
    await storeChange(tx, merchant, grant, change, now);
    return requireFeatureGrant(tx, merchant, id);
  });
}

/** POST /subscription-item-features/{id}/expire: ends the grant now; an expired grant is returned as it is. */
export async function expireGrant(deps: AppDeps, merchant: Merchant, id: string): Promise<FeatureGrant> {
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const grant = await requireFeatureGrant(tx, merchant, id);
    if (grant.expiredAt !== null && grant.expiredAt <= now) return grant;
    // A concurrent expiry that got there first wins: its instant stays.
    const notYetExpired = or(
      isNull(subscriptionItemFeatures.expiredAt),
      gt(subscriptionItemFeatures.expiredAt, now),
    );
    await storeChange(tx, merchant, grant, { expiredAt: now }, now, notYetExpired);
    return requireFeatureGrant(tx, merchant, id);
  });
}
