import type { AppDeps, Merchant } from "../context/index.js";
import { toEpochMs } from "../lib/wire.js";
import { planAdjustmentFor } from "./adjust-subscription.js";
import { serializedItemPrices } from "./queries.js";
import type { AdjustmentInput, PreviewAdjustmentResponse } from "./schemas.js";
import { serializeSubscriptionItem } from "./serialize.js";

/**
 * POST /subscriptions/{id}/preview-adjust: what adjust would do now with the same body, from the same plan,
 * writing nothing. `prorationAmount` is what adjust would charge (0 when it would charge nothing: a scheduled
 * change, a downgrade, no card, a trial); the line items break it down.
 */
export async function previewAdjustment(
  deps: AppDeps,
  merchant: Merchant,
  subscriptionId: string,
  input: AdjustmentInput,
): Promise<PreviewAdjustmentResponse> {
  const { plan } = await planAdjustmentFor(deps, merchant, subscriptionId, input);
  const prices = await serializedItemPrices(deps.db, merchant, plan.currentItems);
  return {
    resolvedTiming: plan.resolvedTiming,
    isUpgrade: plan.isUpgrade,
    prorationAmount: plan.proration,
    currency: plan.currency,
    effectiveDate: toEpochMs(plan.effectiveAt),
    currentSubscriptionItems: plan.currentItems.map((item) =>
      serializeSubscriptionItem(item, plan.subscription.pricingModelId, prices.get(item.priceId)),
    ),
    newSubscriptionItems: plan.newItems.map((item) => ({
      priceId: item.price.id,
      name: item.name,
      quantity: item.quantity,
      unitPrice: item.unitPrice,
      subscriptionItemId: item.keep?.id ?? null,
    })),
    lineItems: plan.prorationLines,
  };
}
