import { getPricingModelDetails } from "../catalog/index.js";
import { checkoutUrl, createCheckoutSession } from "../checkout/index.js";
import type { AppDeps } from "../context/index.js";
import { getCustomerById } from "../customers/index.js";
import { notFound, panic } from "../lib/errors.js";
import { formatAmount } from "../lib/money.js";
import {
  adjustSubscription,
  cancelSubscription,
  getSubscription,
  isItemInForce,
  listItemsForSubscriptions,
  previewAdjustment,
  type SubscriptionRow,
  uncancelSubscription,
} from "../subscriptions/index.js";
import type { PortalVisitor } from "./access.js";
import { planName, priceLabel } from "./overview.js";

/**
 * The visitor's own subscription. Another customer's (or organization's, or mode's) is reported exactly like a
 * missing one, so ids cannot be probed from the portal.
 */
async function ownSubscription(deps: AppDeps, visitor: PortalVisitor, id: string): Promise<SubscriptionRow> {
  const subscription = await getSubscription(deps.db, visitor.merchant, id);
  if (!subscription || subscription.customerId !== visitor.customerId) throw notFound("Subscription", id);
  return subscription;
}

export async function cancelAtPeriodEnd(deps: AppDeps, visitor: PortalVisitor, id: string): Promise<void> {
  await ownSubscription(deps, visitor, id);
  await cancelSubscription(deps, visitor.merchant, id, "at_end_of_current_billing_period");
}

export async function keepSubscription(deps: AppDeps, visitor: PortalVisitor, id: string): Promise<void> {
  await ownSubscription(deps, visitor, id);
  await uncancelSubscription(deps, visitor.merchant, id);
}

export type PlanOption = { priceId: string; name: string; price: string };

/**
 * The plans the subscription may move to: the customer's pricing model's active subscription prices in the
 * subscription's currency, other than the one it is on.
 */
export async function listPlanOptions(
  deps: AppDeps,
  visitor: PortalVisitor,
  subscriptionId: string,
): Promise<{ subscription: SubscriptionRow; options: PlanOption[] }> {
  const subscription = await ownSubscription(deps, visitor, subscriptionId);
  const details = await getPricingModelDetails(deps.db, visitor.merchant, subscription.pricingModelId, {
    activeOnly: true,
  });
  const current = details.products.flatMap((p) => p.prices).find((p) => p.id === subscription.priceId);
  const options = details.products.flatMap((product) =>
    product.prices
      .filter((price) => price.type === "subscription" && price.id !== subscription.priceId)
      .filter((price) => !current || price.currency === current.currency)
      .map((price) => ({
        priceId: price.id,
        name: planName(product, price),
        price: priceLabel(price, 1),
      })),
  );
  return { subscription, options };
}

/**
 * The subscription's new set of items for a plan change: the base plan (the item on the subscription's
 * price) is replaced, at its quantity; add-ons run on.
 */
async function changedItems(
  deps: AppDeps,
  visitor: PortalVisitor,
  subscription: SubscriptionRow,
  priceId: string,
) {
  const now = deps.now();
  const items = (await listItemsForSubscriptions(deps.db, visitor.merchant, [subscription.id])).filter(
    (item) => isItemInForce(item, now),
  );
  const base = items.find((item) => item.priceId === subscription.priceId);
  const addOns = items.filter((item) => item !== base && item.priceId !== priceId);
  return [
    { priceId, quantity: base?.quantity ?? 1 },
    ...addOns.map((item) => ({ priceId: item.priceId, quantity: item.quantity })),
  ];
}

export type PlanChangePreview = {
  option: PlanOption;
  /** "immediately" for an upgrade (charged now), "at_end_of_current_billing_period" for a downgrade. */
  timing: "immediately" | "at_end_of_current_billing_period";
  chargeNow: string | null;
  effectiveDate: Date;
};

/** What moving to `priceId` would do, from the same plan the change itself carries out (`timing: auto`). */
export async function previewPlanChange(
  deps: AppDeps,
  visitor: PortalVisitor,
  subscriptionId: string,
  priceId: string,
): Promise<PlanChangePreview> {
  const { subscription, options } = await listPlanOptions(deps, visitor, subscriptionId);
  const option = options.find((o) => o.priceId === priceId);
  if (!option) throw notFound("Price", priceId);
  const newSubscriptionItems = await changedItems(deps, visitor, subscription, priceId);
  const preview = await previewAdjustment(deps, visitor.merchant, subscription.id, {
    timing: "auto",
    newSubscriptionItems,
  });
  return {
    option,
    timing: preview.resolvedTiming,
    chargeNow: preview.prorationAmount > 0 ? formatAmount(preview.prorationAmount, preview.currency) : null,
    effectiveDate: new Date(preview.effectiveDate),
  };
}

/** Upgrades now (charged the prorated difference, as the API's adjust does), downgrades at the period end. */
export async function changePlan(
  deps: AppDeps,
  visitor: PortalVisitor,
  subscriptionId: string,
  priceId: string,
): Promise<"immediately" | "at_end_of_current_billing_period"> {
  const { subscription, options } = await listPlanOptions(deps, visitor, subscriptionId);
  if (!options.some((o) => o.priceId === priceId)) throw notFound("Price", priceId);
  const newSubscriptionItems = await changedItems(deps, visitor, subscription, priceId);
  const adjusted = await adjustSubscription(deps, visitor.merchant, subscription.id, {
    timing: "auto",
    newSubscriptionItems,
  });
  return adjusted.resolvedTiming;
}

/**
 * A new card through an add_payment_method checkout that comes back to the portal. It becomes the customer's
 * default and every current subscription's card (`automaticallyUpdateSubscriptions`).
 */
export async function startCardReplacement(deps: AppDeps, visitor: PortalVisitor): Promise<string> {
  const customer = await getCustomerById(deps.db, visitor.merchant, visitor.customerId);
  if (!customer) panic(`portal session ${visitor.sessionId} names a missing customer`);
  const back = `${deps.config.publicUrl}/billing`;
  const session = await createCheckoutSession(deps, visitor.merchant, {
    type: "add_payment_method",
    customerExternalId: customer.externalId,
    automaticallyUpdateSubscriptions: true,
    successUrl: `${back}?notice=card_saved`,
    cancelUrl: back,
  });
  return checkoutUrl(deps.config, session);
}
