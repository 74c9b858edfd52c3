import { and, eq } from "drizzle-orm";
import {
  billingPeriods,
  payments,
  purchases,
  type RenewalFrequency,
  usageCreditApplications,
} from "../../src/db/schema/index.js";
import { ok } from "./api.js";
import type { TestContext } from "./app.js";
import { createProduct } from "./catalog.js";
import { openSession, payCheckout } from "./checkout.js";
import { attachFeature } from "./entitlements.js";
import type { PriceRow } from "./records.js";
import { type AdjustFixture, adjustFixture, moneyOf } from "./subscriptions.js";
import { creditFeature, type MeterRecord, usageMeter, usagePrice } from "./usage.js";

/* A tenant with metered prices and a plan, and what the usage tests read back: renewal invoices, the ledger. */

/** The billing fixture (USD 19.99 a month plan) with two meters and a usage price on each. */
export type UsageWorld = AdjustFixture & {
  /** A sum meter, billed 3 cents per 100 calls. */
  calls: MeterRecord;
  callsPrice: PriceRow;
  /** A count_distinct_properties meter, billed 5.00 per distinct seat. */
  seats: MeterRecord;
  seatsPrice: PriceRow;
};

export async function usageWorld(ctx: TestContext): Promise<UsageWorld> {
  const f = await adjustFixture(ctx);
  const calls = await usageMeter(ctx, f, { slug: "api-calls", name: "API calls" });
  const seats = await usageMeter(ctx, f, {
    slug: "seats",
    name: "Seats",
    aggregationType: "count_distinct_properties",
  });
  const callsPrice = await usagePrice(ctx, f, calls, {
    unitPrice: 3,
    usageEventsPerUnit: 100,
    name: "API calls",
  });
  const seatsPrice = await usagePrice(ctx, f, seats, { unitPrice: 500 });
  return { ...f, calls, callsPrice, seats, seatsPrice };
}

/** A credit feature of the world's pricing model, attached to its plan's product at the app clock's instant. */
export async function planCredits(
  ctx: TestContext,
  w: UsageWorld,
  credit: { slug: string; meter: MeterRecord; amount: number; renewalFrequency: RenewalFrequency },
  productId = w.monthly.productId ?? "",
): Promise<{ id: string }> {
  const feature = await creditFeature(ctx, w, credit);
  await attachFeature(ctx, w.key, productId, feature.id);
  return feature;
}

/** The invoice a renewal made for the period starting at `start`, with its lines by type. */
export async function renewalInvoice(ctx: TestContext, subscriptionId: string, start: number) {
  const [period] = await ctx.deps.db
    .select()
    .from(billingPeriods)
    .where(
      and(eq(billingPeriods.subscriptionId, subscriptionId), eq(billingPeriods.startDate, new Date(start))),
    );
  if (!period) throw new Error(`no period of ${subscriptionId} starts at ${new Date(start).toISOString()}`);
  const money = await moneyOf(ctx, subscriptionId);
  const invoices = money.invoices.filter((i) => i.billingPeriodId === period.id);
  if (invoices.length !== 1)
    throw new Error(`expected one invoice for ${period.id}, found ${invoices.length}`);
  const invoice = invoices[0] as (typeof invoices)[number];
  const lines = money.lines.filter((l) => l.invoiceId === invoice.id);
  return {
    invoice,
    static: lines.filter((l) => l.type === "static"),
    usage: lines.filter((l) => l.type === "usage"),
    payments: money.payments.filter((p) => p.invoiceId === invoice.id),
  };
}

/** The applications ledger of the customer, oldest first, as [creditKey, billingPeriodId, amount]. */
export async function creditLedger(ctx: TestContext, customerId: string) {
  const rows = await ctx.deps.db
    .select()
    .from(usageCreditApplications)
    .where(eq(usageCreditApplications.customerId, customerId))
    .orderBy(usageCreditApplications.position);
  return rows.map((r) => [r.creditKey, r.billingPeriodId, r.amount]);
}

/** A credit pack: a single-payment product (USD 5.00) whose usage_credit_grant feature gives `credits` per pack. */
export async function topUpProduct(ctx: TestContext, w: UsageWorld, meter: MeterRecord, credits: number) {
  const slug = `pack-${Math.random().toString(36).slice(2, 8)}`;
  const product = await createProduct(
    ctx,
    w.m,
    w.pricingModelId,
    { name: `Pack of ${credits}`, slug },
    { type: "single_payment", unitPrice: 500, currency: "USD", slug: `${slug}-once` },
    w.key,
  );
  const detail = await ok(ctx.api("GET", `/api/v1/products/${product.id}`, { key: w.key }), "pack");
  const feature = await creditFeature(ctx, w, {
    slug: `${slug}-credits`,
    meter,
    amount: credits,
    renewalFrequency: "once",
  });
  await attachFeature(ctx, w.key, product.id, feature.id);
  return { productId: product.id as string, priceId: detail.defaultPrice.id as string };
}

/** The world's customer buys `quantity` packs through the hosted checkout; the purchase and its payment. */
export async function buyTopUp(ctx: TestContext, w: UsageWorld, priceId: string, quantity = 1) {
  const { checkoutSession } = await openSession(ctx, w.key, {
    type: "product",
    customerExternalId: w.externalId,
    priceId,
    quantity,
  });
  await payCheckout(ctx, checkoutSession.id);
  const [purchase] = await ctx.deps.db
    .select()
    .from(purchases)
    .where(eq(purchases.checkoutSessionId, checkoutSession.id));
  if (!purchase) throw new Error("the checkout made no purchase");
  const [payment] = await ctx.deps.db.select().from(payments).where(eq(payments.purchaseId, purchase.id));
  if (!payment) throw new Error("the purchase has no payment");
  return { purchase, payment };
}
