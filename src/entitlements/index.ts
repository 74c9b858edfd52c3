// Entitlements: what a subscription was granted (subscription item features, derived from its items'
// product features or stored) and the resource claims made against those grants.
export {
  derivedGrantId,
  type FeatureGrant,
  grantInForce,
  listFeatureGrants,
  parseDerivedGrantId,
  type SubscriptionItemFeatureRow,
} from "./grants.js";
export { findFeatureGrant } from "./queries.js";
export { registerEntitlementRoutes } from "./routes.js";
export { type ResourceClaimRow, serializeFeatureGrant, serializeResourceClaim } from "./serialize.js";
