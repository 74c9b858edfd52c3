import { type SQL, sql } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { prices, products } from "../db/schema/index.js";
import { param, sameTenant } from "../db/statement.js";
import { badRequest, notFound } from "../lib/errors.js";
import { ensureDefaultPricingModel } from "./pricing-models.js";
import { getPriceBySlug, getPriceWithProduct, getProduct, requirePricingModel } from "./queries.js";
import type { PriceRow, ProductRow } from "./serialize.js";

/**
 * The price a checkout asks for, by id or by slug (looked up in `pricingModelId`, else the default pricing
 * model, created at `now` if missing). Activity is not checked: the caller decides whether an inactive price
 * may be sold.
 */
export async function resolveCheckoutPrice(
  db: Executor,
  merchant: Merchant,
  input: {
    priceId?: string | undefined;
    priceSlug?: string | undefined;
    pricingModelId?: string | undefined;
  },
  now: Date,
): Promise<{ price: PriceRow; product: ProductRow | null }> {
  if ((input.priceId === undefined) === (input.priceSlug === undefined)) {
    throw badRequest("Either priceId or priceSlug must be provided, but not both");
  }
  if (input.priceId !== undefined) {
    const found = await getPriceWithProduct(db, merchant, input.priceId);
    if (!found) throw notFound("Price", input.priceId);
    return found;
  }
  const slug = input.priceSlug as string;
  const pricingModel = input.pricingModelId
    ? await requirePricingModel(db, merchant, input.pricingModelId)
    : await ensureDefaultPricingModel(db, merchant, now);
  const price = await getPriceBySlug(db, merchant, pricingModel.id, slug);
  if (!price) throw notFound(`Price with slug "${slug}" in pricing model`, pricingModel.id);
  const product = price.productId ? ((await getProduct(db, merchant, price.productId)) ?? null) : null;
  return { price, product };
}

/**
 * For a caller that snapshots a price inside its own insert (checkout's one-statement create): a SQL
 * subquery with the price's `id`, `pricing_model_id`, `unit_price` and `currency`, yielding a row only when
 * the price belongs to the merchant (placeholders `organizationId`, `livemode`, `priceId`) and can be sold
 * (active, not a usage price, its product active). When it yields nothing, `resolveCheckoutPrice` says why.
 */
export function sellablePriceSql(): SQL {
  return sql`(select ${prices.id} as id, ${prices.pricingModelId} as pricing_model_id,
      ${prices.unitPrice} as unit_price, ${prices.currency} as currency
    from ${prices} left join ${products}
      on ${products.id} = ${prices.productId} and ${sameTenant(products)}
    where ${prices.id} = ${param("priceId")} and ${sameTenant(prices)}
      and ${prices.active} and ${prices.type} <> 'usage' and (${products.id} is null or ${products.active}))`;
}
