export {
  type CloneDestination,
  type ClonePricingModelInput,
  clonePricingModel,
} from "./clone-pricing-model.js";
export { type CreatePriceInput, createPrice } from "./create-price.js";
export { type CreateProductInput, createProduct } from "./create-product.js";
export { getPricingModelDetails, type PricingModelDetails } from "./details.js";
export {
  type FeatureRow,
  findResourceBySlug,
  getFeature,
  getResource,
  getUsageMeter,
  listFeaturesByIds,
  listFeaturesOfPricingModel,
  listProductFeatureGrants,
  listResourcesByIds,
  listUsageMetersOfPricingModels,
  type ProductFeatureGrant,
  type ProductFeatureRow,
  type ResourceRow,
  type UsageMeterRow,
} from "./entitlement-queries.js";
export { type CreateFeatureInput, createFeature } from "./features.js";
export {
  joinPriceAndProduct,
  type PriceAndProduct,
  type PriceReference,
  priceAndProductFields,
  priceColumns,
  priceJoinSql,
} from "./price-join.js";
export { createPricingModel, ensureDefaultPricingModel } from "./pricing-models.js";
export {
  attachProductFeature,
  detachProductFeature,
  listLiveFeaturesOfProducts,
} from "./product-features.js";
export {
  type CatalogTenant,
  findPriceBySlugInDefaultPricingModel,
  findPriceTenant,
  findProductBySlugInDefaultPricingModel,
  findProductTenant,
} from "./public-lookup.js";
export { pricePurchaseUrl, productPurchaseUrl } from "./purchase-links.js";
export {
  getDefaultPriceForProduct,
  getPrice,
  getPriceWithProduct,
  getPricingModel,
  getProduct,
  listPricesForProducts,
  listPricingModelsPage,
  listProductsForPricingModel,
  requirePricingModel,
} from "./queries.js";
export { resolveCheckoutPrice, sellablePriceSql } from "./resolve-price.js";
export { createResource, listResourcesOfPricingModel } from "./resources.js";
export { registerCatalogRoutes } from "./routes.js";
export {
  FeatureRecordSchema,
  PricingModelDetailsSchema,
  ProductFeatureRecordSchema,
  ResourceRecordSchema,
  UsageMeterRecordSchema,
} from "./schemas-entitlements.js";
export { seedDemoCatalog } from "./seed.js";
export {
  type PriceRecord,
  type PriceRow,
  type PricingModelRecord,
  type PricingModelRow,
  type ProductRecord,
  type ProductRow,
  serializePrice,
  serializePricingModel,
  serializeProduct,
} from "./serialize.js";
export {
  type FeatureRecord,
  type ProductFeatureRecord,
  type ResourceRecord,
  serializeFeature,
  serializeProductFeature,
  serializeResource,
  serializeUsageMeter,
  type UsageMeterRecord,
} from "./serialize-entitlements.js";
export { type UpdatePriceInput, updatePrice } from "./update-price.js";
export { type UpdateProductInput, updateProduct } from "./update-product.js";
export { createUsageMeter } from "./usage-meters.js";
export {
  resolveUsageTarget,
  type UsageTarget,
  type UsageTargetKind,
  usageTargetSql,
} from "./usage-target.js";
