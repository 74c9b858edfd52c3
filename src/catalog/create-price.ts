import { and, eq, ne } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { prices } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { badRequest, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { normalizePriceTerms, type PriceInput, resolveCurrency } from "./price-terms.js";
import { ensureDefaultPricingModel } from "./pricing-models.js";
import { getDefaultPriceForProduct, requirePricingModel, requireProduct } from "./queries.js";
import type { PriceRow, ProductRow } from "./serialize.js";
import { priceSlugTaken } from "./unique-violation.js";

export type CreatePriceInput = PriceInput & {
  productId?: string | null | undefined;
  /** Only for usage prices without a product; others take their product's pricing model. */
  pricingModelId?: string | undefined;
};

/** Clears the default flag on the product's other prices so exactly one remains flagged. */
export async function unsetOtherDefaultPrices(
  tx: Executor,
  merchant: Merchant,
  productId: string,
  keepPriceId: string,
  now: Date,
): Promise<void> {
  await tx
    .update(prices)
    .set({ isDefault: false, updatedAt: now })
    .where(
      and(
        ownedBy(prices, merchant),
        eq(prices.productId, productId),
        eq(prices.isDefault, true),
        ne(prices.id, keepPriceId),
      ),
    );
}

/** Inserts a price for an already-verified product (or none); `isDefault` is final here. */
export async function insertPrice(
  tx: Executor,
  merchant: Merchant,
  product: ProductRow | null,
  pricingModelId: string,
  input: PriceInput,
  isDefault: boolean,
  now: Date,
): Promise<PriceRow> {
  const terms = normalizePriceTerms(input);
  const currency = await resolveCurrency(tx, merchant, input.currency);
  const id = newId("price");
  if (isDefault && product) await unsetOtherDefaultPrices(tx, merchant, product.id, id, now);
  const [row] = await tx
    .insert(prices)
    .values({
      id,
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      pricingModelId,
      productId: product?.id ?? null,
      ...terms,
      currency,
      name: input.name ?? null,
      slug: input.slug ?? null,
      isDefault,
      active: input.active ?? true,
      purchasePageEnabled: input.purchasePageEnabled ?? true,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .catch(priceSlugTaken(input.slug));
  if (!row) panic("price insert returned nothing");
  return row;
}

export async function createPrice(
  tx: Executor,
  merchant: Merchant,
  input: CreatePriceInput,
  now: Date,
): Promise<PriceRow> {
  if (!input.productId) {
    if (input.type !== "usage") throw badRequest(`productId is required for ${input.type} prices`);
    const pricingModel = input.pricingModelId
      ? await requirePricingModel(tx, merchant, input.pricingModelId)
      : await ensureDefaultPricingModel(tx, merchant, now);
    return insertPrice(tx, merchant, null, pricingModel.id, input, input.isDefault ?? false, now);
  }
  const product = await requireProduct(tx, merchant, input.productId);
  if (input.pricingModelId && input.pricingModelId !== product.pricingModelId) {
    throw badRequest("pricingModelId must match the product's pricing model");
  }
  // A product's first price becomes its default even when the caller did not say so.
  const isDefault =
    input.isDefault ?? !(await getDefaultPriceForProduct(tx, merchant, product.id))?.isDefault;
  return insertPrice(tx, merchant, product, product.pricingModelId, input, isDefault, now);
}
