import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { Merchant } from "../../src/context/index.js";
import {
  type AggregationType,
  billingPeriods,
  type RenewalFrequency,
  subscriptionItems,
  subscriptions,
  usageDistinctValues,
  usageEvents,
  usagePeriodTotals,
} from "../../src/db/schema/index.js";
import { newId } from "../../src/lib/ids.js";
import type { TestContext } from "./app.js";
import { createPrice } from "./catalog.js";
import { createFeature, createUsageMeter } from "./catalog-features.js";
import { type BillingFixture, loadPrice, type PriceRow } from "./records.js";

/*
 * Usage meters, credit features and their attachments go through the catalog's API. Recorded usage (an event
 * plus the running totals its ingest statement keeps) is written straight to the tables while the ingest API
 * is built on another branch, and a usage price held as a subscription item is a row (no route makes one).
 */

/** A usage meter's wire record (the fields the usage tests use). */
export type MeterRecord = {
  id: string;
  slug: string;
  name: string;
  pricingModelId: string;
  aggregationType: AggregationType;
};

const tenantOf = (m: Merchant) => ({ organizationId: m.organizationId, livemode: m.livemode });

export async function usageMeter(
  ctx: TestContext,
  f: BillingFixture,
  meter: { slug: string; name?: string; aggregationType?: AggregationType },
): Promise<MeterRecord> {
  return createUsageMeter(ctx, f.m, f.pricingModelId, { name: meter.slug, ...meter }, undefined, f.key);
}

/** A usage price of the meter, through POST /prices. */
export async function usagePrice(
  ctx: TestContext,
  f: BillingFixture,
  meter: MeterRecord,
  price: { unitPrice: number; usageEventsPerUnit?: number; name?: string },
): Promise<PriceRow> {
  const created = await createPrice(
    ctx,
    f.m,
    {
      type: "usage",
      pricingModelId: f.pricingModelId,
      currency: "USD",
      usageMeterId: meter.id,
      ...price,
    },
    f.key,
  );
  return loadPrice(ctx, created.id);
}

/** A usage_credit_grant feature on the meter, through POST /features. */
export async function creditFeature(
  ctx: TestContext,
  f: BillingFixture,
  feature: { slug: string; meter: MeterRecord; amount: number; renewalFrequency: RenewalFrequency },
): Promise<{ id: string }> {
  return createFeature(
    ctx,
    f.m,
    f.pricingModelId,
    {
      type: "usage_credit_grant",
      name: feature.slug,
      slug: feature.slug,
      amount: feature.amount,
      renewalFrequency: feature.renewalFrequency,
      usageMeterId: feature.meter.id,
    },
    f.key,
  );
}

/** Gives the subscription a usage price as an item from `addedDate` (POST /subscriptions only sells plans). */
export async function holdUsagePrice(
  ctx: TestContext,
  merchant: Merchant,
  subscriptionId: string,
  price: PriceRow,
  addedDate: Date,
) {
  await ctx.deps.db.insert(subscriptionItems).values({
    id: newId("subscriptionItem"),
    ...tenantOf(merchant),
    subscriptionId,
    priceId: price.id,
    name: price.name,
    quantity: 1,
    unitPrice: price.unitPrice,
    addedDate,
    createdAt: addedDate,
    updatedAt: addedDate,
  });
}

/** The subscription's current billing period, as ingest stamps it on an event. */
export async function currentPeriodId(ctx: TestContext, subscriptionId: string): Promise<string> {
  const [row] = await ctx.deps.db
    .select({ id: billingPeriods.id })
    .from(subscriptions)
    .innerJoin(
      billingPeriods,
      and(
        eq(billingPeriods.subscriptionId, subscriptions.id),
        eq(billingPeriods.startDate, subscriptions.currentBillingPeriodStart),
      ),
    )
    .where(eq(subscriptions.id, subscriptionId));
  if (!row) throw new Error(`subscription ${subscriptionId} has no current period`);
  return row.id;
}

const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value && typeof value === "object"
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
        )
      : value;

/**
 * One usage event, counted as ingest counts it: toward the subscription's current period (or the period
 * given, for an event that raced past its period's invoice); a sum meter adds the amount, a
 * count_distinct_properties meter adds 1 for properties it has not seen in the period.
 */
export async function recordUsage(
  ctx: TestContext,
  merchant: Merchant,
  usage: {
    subscriptionId: string;
    meter: MeterRecord;
    price: PriceRow | null;
    amount: number;
    properties?: Record<string, unknown>;
    billingPeriodId?: string;
  },
): Promise<void> {
  const periodId = usage.billingPeriodId ?? (await currentPeriodId(ctx, usage.subscriptionId));
  const [sub] = await ctx.deps.db
    .select()
    .from(subscriptions)
    .where(eq(subscriptions.id, usage.subscriptionId));
  if (!sub) throw new Error(`subscription ${usage.subscriptionId} missing`);
  const now = ctx.deps.now();
  await ctx.deps.db.transaction(async (tx) => {
    await tx.insert(usageEvents).values({
      id: newId("usageEvent"),
      ...tenantOf(merchant),
      pricingModelId: sub.pricingModelId,
      customerId: sub.customerId,
      subscriptionId: sub.id,
      usageMeterId: usage.meter.id,
      priceId: usage.price?.id ?? null,
      billingPeriodId: periodId,
      amount: usage.amount,
      usageDate: now,
      transactionId: newId("usageEvent"),
      properties: usage.properties ?? null,
      createdAt: now,
      updatedAt: now,
    });
    let delta = usage.amount;
    if (usage.meter.aggregationType === "count_distinct_properties") {
      const valueHash = createHash("sha256")
        .update(JSON.stringify(canonical(usage.properties ?? {})))
        .digest("hex");
      const inserted = await tx
        .insert(usageDistinctValues)
        .values({
          subscriptionId: sub.id,
          billingPeriodId: periodId,
          usageMeterId: usage.meter.id,
          valueHash,
        })
        .onConflictDoNothing()
        .returning();
      delta = inserted.length;
    }
    await tx
      .insert(usagePeriodTotals)
      .values({
        ...tenantOf(merchant),
        subscriptionId: sub.id,
        billingPeriodId: periodId,
        usageMeterId: usage.meter.id,
        priceId: usage.price?.id ?? "",
        total: delta,
        eventCount: 1,
      })
      .onConflictDoUpdate({
        target: [
          usagePeriodTotals.subscriptionId,
          usagePeriodTotals.billingPeriodId,
          usagePeriodTotals.usageMeterId,
          usagePeriodTotals.priceId,
        ],
        set: {
          total: sql`${usagePeriodTotals.total} + ${delta}`,
          eventCount: sql`${usagePeriodTotals.eventCount} + 1`,
        },
      });
  });
}
