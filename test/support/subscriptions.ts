import { eq } from "drizzle-orm";
import {
  billingPeriods,
  invoiceLineItems,
  invoices,
  payments,
  subscriptionItems,
  subscriptions,
} from "../../src/db/schema/index.js";
import { newId } from "../../src/lib/ids.js";
import { createSubscription } from "../../src/subscriptions/index.js";
import type { TestContext } from "./app.js";
import { createPrice, createProduct } from "./catalog.js";
import { type BillingFixture, billingFixture, loadPrice, type PriceRow, savedCard } from "./records.js";

export const DAY = 24 * 60 * 60 * 1000;
/** Every fixture subscription starts here, so its first period is exactly January 2030 (31 days). */
export const PERIOD_START = Date.parse("2030-01-01T00:00:00Z");
export const PERIOD_END = Date.parse("2030-02-01T00:00:00Z");

/** The app clock of the adjust tests: each test sets it; the sweep and the proration read it. */
export const clock = { now: PERIOD_START + 15 * DAY };

/** The billing fixture plus a dearer monthly plan and a yearly one on the same product. */
export type AdjustFixture = BillingFixture & { premium: PriceRow; yearly: PriceRow };

export async function adjustFixture(ctx: TestContext): Promise<AdjustFixture> {
  const f = await billingFixture(ctx);
  const addPrice = async (price: Record<string, unknown>) => {
    const created = await createPrice(
      ctx,
      f.m,
      { productId: f.monthly.productId, currency: "USD", type: "subscription", ...price },
      f.key,
    );
    return loadPrice(ctx, created.id);
  };
  const premium = await addPrice({
    unitPrice: 4999,
    intervalUnit: "month",
    intervalCount: 1,
    slug: "pro-premium",
  });
  const yearly = await addPrice({
    unitPrice: 19990,
    intervalUnit: "year",
    intervalCount: 1,
    slug: "pro-yearly",
  });
  return { ...f, premium, yearly };
}

/** The adjust fixture plus two add-on products of the same pricing model, billed monthly in USD. */
export type MultiItemFixture = AdjustFixture & { storage: PriceRow; support: PriceRow };

export async function multiItemFixture(ctx: TestContext): Promise<MultiItemFixture> {
  const f = await adjustFixture(ctx);
  const addOn = async (name: string, slug: string, unitPrice: number) => {
    const product = await createProduct(
      ctx,
      f.m,
      f.pricingModelId,
      { name },
      {
        type: "subscription",
        name,
        unitPrice,
        currency: "USD",
        intervalUnit: "month",
        intervalCount: 1,
        slug,
      },
    );
    const detail = await ctx.api("GET", `/api/v1/products/${product.id}`, { key: f.key });
    return loadPrice(ctx, detail.body.defaultPrice.id);
  };
  return {
    ...f,
    storage: await addOn("Storage", "addon-storage", 500),
    support: await addOn("Support", "addon-support", 1000),
  };
}

/** Add-on items written directly next to a fixture subscription's item, in force from PERIOD_START. */
export async function addItems(
  ctx: TestContext,
  f: AdjustFixture,
  subscriptionId: string,
  items: { price: PriceRow; quantity: number }[],
) {
  await ctx.deps.db.insert(subscriptionItems).values(
    items.map(({ price, quantity }) => ({
      id: newId("subscriptionItem"),
      organizationId: f.merchant.organizationId,
      livemode: f.merchant.livemode,
      subscriptionId,
      priceId: price.id,
      name: price.name,
      quantity,
      unitPrice: price.unitPrice,
      addedDate: new Date(PERIOD_START),
    })),
  );
}

/** A subscription written directly (no charge), started at PERIOD_START, optionally with a default card. */
export async function subscribe(
  ctx: TestContext,
  f: AdjustFixture,
  options: {
    price?: PriceRow;
    quantity?: number;
    card?: string | null;
    status?: "active" | "trialing" | "incomplete";
    trialEnd?: Date;
  } = {},
) {
  const card =
    options.card === null ? undefined : await savedCard(ctx, f, options.card ?? "4242424242424242", true);
  const { subscription } = await ctx.deps.db.transaction((tx) =>
    createSubscription(
      tx,
      f.merchant,
      {
        customerId: f.customerId,
        price: options.price ?? f.monthly,
        quantity: options.quantity ?? 1,
        startDate: new Date(PERIOD_START),
        status: options.status ?? "active",
        trialEnd: options.trialEnd ?? null,
        defaultPaymentMethodId: card?.id ?? null,
      },
      ctx.deps.now(),
    ),
  );
  return { subscription, card };
}

export const adjust = (
  ctx: TestContext,
  key: string,
  id: string,
  adjustment: unknown,
  headers?: Record<string, string>,
) =>
  ctx.api("POST", `/api/v1/subscriptions/${id}/adjust`, {
    key,
    body: { adjustment },
    ...(headers ? { headers } : {}),
  });

/** POST /subscriptions/{id}/preview-adjust with adjust's body. */
export const previewAdjust = (ctx: TestContext, key: string, id: string, adjustment: unknown) =>
  ctx.api("POST", `/api/v1/subscriptions/${id}/preview-adjust`, { key, body: { adjustment } });

/** POST /subscriptions/{id}/cancel-scheduled-adjustment, with the optional empty body. */
export const cancelScheduledAdjustment = (
  ctx: TestContext,
  key: string,
  id: string,
  headers?: Record<string, string>,
) =>
  ctx.api("POST", `/api/v1/subscriptions/${id}/cancel-scheduled-adjustment`, {
    key,
    body: {},
    ...(headers ? { headers } : {}),
  });

/** POST /subscriptions as the merchant sends it; the raw answer, for the tests of that call. */
export const postSubscription = (ctx: TestContext, key: string, body: unknown) =>
  ctx.api("POST", "/api/v1/subscriptions", { key, body });

/** Every billing period of the subscription, earliest first, straight from the table. */
export async function periodsOf(ctx: TestContext, subscriptionId: string) {
  return ctx.deps.db
    .select()
    .from(billingPeriods)
    .where(eq(billingPeriods.subscriptionId, subscriptionId))
    .orderBy(billingPeriods.startDate);
}

/** Every item of the subscription, oldest first, straight from the table. */
export async function itemsOf(ctx: TestContext, subscriptionId: string) {
  return ctx.deps.db
    .select()
    .from(subscriptionItems)
    .where(eq(subscriptionItems.subscriptionId, subscriptionId))
    .orderBy(subscriptionItems.position);
}

export async function subscriptionRow(ctx: TestContext, id: string) {
  const [row] = await ctx.deps.db.select().from(subscriptions).where(eq(subscriptions.id, id));
  if (!row) throw new Error(`subscription ${id} missing`);
  return row;
}

/** Payments and invoices (with their lines) recorded for the subscription. */
export async function moneyOf(ctx: TestContext, subscriptionId: string) {
  const paymentRows = await ctx.deps.db
    .select()
    .from(payments)
    .where(eq(payments.subscriptionId, subscriptionId));
  const invoiceRows = await ctx.deps.db
    .select()
    .from(invoices)
    .where(eq(invoices.subscriptionId, subscriptionId));
  const lines = [];
  for (const invoice of invoiceRows) {
    lines.push(
      ...(await ctx.deps.db
        .select()
        .from(invoiceLineItems)
        .where(eq(invoiceLineItems.invoiceId, invoice.id))),
    );
  }
  return { payments: paymentRows, invoices: invoiceRows, lines };
}
