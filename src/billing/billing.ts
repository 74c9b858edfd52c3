import { getPricingModelDetails, type PricingModelDetails } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import { requireCustomerByExternalId, serializeCustomer } from "../customers/index.js";
import type { Executor } from "../db/client.js";
import { listInvoicesWithLinesForCustomer } from "../invoices/index.js";
import { listPaymentMethodsForCustomer, serializePaymentMethod } from "../payments/index.js";
import { listPurchasesForCustomer, serializePurchase } from "../purchases/index.js";
import { listSubscriptionDetailsForCustomer } from "../subscriptions/index.js";

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
) {
  const customer = await requireCustomerByExternalId(db, merchant, externalId);
  const [pricingModel, subscriptions, purchases, invoices, paymentMethods] = await Promise.all([
    getPricingModelDetails(db, merchant, customer.pricingModelId, { activeOnly: true, publicUrl }),
    listSubscriptionDetailsForCustomer(db, merchant, customer.id, now),
    listPurchasesForCustomer(db, merchant, customer.id),
    listInvoicesWithLinesForCustomer(db, merchant, customer.id),
    listPaymentMethodsForCustomer(db, merchant, customer.id),
  ]);
  const currentSubscriptions = subscriptions.filter((s) => CURRENT.has(s.status));
  const catalog: PricingModelDetails = pricingModel;
  return {
    customer: serializeCustomer(customer),
    billingPortalUrl: `${publicUrl}/billing/${customer.id}`,
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
