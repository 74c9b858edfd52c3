import { eq } from "drizzle-orm";
import type { Merchant } from "../../src/context/index.js";
import type { FeatureType, RenewalFrequency } from "../../src/db/schema/index.js";
import { features, productFeatures, resources, usageMeters } from "../../src/db/schema/index.js";
import { newId } from "../../src/lib/ids.js";
import type { TestContext } from "./app.js";
import { type BillingFixture, billingFixture } from "./records.js";

/**
 * Catalog definitions for the entitlement tests, written as rows: the catalog's routes for features, resources
 * and product features are being written in parallel (test/support/catalog-features.ts makes them through the
 * API once they exist). Every row is stamped with the app clock's instant, as the API would.
 */

type Tenant = Pick<Merchant, "organizationId" | "livemode">;
const slugOf = (kind: string) => `${kind}-${Math.random().toString(36).slice(2, 10)}`;
const tenantOf = (m: Tenant) => ({ organizationId: m.organizationId, livemode: m.livemode });

export async function insertResource(
  ctx: TestContext,
  m: Tenant,
  pricingModelId: string,
  fields: { slug?: string; name?: string } = {},
) {
  const now = ctx.deps.now();
  const [row] = await ctx.deps.db
    .insert(resources)
    .values({
      id: newId("resource"),
      ...tenantOf(m),
      pricingModelId,
      name: fields.name ?? "Seats",
      slug: fields.slug ?? slugOf("seats"),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new Error("resource not inserted");
  return row;
}

export async function insertUsageMeter(ctx: TestContext, m: Tenant, pricingModelId: string) {
  const now = ctx.deps.now();
  const [row] = await ctx.deps.db
    .insert(usageMeters)
    .values({
      id: newId("usageMeter"),
      ...tenantOf(m),
      pricingModelId,
      name: "API calls",
      slug: slugOf("calls"),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new Error("usage meter not inserted");
  return row;
}

export type FeatureFields = {
  type?: FeatureType;
  slug?: string;
  name?: string;
  amount?: number | null;
  renewalFrequency?: RenewalFrequency | null;
  usageMeterId?: string | null;
  resourceId?: string | null;
  active?: boolean;
};

/** A toggle unless `fields` say otherwise. */
export async function insertFeature(
  ctx: TestContext,
  m: Tenant,
  pricingModelId: string,
  fields: FeatureFields = {},
) {
  const now = ctx.deps.now();
  const type = fields.type ?? "toggle";
  const [row] = await ctx.deps.db
    .insert(features)
    .values({
      id: newId("feature"),
      ...tenantOf(m),
      pricingModelId,
      type,
      name: fields.name ?? `Feature ${type}`,
      slug: fields.slug ?? slugOf(type),
      amount: fields.amount ?? null,
      renewalFrequency: fields.renewalFrequency ?? null,
      usageMeterId: fields.usageMeterId ?? null,
      resourceId: fields.resourceId ?? null,
      active: fields.active ?? true,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new Error("feature not inserted");
  return row;
}

/** Attaches the feature to the product (what `featureIds` on a product does), at the app clock's instant. */
export async function attachFeature(
  ctx: TestContext,
  m: Tenant,
  productId: string,
  feature: { id: string; pricingModelId: string },
) {
  const now = ctx.deps.now();
  const [row] = await ctx.deps.db
    .insert(productFeatures)
    .values({
      id: newId("productFeature"),
      ...tenantOf(m),
      pricingModelId: feature.pricingModelId,
      productId,
      featureId: feature.id,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new Error("product feature not inserted");
  return row;
}

/** Detaches a product feature at `at` (the catalog expires attachments rather than deleting them). */
export async function expireProductFeature(ctx: TestContext, productFeatureId: string, at: Date) {
  await ctx.deps.db
    .update(productFeatures)
    .set({ expiredAt: at, updatedAt: at })
    .where(eq(productFeatures.id, productFeatureId));
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

type FeatureRow = typeof features.$inferSelect;
type ProductFeatureRow = typeof productFeatures.$inferSelect;
type ResourceRow = typeof resources.$inferSelect;

/** The billing fixture whose plan's product grants a toggle ("sso") and `seats` seats per unit. */
export async function entitledFixture(
  ctx: TestContext,
  options: { seats?: number; live?: boolean } = {},
): Promise<EntitledFixture> {
  const f = await billingFixture(ctx, { live: options.live === true });
  const productId = f.monthly.productId;
  if (productId === null) throw new Error("fixture plan has no product");
  const toggle = await insertFeature(ctx, f.merchant, f.pricingModelId, { slug: "sso", name: "SSO" });
  const seats = await insertResource(ctx, f.merchant, f.pricingModelId, { slug: "seats" });
  const seatsFeature = await insertFeature(ctx, f.merchant, f.pricingModelId, {
    type: "resource",
    slug: "seat-pack",
    name: "Seat pack",
    amount: options.seats ?? 5,
    resourceId: seats.id,
  });
  const togglePf = await attachFeature(ctx, f.merchant, productId, toggle);
  const seatsPf = await attachFeature(ctx, f.merchant, productId, seatsFeature);
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
