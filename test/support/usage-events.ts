import { eq } from "drizzle-orm";
import {
  billingPeriods,
  subscriptions,
  usageDistinctValues,
  usageEvents,
  usagePeriodTotals,
} from "../../src/db/schema/index.js";
import { type ApiClient, type ApiResult, ok } from "./api.js";
import type { TestContext } from "./app.js";
import { createUsageMeter } from "./catalog-features.js";
import { type BillingFixture, billingFixture } from "./records.js";

/** A usage meter made through the API, with the usage price `POST /usage-meters` made for it. */
export type MeterWithPrice = { id: string; slug: string; priceId: string; priceSlug: string };

/**
 * A merchant's catalog (billingFixture) with a current subscription (started through `POST /subscriptions`,
 * nothing charged) and two meters of its pricing model, each with its default usage price: `sum` (API calls)
 * and `distinct` (count_distinct_properties, active users).
 */
export type UsageFixture = BillingFixture & {
  subscriptionId: string;
  billingPeriodId: string;
  sum: MeterWithPrice;
  distinct: MeterWithPrice;
};

export async function meterWithPrice(
  ctx: ApiClient,
  f: BillingFixture,
  fields: Record<string, unknown> = {},
  price: Record<string, unknown> = { unitPrice: 10 },
  pricingModelId = f.pricingModelId,
): Promise<MeterWithPrice> {
  const meter = await createUsageMeter(ctx, f.m, pricingModelId, fields, price, f.key);
  const details = await ok(
    ctx.api("GET", `/api/v1/pricing-models/${pricingModelId}`, { key: f.key }),
    "model",
  );
  const listed = details.pricingModel.usageMeters.find((m: { id: string }) => m.id === meter.id);
  if (!listed?.defaultPrice)
    throw new Error(`meter ${meter.id} has no default price: ${JSON.stringify(listed)}`);
  return {
    id: meter.id,
    slug: meter.slug,
    priceId: listed.defaultPrice.id,
    priceSlug: listed.defaultPrice.slug,
  };
}

/** A subscription to `priceId` (the fixture's monthly plan unless given), active at once, never charged. */
export async function subscribeWithoutCharge(ctx: ApiClient, f: BillingFixture, priceId = f.monthly.id) {
  return (
    await ok(
      ctx.api("POST", "/api/v1/subscriptions", {
        key: f.key,
        body: { customerId: f.customerId, priceId, doNotCharge: true },
      }),
      "subscription",
    )
  ).subscription;
}

export async function usageFixture(
  ctx: TestContext,
  options: { live?: boolean } = {},
): Promise<UsageFixture> {
  const f = await billingFixture(ctx, options);
  const subscription = await subscribeWithoutCharge(ctx, f);
  const sum = await meterWithPrice(ctx, f, { name: "API calls" });
  const distinct = await meterWithPrice(
    ctx,
    f,
    { name: "Active users", aggregationType: "count_distinct_properties" },
    { unitPrice: 500 },
  );
  const details = await ok(
    ctx.api("GET", `/api/v1/subscriptions/${subscription.id}`, { key: f.key }),
    "subscription",
  );
  if (details.subscription.status !== "active")
    throw new Error(`subscription is ${details.subscription.status}`);
  const billingPeriodId = await currentBillingPeriodId(ctx, subscription.id);
  return { ...f, subscriptionId: subscription.id, billingPeriodId, sum, distinct };
}

async function currentBillingPeriodId(ctx: TestContext, subscriptionId: string): Promise<string> {
  const [sub] = await ctx.deps.db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId));
  const periods = await ctx.deps.db
    .select()
    .from(billingPeriods)
    .where(eq(billingPeriods.subscriptionId, subscriptionId));
  const current = periods.find((p) => p.startDate.getTime() === sub?.currentBillingPeriodStart?.getTime());
  if (!current) throw new Error(`subscription ${subscriptionId} has no current billing period`);
  return current.id;
}

export const postUsageEvent = (ctx: ApiClient, key: string, usageEvent: unknown): Promise<ApiResult> =>
  ctx.api("POST", "/api/v1/usage-events", { key, body: { usageEvent } });

export const postUsageEvents = (ctx: ApiClient, key: string, usageEvents: unknown[]): Promise<ApiResult> =>
  ctx.api("POST", "/api/v1/usage-events/bulk", { key, body: { usageEvents } });

let txn = 0;
/** A transaction id no other test uses. */
export const newTransactionId = () =>
  `txn_${Date.now().toString(36)}_${(txn++).toString(36)}_${Math.random().toString(36).slice(2)}`;

/** The subscription's running totals, as [billingPeriodId, usageMeterId, priceId, total, eventCount], sorted. */
/** Records one event on the fixture's subscription (a fresh transaction id unless given) and returns it. */
export async function recordUsageEvent(ctx: ApiClient, f: UsageFixture, event: Record<string, unknown>) {
  const body = { subscriptionId: f.subscriptionId, transactionId: newTransactionId(), ...event };
  return (await ok(postUsageEvent(ctx, f.key, body), "usage event")).usageEvent;
}

export async function totalsOf(ctx: TestContext, subscriptionId: string) {
  const rows = await ctx.deps.db
    .select()
    .from(usagePeriodTotals)
    .where(eq(usagePeriodTotals.subscriptionId, subscriptionId));
  return rows
    .map((r) => [r.billingPeriodId, r.usageMeterId, r.priceId, r.total, r.eventCount] as const)
    .sort((a, b) => `${a[0]}${a[1]}${a[2]}`.localeCompare(`${b[0]}${b[1]}${b[2]}`));
}

/** Every stored event of the subscription, and how many distinct values its meters have seen. */
export async function eventsOf(ctx: TestContext, subscriptionId: string) {
  const events = await ctx.deps.db
    .select()
    .from(usageEvents)
    .where(eq(usageEvents.subscriptionId, subscriptionId));
  const values = await ctx.deps.db
    .select()
    .from(usageDistinctValues)
    .where(eq(usageDistinctValues.subscriptionId, subscriptionId));
  return { events, distinctValues: values.length };
}
