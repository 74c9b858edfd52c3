export {
  activateSubscription,
  setDefaultPaymentMethodOfCurrentSubscriptions,
  setSubscriptionDefaultPaymentMethod,
} from "./activate-subscription.js";
export { type AdjustedSubscription, adjustSubscription } from "./adjust-subscription.js";
export {
  type CancellationTiming,
  cancelSubscription,
  type OnSubscriptionChange,
  runScheduledCancellations,
  uncancelSubscription,
} from "./cancel-subscription.js";
export {
  type CreatedSubscription,
  type CreateSubscriptionInput,
  createSubscription,
  planSubscription,
} from "./create-subscription.js";
export { listSubscriptionsPage } from "./list-subscriptions.js";
export { addInterval, type Period, periodContaining } from "./periods.js";
export { previewAdjustment } from "./preview-adjustment.js";
export {
  getCurrentBillingPeriods,
  getSubscription,
  getSubscriptionItem,
  listBillingPeriodsByIds,
  listItemsForSubscriptions,
  listSubscriptionDetailsForCustomer,
  listSubscriptionsForCustomer,
} from "./queries.js";
export { renewDueSubscriptions, renewSubscription } from "./renew-subscriptions.js";
export { registerSubscriptionRoutes } from "./routes.js";
export { applyScheduledAdjustments } from "./scheduled-adjustments.js";
export {
  type AdjustmentInput,
  SubscriptionDetailsRecord,
  SubscriptionItemRecord,
  SubscriptionRecord,
} from "./schemas.js";
export {
  ResourceSubscriptionItemFeatureRecord,
  SubscriptionExperimental,
  SubscriptionItemFeatureRecord,
  ToggleSubscriptionItemFeatureRecord,
  UsageCreditGrantSubscriptionItemFeatureRecord,
  UsageMeterBalanceRecord,
} from "./schemas-experimental.js";
export {
  type BillingPeriodRow,
  CURRENT_STATUSES,
  isItemInForce,
  type SubscriptionItemRow,
  type SubscriptionRow,
  serializeSubscription,
  serializeSubscriptionDetails,
  serializeSubscriptionItem,
} from "./serialize.js";
export { startSubscription } from "./start-subscription.js";
export { countActiveSubscriptions, monthlyRecurringRevenue } from "./summary.js";
export { usageSubscriptionSql } from "./usage-target.js";
