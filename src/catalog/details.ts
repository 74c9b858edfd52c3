import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { listPricesForProducts, listProductsForPricingModel, requirePricingModel } from "./queries.js";
import { type PriceRow, serializePricingModel, serializeProductWithPrices } from "./serialize.js";

export type PricingModelDetails = ReturnType<typeof serializePricingModel> & {
  products: ReturnType<typeof serializeProductWithPrices>[];
  /** Glade has no usage meters yet; the array is kept because clients iterate it. */
  usageMeters: never[];
  defaultProduct?: ReturnType<typeof serializeProductWithPrices>;
};

/**
 * The pricing model with every product and its prices (`PricingModelDetailsRecord`). `activeOnly` gives the
 * customer-facing view: inactive products and prices are left out, and so are products left with no price.
 * `publicUrl` fills in the products' and prices' `purchaseUrl`.
 */
export async function getPricingModelDetails(
  db: Executor,
  merchant: Merchant,
  pricingModelId: string,
  options: { activeOnly?: boolean; publicUrl?: string } = {},
): Promise<PricingModelDetails> {
  const pricingModel = await requirePricingModel(db, merchant, pricingModelId);
  let productRows = await listProductsForPricingModel(db, merchant, pricingModel.id);
  if (options.activeOnly) productRows = productRows.filter((p) => p.active);
  const priceRows = await listPricesForProducts(
    db,
    merchant,
    productRows.map((p) => p.id),
  );
  const byProduct = new Map<string, PriceRow[]>();
  for (const price of priceRows) {
    if (options.activeOnly && !price.active) continue;
    if (!price.productId) continue;
    const list = byProduct.get(price.productId) ?? [];
    list.push(price);
    byProduct.set(price.productId, list);
  }
  const products = productRows
    .filter((p) => !options.activeOnly || byProduct.has(p.id))
    .map((p) => serializeProductWithPrices(p, byProduct.get(p.id) ?? [], options.publicUrl));
  const details: PricingModelDetails = { ...serializePricingModel(pricingModel), products, usageMeters: [] };
  const defaultProduct = products.find((p) => p.default);
  if (defaultProduct) details.defaultProduct = defaultProduct;
  return details;
}
