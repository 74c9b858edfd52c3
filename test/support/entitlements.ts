import { type ApiClient, ok } from "./api.js";
import type { TestContext } from "./app.js";
import { createFeature, createResource } from "./catalog-features.js";
import { type BillingFixture, billingFixture } from "./records.js";

/** Entitlement fixtures: a plan whose product grants features, made through the public API. */

/** Attaches the feature to the product (POST /product-features), at the app clock's instant. */
export async function attachFeature(ctx: ApiClient, key: string, productId: string, featureId: string) {
  const body = { productFeature: { productId, featureId } };
  return (await ok(ctx.api("POST", "/api/v1/product-features", { key, body }), "product feature"))
    .productFeature;
}

/** Detaches a product feature now (the catalog expires attachments rather than deleting them). */
export async function expireProductFeature(ctx: ApiClient, key: string, productFeatureId: string) {
  return (
    await ok(
      ctx.api("POST", `/api/v1/product-features/${productFeatureId}/expire`, { key, body: {} }),
      "expire product feature",
    )
  ).productFeature;
}

export type EntitledFixture = BillingFixture & {
  productId: string;
  /** A toggle feature ("sso") on the monthly plan's product. */
  toggle: FeatureRow;
  togglePf: ProductFeatureRow;
  /** The "seats" resource, and a resource feature on the product giving `seats` of it per unit. */
  seats: ResourceRow;
  seatsFeature: FeatureRow;
  seatsPf: ProductFeatureRow;
};

/** Wire records (the catalog's features, product features and resources). */
type FeatureRow = { id: string; pricingModelId: string; slug: string };
type ProductFeatureRow = { id: string; productId: string; featureId: string };
type ResourceRow = { id: string; slug: string; pricingModelId: string };

/** The billing fixture whose plan's product grants a toggle ("sso") and `seats` seats per unit. */
export async function entitledFixture(
  ctx: TestContext,
  options: { seats?: number; live?: boolean } = {},
): Promise<EntitledFixture> {
  const f = await billingFixture(ctx, { live: options.live === true });
  const productId = f.monthly.productId;
  if (productId === null) throw new Error("fixture plan has no product");
  const toggle = await createFeature(ctx, f.m, f.pricingModelId, { slug: "sso", name: "SSO" }, f.key);
  const seats = await createResource(ctx, f.m, f.pricingModelId, { slug: "seats" }, f.key);
  const seatsFeature = await createFeature(
    ctx,
    f.m,
    f.pricingModelId,
    {
      type: "resource",
      slug: "seat-pack",
      name: "Seat pack",
      amount: options.seats ?? 5,
      resourceId: seats.id,
    },
    f.key,
  );
  const togglePf = await attachFeature(ctx, f.key, productId, toggle.id);
  const seatsPf = await attachFeature(ctx, f.key, productId, seatsFeature.id);
  return { ...f, productId, toggle, togglePf, seats, seatsFeature, seatsPf };
}

/** POST /subscriptions for the fixture's customer (nothing charged unless `doNotCharge: false`). */
export async function subscribeTo(
  ctx: TestContext,
  f: BillingFixture,
  body: Record<string, unknown> = {},
): Promise<any> {
  const res = await ctx.api("POST", "/api/v1/subscriptions", {
    key: f.key,
    body: { customerId: f.customerId, priceId: f.monthly.id, doNotCharge: true, ...body },
  });
  if (res.status !== 200) throw new Error(`subscribe: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.subscription;
}

/** The customer's billing view, as getBilling() reads it. */
export async function billingOf(ctx: TestContext, f: BillingFixture, key = f.key): Promise<any> {
  const res = await ctx.api("GET", `/api/v1/customers/${encodeURIComponent(f.externalId)}/billing`, { key });
  if (res.status !== 200) throw new Error(`billing: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The featureItems of one subscription in the billing view. */
export async function featureItemsOf(ctx: TestContext, f: BillingFixture, subscriptionId: string) {
  const billing = await billingOf(ctx, f);
  const sub = billing.subscriptions.find((s: { id: string }) => s.id === subscriptionId);
  if (!sub) throw new Error(`subscription ${subscriptionId} not in billing`);
  return sub.experimental.featureItems as any[];
}
