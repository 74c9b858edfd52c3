import { eq } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { prices, products } from "../db/schema/index.js";
import { findDefaultPricingModel, getPriceBySlug, getProductBySlug } from "./queries.js";
import type { PriceRow, ProductRow } from "./serialize.js";

/** The organization and mode a catalog object belongs to: all a public page needs to scope every later read. */
export type CatalogTenant = { organizationId: string; livemode: boolean };

/**
 * Which tenant owns a price, for the public purchase pages where no API key names one. Only the scope is
 * returned, so the caller still reads the price itself through the tenant-scoped functions.
 */
export async function findPriceTenant(db: Executor, priceId: string): Promise<CatalogTenant | undefined> {
  const [row] = await db
    .select({ organizationId: prices.organizationId, livemode: prices.livemode })
    .from(prices)
    .where(eq(prices.id, priceId));
  return row;
}

export async function findProductTenant(db: Executor, productId: string): Promise<CatalogTenant | undefined> {
  const [row] = await db
    .select({ organizationId: products.organizationId, livemode: products.livemode })
    .from(products)
    .where(eq(products.id, productId));
  return row;
}

/**
 * A price by slug in the org+mode's default pricing model, without creating that model when it is missing
 * (unlike `resolveCheckoutPrice`): public GETs must never write.
 */
export async function findPriceBySlugInDefaultPricingModel(
  db: Executor,
  merchant: Merchant,
  slug: string,
): Promise<PriceRow | undefined> {
  const pricingModel = await findDefaultPricingModel(db, merchant);
  return pricingModel ? getPriceBySlug(db, merchant, pricingModel.id, slug) : undefined;
}

export async function findProductBySlugInDefaultPricingModel(
  db: Executor,
  merchant: Merchant,
  slug: string,
): Promise<ProductRow | undefined> {
  const pricingModel = await findDefaultPricingModel(db, merchant);
  return pricingModel ? getProductBySlug(db, merchant, pricingModel.id, slug) : undefined;
}
