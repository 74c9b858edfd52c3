import type { TestContext, TestMerchant } from "./app.js";

/** Catalog setup through the public API, shared by the catalog test files. */
export function catalogHelpers(ctx: TestContext) {
  async function ok(res: Promise<{ status: number; body: any }>) {
    const r = await res;
    if (r.status !== 200) throw new Error(`expected 200, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async function pricingModel(
    m: TestMerchant,
    body: Record<string, unknown> = { name: "Main" },
    key = m.testKey,
  ) {
    return (await ok(ctx.api("POST", "/api/v1/pricing-models", { key, body: { pricingModel: body } })))
      .pricingModel;
  }

  async function product(
    m: TestMerchant,
    pricingModelId: string,
    productFields: Record<string, unknown> = {},
    price: Record<string, unknown> = { type: "single_payment", unitPrice: 4900 },
  ) {
    const body = { product: { name: "Widget", pricingModelId, ...productFields }, price };
    return (await ok(ctx.api("POST", "/api/v1/products", { key: m.testKey, body }))).product;
  }
  return { ok, pricingModel, product };
}
