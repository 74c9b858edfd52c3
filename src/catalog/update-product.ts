import { and, eq } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { prices, products } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { badRequest, panic } from "../lib/errors.js";
import { insertPrice } from "./create-price.js";
import type { ProductFields } from "./create-product.js";
import { normalizePriceTerms, type PriceInput, resolveCurrency, sameTerms } from "./price-terms.js";
import { syncProductFeatures } from "./product-features.js";
import { getDefaultPriceForProduct, requireProduct } from "./queries.js";
import type { PriceRow, ProductRow } from "./serialize.js";
import { productSlugTaken } from "./unique-violation.js";
import { applyPriceChanges } from "./update-price.js";

export type UpdateProductInput = Partial<ProductFields> & {
  id?: string | undefined;
  pricingModelId?: string | undefined;
};

/**
 * A `price` sent with a product update describes the product's default price. Same charging terms: its name,
 * slug and flags are updated in place. Different terms: a new default price is created (existing subscriptions
 * keep the old one), and a slug the product's older price held moves to the new price so checkouts by slug
 * pick up the change.
 */
async function reviseDefaultPrice(
  tx: Executor,
  merchant: Merchant,
  product: ProductRow,
  input: PriceInput,
  now: Date,
) {
  const current = await getDefaultPriceForProduct(tx, merchant, product.id);
  const terms = normalizePriceTerms(input);
  const currency = await resolveCurrency(tx, merchant, input.currency ?? current?.currency);
  if (current && currency === current.currency && sameTerms(terms, current)) {
    return applyPriceChanges(tx, merchant, current, { ...input, isDefault: true }, now);
  }
  if (input.slug) {
    await tx
      .update(prices)
      .set({ slug: null, updatedAt: now })
      .where(and(ownedBy(prices, merchant), eq(prices.productId, product.id), eq(prices.slug, input.slug)));
  }
  return insertPrice(tx, merchant, product, product.pricingModelId, { ...input, currency }, true, now);
}

export async function updateProduct(
  tx: Executor,
  merchant: Merchant,
  productId: string,
  input: UpdateProductInput,
  now: Date,
  priceInput?: PriceInput,
  featureIds?: string[],
): Promise<{ product: ProductRow; price: PriceRow | undefined }> {
  if (input.id !== undefined && input.id !== productId) throw badRequest("product.id does not match the URL");
  const current = await requireProduct(tx, merchant, productId);
  if (input.pricingModelId !== undefined && input.pricingModelId !== current.pricingModelId) {
    throw badRequest("A product cannot move to another pricing model");
  }
  const [product] = await tx
    .update(products)
    .set({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.imageURL !== undefined ? { imageUrl: input.imageURL } : {}),
      ...(input.slug !== undefined ? { slug: input.slug } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      ...(input.singularQuantityLabel !== undefined
        ? { singularQuantityLabel: input.singularQuantityLabel }
        : {}),
      ...(input.pluralQuantityLabel !== undefined ? { pluralQuantityLabel: input.pluralQuantityLabel } : {}),
      ...(input.purchasePageEnabled !== undefined ? { purchasePageEnabled: input.purchasePageEnabled } : {}),
      updatedAt: now,
    })
    .where(and(eq(products.id, productId), ownedBy(products, merchant)))
    .returning()
    .catch(productSlugTaken(input.slug));
  if (!product) panic("product update returned nothing");
  const price = priceInput ? await reviseDefaultPrice(tx, merchant, product, priceInput, now) : undefined;
  if (featureIds) await syncProductFeatures(tx, merchant, product, featureIds, now);
  return { product, price };
}
