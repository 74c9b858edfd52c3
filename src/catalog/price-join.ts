import { and, type Column, eq, type SQL, sql } from "drizzle-orm";
import type { PgSelect } from "drizzle-orm/pg-core";
import { prices, products } from "../db/schema/index.js";
import { sameTenant } from "../db/statement.js";
import type { PriceRow, ProductRow } from "./serialize.js";

/** Where another domain's row names its price, and whose catalog that price must belong to. */
export type PriceReference = { priceId: Column | SQL; organizationId: Column | SQL; livemode: Column | SQL };

/** The joined price and product as fields of the caller's select: null when the row names no price. */
export const priceAndProductFields = { price: prices, product: products };
export type PriceAndProduct = { price: PriceRow | null; product: ProductRow | null };

/**
 * The catalog's side of a statement that reads another domain's row and the price it names together:
 * the price (tenant-checked against the row by `sameTenant`) and its product, both left-joined, so the
 * row comes back even when its price is gone. Saves the separate price lookup on paths that run per
 * checkout.
 */
export function joinPriceAndProduct<T extends PgSelect>(query: T, ref: PriceReference) {
  return query
    .leftJoin(prices, and(eq(prices.id, ref.priceId), sameTenant(prices, ref.organizationId, ref.livemode)))
    .leftJoin(
      products,
      and(eq(products.id, prices.productId), sameTenant(products, prices.organizationId, prices.livemode)),
    );
}

/**
 * The same join for another domain's hand-written statement (an aggregate over its rows): `left join prices`
 * on the price the row names, tenant-checked against the row; read the price through `priceColumns`.
 */
export function priceJoinSql(ref: PriceReference): SQL {
  return sql`left join ${prices} on ${prices.id} = ${ref.priceId} and ${sameTenant(prices, ref.organizationId, ref.livemode)}`;
}

/** The price's terms that a statement joined by `priceJoinSql` may read. */
export const priceColumns = {
  currency: prices.currency,
  type: prices.type,
  intervalUnit: prices.intervalUnit,
  intervalCount: prices.intervalCount,
};
