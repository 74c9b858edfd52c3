import { getFeature } from "../catalog/index.js";
import type { AppDeps, Merchant } from "../context/index.js";
import { subscriptionItemFeatures } from "../db/schema/index.js";
import { badRequest, notFound, panic, unprocessable } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { getSubscription, getSubscriptionItem } from "../subscriptions/index.js";
import type { FeatureGrant } from "./grants.js";
import { requireFeatureGrant } from "./queries.js";

export type CreateGrantInput = { subscriptionItemId: string; featureId: string; amount?: number | null };

/**
 * A grant made by hand (`manuallyCreated`): the feature, from the subscription's own pricing model, on one of
 * its items still in force. It lasts as long as the item, unless it is expired first.
 */
export async function createManualGrant(
  deps: AppDeps,
  merchant: Merchant,
  input: CreateGrantInput,
): Promise<FeatureGrant> {
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const [item, feature] = await Promise.all([
      getSubscriptionItem(tx, merchant, input.subscriptionItemId),
      getFeature(tx, merchant, input.featureId),
    ]);
    if (!item) throw notFound("Subscription item", input.subscriptionItemId);
    if (!feature) throw notFound("Feature", input.featureId);
    const subscription = await getSubscription(tx, merchant, item.subscriptionId);
    if (!subscription) panic(`subscription item ${item.id} has no subscription`);
    if (feature.pricingModelId !== subscription.pricingModelId) {
      throw badRequest(
        `Feature ${feature.id} belongs to pricing model ${feature.pricingModelId}, not to the subscription's (${subscription.pricingModelId})`,
      );
    }
    if (!feature.active) throw unprocessable(`Feature ${feature.id} is inactive`);
    if (item.expiredAt !== null && item.expiredAt <= now) {
      throw unprocessable(`Subscription item ${item.id} has ended`);
    }
    const amount = input.amount ?? null;
    if (feature.type === "toggle" && amount !== null) {
      throw badRequest(`Feature ${feature.id} is a toggle; a toggle grants no amount`);
    }
    const id = newId("subscriptionItemFeature");
    await tx.insert(subscriptionItemFeatures).values({
      id,
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      pricingModelId: feature.pricingModelId,
      subscriptionId: subscription.id,
      subscriptionItemId: item.id,
      featureId: feature.id,
      productFeatureId: null,
      amount,
      manuallyCreated: true,
      createdAt: now,
      updatedAt: now,
    });
    return requireFeatureGrant(tx, merchant, id);
  });
}
