import type { FeatureRow, UsageMeterRow } from "./entitlement-queries.js";
import { type PriceRow, type ProductRow, serializePrice, serializeProduct } from "./serialize.js";
import { serializeFeature, serializeUsageMeter } from "./serialize-entitlements.js";

/** The default price is the one flagged so; a product whose flag was lost still shows its oldest price. */
export function pickDefaultPrice(productPrices: PriceRow[]): PriceRow | null {
  return productPrices.find((p) => p.isDefault) ?? productPrices[0] ?? null;
}

/** A product as `GET /products/{id}` and pricing-model details show it: with its prices and live features. */
export function serializeProductWithPrices(
  product: ProductRow,
  productPrices: PriceRow[],
  productFeatures: FeatureRow[],
  publicUrl?: string,
) {
  const defaultPrice = pickDefaultPrice(productPrices);
  return {
    ...serializeProduct(product, publicUrl),
    prices: productPrices.map((p) => serializePrice(p, publicUrl)),
    defaultPrice: defaultPrice ? serializePrice(defaultPrice, publicUrl) : null,
    features: productFeatures.map(serializeFeature),
  };
}
export type ProductWithPricesRecord = ReturnType<typeof serializeProductWithPrices>;

/** A meter as pricing-model details show it (`PricingModelDetailsRecord.UsageMeter`): with its usage prices. */
export function serializeUsageMeterWithPrices(meter: UsageMeterRow, meterPrices: PriceRow[]) {
  // The one flagged default, else the oldest; a meter without prices has none.
  const defaultPrice = meterPrices.find((p) => p.isDefault) ?? meterPrices[0];
  return {
    ...serializeUsageMeter(meter),
    prices: meterPrices.map((p) => serializePrice(p)),
    ...(defaultPrice ? { defaultPrice: serializePrice(defaultPrice) } : {}),
  };
}
export type UsageMeterWithPricesRecord = ReturnType<typeof serializeUsageMeterWithPrices>;
