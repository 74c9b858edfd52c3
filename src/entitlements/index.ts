export {
  derivedGrantId,
  type FeatureGrant,
  grantInForce,
  listFeatureGrants,
  type SubscriptionItemFeatureRow,
} from "./grants.js";
