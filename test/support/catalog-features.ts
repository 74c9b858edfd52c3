import { type ApiClient, ok, type TestMerchant } from "./api.js";

/** Usage meters, resources and features, made through the public API like a merchant does. */

export async function createUsageMeter(
  ctx: ApiClient,
  m: TestMerchant,
  pricingModelId: string,
  fields: Record<string, unknown> = {},
  price?: Record<string, unknown>,
  key = m.testKey,
) {
  const slug = `meter-${Math.random().toString(36).slice(2, 10)}`;
  const body = {
    usageMeter: { name: "API calls", slug, pricingModelId, ...fields },
    ...(price ? { price } : {}),
  };
  return (await ok(ctx.api("POST", "/api/v1/usage-meters", { key, body }), "usage meter")).usageMeter;
}

export async function createResource(
  ctx: ApiClient,
  m: TestMerchant,
  pricingModelId: string,
  fields: Record<string, unknown> = {},
  key = m.testKey,
) {
  const slug = `resource-${Math.random().toString(36).slice(2, 10)}`;
  const body = { resource: { name: "Seats", slug, pricingModelId, ...fields } };
  return (await ok(ctx.api("POST", "/api/v1/resources", { key, body }), "resource")).resource;
}

/** A toggle unless `fields` say otherwise. */
export async function createFeature(
  ctx: ApiClient,
  m: TestMerchant,
  pricingModelId: string,
  fields: Record<string, unknown> = {},
  key = m.testKey,
) {
  const slug = `feature-${Math.random().toString(36).slice(2, 10)}`;
  const body = { feature: { type: "toggle", name: "SSO", slug, pricingModelId, ...fields } };
  return (await ok(ctx.api("POST", "/api/v1/features", { key, body }), "feature")).feature;
}
