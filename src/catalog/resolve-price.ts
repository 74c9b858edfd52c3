import type { Executor } from "../db/client.js";
import type { Merchant } from "../http/types.js";
import { badRequest, notFound } from "../lib/errors.js";
import { ensureDefaultPricingModel } from "./pricing-models.js";
import { getPriceBySlug, getPriceWithProduct, getProduct, requirePricingModel } from "./queries.js";
import type { PriceRow, ProductRow } from "./serialize.js";

/**
 * The price a checkout asks for, by id or by slug (looked up in `pricingModelId`, else the default pricing
 * model). Activity is not checked: the caller decides whether an inactive price may be sold.
 */
export async function resolveCheckoutPrice(
  db: Executor,
  merchant: Merchant,
  input: {
    priceId?: string | undefined;
    priceSlug?: string | undefined;
    pricingModelId?: string | undefined;
  },
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
    : await ensureDefaultPricingModel(db, merchant);
  const price = await getPriceBySlug(db, merchant, pricingModel.id, slug);
  if (!price) throw notFound(`Price with slug "${slug}" in pricing model`, pricingModel.id);
  const product = price.productId ? ((await getProduct(db, merchant, price.productId)) ?? null) : null;
  return { price, product };
}
