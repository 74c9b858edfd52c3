import { and, asc, eq, isNotNull } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { prices } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { listUsageMetersOfPricingModels } from "./entitlement-queries.js";
import { listLiveFeaturesOfProducts } from "./product-features.js";
import { listPricesForProducts, listProductsForPricingModel, requirePricingModel } from "./queries.js";
import { type PriceRow, serializePricingModel } from "./serialize.js";
import { serializeProductWithPrices, serializeUsageMeterWithPrices } from "./serialize-details.js";

export type PricingModelDetails = ReturnType<typeof serializePricingModel> & {
  products: ReturnType<typeof serializeProductWithPrices>[];
  usageMeters: ReturnType<typeof serializeUsageMeterWithPrices>[];
  defaultProduct?: ReturnType<typeof serializeProductWithPrices>;
};

/** The pricing model's usage prices (with or without a product), oldest first. */
function listUsagePricesOfPricingModel(db: Executor, merchant: Merchant, pricingModelId: string) {
  return db
    .select()
    .from(prices)
    .where(
      and(
        ownedBy(prices, merchant),
        eq(prices.pricingModelId, pricingModelId),
        eq(prices.type, "usage"),
        isNotNull(prices.usageMeterId),
      ),
    )
    .orderBy(asc(prices.position));
}

function groupBy<T>(rows: T[], key: (row: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    if (k === null) continue;
    const list = out.get(k) ?? [];
    list.push(row);
    out.set(k, list);
  }
  return out;
}

/**
 * The pricing model with every product (its prices and live features) and every usage meter (its usage
 * prices): `PricingModelDetailsRecord`. `activeOnly` gives the customer-facing view: inactive products, prices
 * and features are left out, and so are products left with no price. `publicUrl` fills in the products' and
 * prices' `purchaseUrl`.
 */
export async function getPricingModelDetails(
  db: Executor,
  merchant: Merchant,
  pricingModelId: string,
  options: { activeOnly?: boolean; publicUrl?: string } = {},
): Promise<PricingModelDetails> {
  const pricingModel = await requirePricingModel(db, merchant, pricingModelId);
  const [allProducts, meters, usagePrices] = await Promise.all([
    listProductsForPricingModel(db, merchant, pricingModel.id),
    listUsageMetersOfPricingModels(db, merchant, [pricingModel.id]),
    listUsagePricesOfPricingModel(db, merchant, pricingModel.id),
  ]);
  const productRows = options.activeOnly ? allProducts.filter((p) => p.active) : allProducts;
  const productIds = productRows.map((p) => p.id);
  const [priceRows, featuresByProduct] = await Promise.all([
    listPricesForProducts(db, merchant, productIds),
    listLiveFeaturesOfProducts(db, merchant, productIds, { activeOnly: options.activeOnly === true }),
  ]);
  const shown = (price: PriceRow) => !options.activeOnly || price.active;
  const byProduct = groupBy(priceRows.filter(shown), (p) => p.productId);
  const byMeter = groupBy(usagePrices.filter(shown), (p) => p.usageMeterId);
  const products = productRows
    .filter((p) => !options.activeOnly || byProduct.has(p.id))
    .map((p) =>
      serializeProductWithPrices(
        p,
        byProduct.get(p.id) ?? [],
        featuresByProduct.get(p.id) ?? [],
        options.publicUrl,
      ),
    );
  const usageMeters = meters.map((m) => serializeUsageMeterWithPrices(m, byMeter.get(m.id) ?? []));
  const details: PricingModelDetails = { ...serializePricingModel(pricingModel), products, usageMeters };
  const defaultProduct = products.find((p) => p.default);
  if (defaultProduct) details.defaultProduct = defaultProduct;
  return details;
}
