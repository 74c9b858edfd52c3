import { getPricingModelDetails, type PricingModelDetails } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import { requireCustomerByExternalId, serializeCustomer } from "../customers/index.js";
import type { Executor } from "../db/client.js";
import { grantInForce, listFeatureGrants, serializeFeatureGrant } from "../entitlements/index.js";
import { listInvoicesWithLinesForCustomer } from "../invoices/index.js";
import { listPaymentMethodsForCustomer, serializePaymentMethod } from "../payments/index.js";
import { listPurchasesForCustomer, serializePurchase } from "../purchases/index.js";
import {
  listSubscriptionDetailsForCustomer,
  type SubscriptionDetailsRecord,
  type SubscriptionItemFeatureRecord,
} from "../subscriptions/index.js";
import { usageMeterBalancesFor } from "../usage/index.js";

/** Statuses in which the customer still has the plan; the billing view calls these "current". */
const CURRENT = new Set(["active", "trialing", "past_due", "cancellation_scheduled"]);

/**
 * Everything `@flowglad/server`'s getBilling() needs in one response. The catalog is the customer-facing view
 * (active products and prices only); `catalog` repeats `pricingModel` because older clients read that name.
 */
export async function getCustomerBilling(
  db: Executor,
  merchant: Merchant,
  externalId: string,
  publicUrl: string,
  /** The app clock's instant: which subscription items are in force. */
  now: Date,
  /** A fresh one-time portal sign-in link (made before this read-only snapshot). */
  billingPortalUrl: string,
) {
  const customer = await requireCustomerByExternalId(db, merchant, externalId);
  const [pricingModel, details, purchases, invoices, paymentMethods] = await Promise.all([
    getPricingModelDetails(db, merchant, customer.pricingModelId, { activeOnly: true, publicUrl }),
    listSubscriptionDetailsForCustomer(db, merchant, customer.id, now),
    listPurchasesForCustomer(db, merchant, customer.id),
    listInvoicesWithLinesForCustomer(db, merchant, customer.id, publicUrl),
    listPaymentMethodsForCustomer(db, merchant, customer.id),
  ]);
  const subscriptions = await withExperimental(db, merchant, details, now);
  const currentSubscriptions = subscriptions.filter((s) => CURRENT.has(s.status));
  const catalog: PricingModelDetails = pricingModel;
  return {
    customer: serializeCustomer(customer),
    billingPortalUrl,
    pricingModel,
    catalog,
    subscriptions,
    ...(currentSubscriptions[0] ? { currentSubscription: currentSubscriptions[0] } : {}),
    currentSubscriptions,
    purchases: purchases.map(serializePurchase),
    invoices,
    paymentMethods: paymentMethods.map(serializePaymentMethod),
  };
}

/**
 * Each subscription's `experimental`: its feature grants in force at `now` (what `checkFeatureAccess` reads)
 * and, for a current one, its balance on each usage meter of its pricing model (what `checkUsageBalance` reads;
 * a subscription that is no longer current has none).
 */
async function withExperimental(
  db: Executor,
  merchant: Merchant,
  subscriptions: SubscriptionDetailsRecord[],
  now: Date,
): Promise<SubscriptionDetailsRecord[]> {
  const current = subscriptions.filter((s) => CURRENT.has(s.status));
  const listing = listFeatureGrants(
    db,
    merchant,
    subscriptions.map((s) => s.id),
  );
  const [grants, balances] = await Promise.all([
    listing,
    usageMeterBalancesFor(
      db,
      merchant,
      current.map((s) => ({
        id: s.id,
        customerId: s.customerId,
        pricingModelId: s.pricingModelId,
        currentBillingPeriodStart:
          s.currentBillingPeriodStart === null ? null : new Date(s.currentBillingPeriodStart),
      })),
      now,
      { grants: listing },
    ),
  ]);
  const featureItems = new Map<string, SubscriptionItemFeatureRecord[]>();
  for (const grant of grants) {
    if (!grantInForce(grant, now)) continue;
    const list = featureItems.get(grant.subscriptionId) ?? [];
    list.push(serializeFeatureGrant(grant));
    featureItems.set(grant.subscriptionId, list);
  }
  return subscriptions.map((s) => ({
    ...s,
    experimental: {
      featureItems: featureItems.get(s.id) ?? [],
      usageMeterBalances: balances.get(s.id) ?? [],
    },
  }));
}
