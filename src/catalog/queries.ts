import { and, asc, eq, inArray } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { listTenantPage } from "../db/list.js";
import { prices, pricingModels, products } from "../db/schema/index.js";
import { ownedBy, param, sameTenant, statement, tenant } from "../db/statement.js";
import { notFound } from "../lib/errors.js";
import type { ListPage, ListQuery } from "../lib/pagination.js";
import type { PriceRow, PricingModelRow, ProductRow } from "./serialize.js";

const pricingModelScope = (merchant: Merchant) => and(ownedBy(pricingModels, merchant));
const productScope = (merchant: Merchant) => and(ownedBy(products, merchant));
const priceScope = (merchant: Merchant) => and(ownedBy(prices, merchant));

export async function getPricingModel(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<PricingModelRow | undefined> {
  const [row] = await pricingModelById(db, { ...tenant(merchant), id });
  return row;
}

const pricingModelById = statement("pricing_model_by_id", (db) =>
  db
    .select()
    .from(pricingModels)
    .where(and(sameTenant(pricingModels), eq(pricingModels.id, param("id")))),
);

export async function requirePricingModel(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<PricingModelRow> {
  const row = await getPricingModel(db, merchant, id);
  if (!row) throw notFound("Pricing model", id);
  return row;
}

export async function findDefaultPricingModel(
  db: Executor,
  merchant: Merchant,
): Promise<PricingModelRow | undefined> {
  const [row] = await db
    .select()
    .from(pricingModels)
    .where(and(pricingModelScope(merchant), eq(pricingModels.isDefault, true)));
  return row;
}

export async function getProduct(
  db: Executor,
  merchant: Merchant,
  productId: string,
): Promise<ProductRow | undefined> {
  const [row] = await db
    .select()
    .from(products)
    .where(and(productScope(merchant), eq(products.id, productId)));
  return row;
}

export async function requireProduct(
  db: Executor,
  merchant: Merchant,
  productId: string,
): Promise<ProductRow> {
  const row = await getProduct(db, merchant, productId);
  if (!row) throw notFound("Product", productId);
  return row;
}

export async function getPrice(
  db: Executor,
  merchant: Merchant,
  priceId: string,
): Promise<PriceRow | undefined> {
  const [row] = await priceById(db, { ...tenant(merchant), priceId });
  return row;
}

const priceById = statement("price_by_id", (db) =>
  db
    .select()
    .from(prices)
    .where(and(eq(prices.id, param("priceId")), sameTenant(prices))),
);

export async function requirePrice(db: Executor, merchant: Merchant, priceId: string): Promise<PriceRow> {
  const row = await getPrice(db, merchant, priceId);
  if (!row) throw notFound("Price", priceId);
  return row;
}

export async function getPriceBySlug(
  db: Executor,
  merchant: Merchant,
  pricingModelId: string,
  slug: string,
): Promise<PriceRow | undefined> {
  const [row] = await db
    .select()
    .from(prices)
    .where(and(priceScope(merchant), eq(prices.pricingModelId, pricingModelId), eq(prices.slug, slug)));
  return row;
}

export async function getProductBySlug(
  db: Executor,
  merchant: Merchant,
  pricingModelId: string,
  slug: string,
): Promise<ProductRow | undefined> {
  const [row] = await db
    .select()
    .from(products)
    .where(and(productScope(merchant), eq(products.pricingModelId, pricingModelId), eq(products.slug, slug)));
  return row;
}

export async function getPriceWithProduct(
  db: Executor,
  merchant: Merchant,
  priceId: string,
): Promise<{ price: PriceRow; product: ProductRow | null } | undefined> {
  const [row] = await priceWithProduct(db, { ...tenant(merchant), priceId });
  return row ? { price: row.price, product: row.product ?? null } : undefined;
}

// One round trip, built once: this runs on every checkout create, page view and confirm.
const priceWithProduct = statement("price_with_product", (db) =>
  db
    .select({ price: prices, product: products })
    .from(prices)
    .leftJoin(products, and(eq(products.id, prices.productId), sameTenant(products)))
    .where(and(sameTenant(prices), eq(prices.id, param("priceId")))),
);

/** Prices of the given products, oldest first, so a product's first price stays first. */
export async function listPricesForProducts(
  db: Executor,
  merchant: Merchant,
  productIds: string[],
): Promise<PriceRow[]> {
  if (productIds.length === 0) return [];
  return db
    .select()
    .from(prices)
    .where(and(priceScope(merchant), inArray(prices.productId, productIds)))
    .orderBy(asc(prices.position));
}

export async function getDefaultPriceForProduct(
  db: Executor,
  merchant: Merchant,
  productId: string,
): Promise<PriceRow | undefined> {
  const rows = await listPricesForProducts(db, merchant, [productId]);
  return rows.find((p) => p.isDefault) ?? rows[0];
}

export async function listProductsForPricingModel(
  db: Executor,
  merchant: Merchant,
  pricingModelId: string,
): Promise<ProductRow[]> {
  return db
    .select()
    .from(products)
    .where(and(productScope(merchant), eq(products.pricingModelId, pricingModelId)))
    .orderBy(asc(products.position));
}

/** A page of the tenant's pricing models, newest first (the dashboard's catalog lists them this way). */
export function listPricingModelsPage(
  db: Executor,
  merchant: Merchant,
  query: ListQuery,
): Promise<ListPage<PricingModelRow>> {
  return listTenantPage(db, pricingModels, merchant, query, (row: PricingModelRow) => row);
}
