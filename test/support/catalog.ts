import { type ApiClient, ok, type TestMerchant } from "./api.js";

/** Catalog setup through the public API, as a merchant builds it. */

export async function createPricingModel(
  ctx: ApiClient,
  m: TestMerchant,
  body: Record<string, unknown> = { name: "Main" },
  key = m.testKey,
) {
  return (
    await ok(
      ctx.api("POST", "/api/v1/pricing-models", { key, body: { pricingModel: body } }),
      "pricing model",
    )
  ).pricingModel;
}

export async function createProduct(
  ctx: ApiClient,
  m: TestMerchant,
  pricingModelId: string,
  productFields: Record<string, unknown> = {},
  price: Record<string, unknown> = { type: "single_payment", unitPrice: 4900 },
  key = m.testKey,
) {
  const body = { product: { name: "Widget", pricingModelId, ...productFields }, price };
  return (await ok(ctx.api("POST", "/api/v1/products", { key, body }), "product")).product;
}

export async function createPrice(
  ctx: ApiClient,
  m: TestMerchant,
  price: Record<string, unknown>,
  key = m.testKey,
) {
  return (await ok(ctx.api("POST", "/api/v1/prices", { key, body: { price } }), "price")).price;
}

export type CatalogFixture = {
  merchant: TestMerchant;
  pricingModelId: string;
  productId: string;
  oneTimePriceId: string;
  monthlyPriceId: string;
  trialPriceId: string;
  freePriceId: string;
  slugs: { oneTime: string; monthly: string; trial: string };
};

/** A merchant with a product and four prices, made through the public API like a real merchant would. */
export async function catalogFixture(
  ctx: ApiClient & { merchant: (name?: string) => Promise<TestMerchant> },
  options: { productName?: string; merchantName?: string } = {},
): Promise<CatalogFixture> {
  const merchant = await ctx.merchant(options.merchantName);
  const pm = await createPricingModel(ctx, merchant, { name: "Main", isDefault: true });
  const pricingModelId: string = pm.id;
  const product = await createProduct(
    ctx,
    merchant,
    pricingModelId,
    { name: options.productName ?? "Glade Pro", active: true, description: "Everything, forever." },
    { type: "single_payment", unitPrice: 1999, currency: "USD", slug: "pro-once", isDefault: true },
  );
  const productId: string = product.id;
  const full = await ok(
    ctx.api("GET", `/api/v1/products/${productId}`, { key: merchant.testKey }),
    "product read",
  );
  const oneTimePriceId = full.prices[0].id;
  const addPrice = async (price: Record<string, unknown>) =>
    (await createPrice(ctx, merchant, { productId, currency: "USD", ...price })).id as string;
  const monthlyPriceId = await addPrice({
    type: "subscription",
    unitPrice: 900,
    intervalUnit: "month",
    intervalCount: 1,
    slug: "pro-monthly",
  });
  const trialPriceId = await addPrice({
    type: "subscription",
    unitPrice: 1500,
    intervalUnit: "month",
    intervalCount: 1,
    trialPeriodDays: 14,
    slug: "pro-trial",
  });
  const freePriceId = await addPrice({ type: "single_payment", unitPrice: 0, slug: "pro-free" });
  return {
    merchant,
    pricingModelId,
    productId,
    oneTimePriceId,
    monthlyPriceId,
    trialPriceId,
    freePriceId,
    slugs: { oneTime: "pro-once", monthly: "pro-monthly", trial: "pro-trial" },
  };
}
