import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { products } from "../db/schema/index.js";
import { panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { insertPrice } from "./create-price.js";
import type { PriceInput } from "./price-terms.js";
import { attachFeatures, checkFeatureIds } from "./product-features.js";
import { requirePricingModel } from "./queries.js";
import type { PriceRow, ProductRow } from "./serialize.js";
import { productSlugTaken } from "./unique-violation.js";

export type ProductFields = {
  name: string;
  description?: string | null | undefined;
  imageURL?: string | null | undefined;
  slug?: string | null | undefined;
  active?: boolean | undefined;
  singularQuantityLabel?: string | null | undefined;
  pluralQuantityLabel?: string | null | undefined;
  purchasePageEnabled?: boolean | undefined;
};

export type CreateProductInput = ProductFields & { pricingModelId: string };

/**
 * A product is never sold without a price: it is created with its first price, which becomes the default.
 * `featureIds` are attached to it; they are checked before anything is written.
 */
export async function createProduct(
  tx: Executor,
  merchant: Merchant,
  input: CreateProductInput,
  priceInput: PriceInput,
  now: Date,
  featureIds: string[] = [],
): Promise<{ product: ProductRow; price: PriceRow }> {
  const pricingModel = await requirePricingModel(tx, merchant, input.pricingModelId);
  const wanted = await checkFeatureIds(tx, merchant, pricingModel.id, featureIds);
  const [product] = await tx
    .insert(products)
    .values({
      id: newId("product"),
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      pricingModelId: pricingModel.id,
      name: input.name,
      description: input.description ?? null,
      imageUrl: input.imageURL ?? null,
      slug: input.slug ?? null,
      active: input.active ?? true,
      singularQuantityLabel: input.singularQuantityLabel ?? null,
      pluralQuantityLabel: input.pluralQuantityLabel ?? null,
      purchasePageEnabled: input.purchasePageEnabled ?? true,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .catch(productSlugTaken(input.slug));
  if (!product) panic("product insert returned nothing");
  const price = await insertPrice(tx, merchant, product, pricingModel.id, priceInput, true, now);
  await attachFeatures(tx, merchant, product, wanted, now);
  return { product, price };
}
