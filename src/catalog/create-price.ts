import { and, eq, isNull, ne } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { prices } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { badRequest, notFound, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { getUsageMeter } from "./entitlement-queries.js";
import { normalizePriceTerms, type PriceInput, type PriceTerms, resolveCurrency } from "./price-terms.js";
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

/**
 * Clears the default flag on the meter's other usage prices without a product: a product's usage price follows
 * its product's default rule instead.
 */
export async function unsetOtherMeterDefaultPrices(
  tx: Executor,
  merchant: Merchant,
  usageMeterId: string,
  keepPriceId: string,
  now: Date,
): Promise<void> {
  await tx
    .update(prices)
    .set({ isDefault: false, updatedAt: now })
    .where(
      and(
        ownedBy(prices, merchant),
        eq(prices.usageMeterId, usageMeterId),
        isNull(prices.productId),
        eq(prices.isDefault, true),
        ne(prices.id, keepPriceId),
      ),
    );
}

/** A usage price counts the events of one meter, which must exist in the price's own pricing model. */
async function checkUsageMeter(
  tx: Executor,
  merchant: Merchant,
  terms: PriceTerms,
  pricingModelId: string,
): Promise<void> {
  if (terms.type !== "usage") return;
  if (terms.usageMeterId === null) {
    throw badRequest("Invalid price: price.usageMeterId: usage prices need a usage meter", [
      { path: ["price", "usageMeterId"], message: "usage prices need a usage meter" },
    ]);
  }
  const meter = await getUsageMeter(tx, merchant, terms.usageMeterId);
  if (!meter) throw notFound("Usage meter", terms.usageMeterId);
  if (meter.pricingModelId !== pricingModelId) {
    throw badRequest("The usage meter belongs to another pricing model than the price", [
      { path: ["price", "usageMeterId"], message: "must be a meter of the price's pricing model" },
    ]);
  }
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
  await checkUsageMeter(tx, merchant, terms, pricingModelId);
  const currency = await resolveCurrency(tx, merchant, input.currency);
  const id = newId("price");
  if (isDefault && product) await unsetOtherDefaultPrices(tx, merchant, product.id, id, now);
  if (isDefault && !product && terms.usageMeterId) {
    await unsetOtherMeterDefaultPrices(tx, merchant, terms.usageMeterId, id, now);
  }
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

/**
 * A usage price named without a pricing model lives in its meter's: the SDK's usage price has no
 * `pricingModelId`, so a meter outside the default pricing model would otherwise take no price through it.
 */
async function meterPricingModelId(
  tx: Executor,
  merchant: Merchant,
  input: CreatePriceInput,
  now: Date,
): Promise<string> {
  const meter = input.usageMeterId ? await getUsageMeter(tx, merchant, input.usageMeterId) : undefined;
  return meter?.pricingModelId ?? (await ensureDefaultPricingModel(tx, merchant, now)).id;
}

export async function createPrice(
  tx: Executor,
  merchant: Merchant,
  input: CreatePriceInput,
  now: Date,
): Promise<PriceRow> {
  if (!input.productId) {
    if (input.type !== "usage") throw badRequest(`productId is required for ${input.type} prices`);
    const pricingModelId = input.pricingModelId
      ? (await requirePricingModel(tx, merchant, input.pricingModelId)).id
      : await meterPricingModelId(tx, merchant, input, now);
    return insertPrice(tx, merchant, null, pricingModelId, input, input.isDefault ?? false, now);
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
