import { and, eq, sql } from "drizzle-orm";
import type { Merchant } from "../../src/context/index.js";
import { events, prices } from "../../src/db/schema/index.js";
import { type PaymentMethodRow, savePaymentMethod } from "../../src/payments/index.js";
import { ok, type TestMerchant } from "./api.js";
import type { TestContext } from "./app.js";
import { createPrice, createPricingModel, createProduct } from "./catalog.js";
import { createCustomer } from "./checkout.js";
import { sandboxIntentRequest, sandboxOf } from "./processors.js";

export type PriceRow = typeof prices.$inferSelect;

/** A tenant with a catalog and one customer, built through the public API like a merchant would. */
export type BillingFixture = {
  m: TestMerchant;
  key: string;
  merchant: Merchant;
  pricingModelId: string;
  customerId: string;
  externalId: string;
  /** USD 19.99 a month. */
  monthly: PriceRow;
  /** USD 19.99 once. */
  oneTime: PriceRow;
  /** USD 0 a month. */
  free: PriceRow;
};

export async function loadPrice(ctx: TestContext, id: string): Promise<PriceRow> {
  const [row] = await ctx.deps.db.select().from(prices).where(eq(prices.id, id));
  if (!row) throw new Error(`fixture price ${id} missing`);
  return row;
}

export async function billingFixture(
  ctx: TestContext,
  options: { live?: boolean } = {},
): Promise<BillingFixture> {
  const m = await ctx.merchant();
  const key = options.live ? m.liveKey : m.testKey;
  const pm = await createPricingModel(ctx, m, { name: "Plans", isDefault: true }, key);
  const pricingModelId: string = pm.id;
  const product = await createProduct(
    ctx,
    m,
    pricingModelId,
    { name: "Pro", slug: "pro" },
    {
      type: "subscription",
      unitPrice: 1999,
      currency: "USD",
      intervalUnit: "month",
      intervalCount: 1,
      slug: "pro-monthly",
      isDefault: true,
    },
    key,
  );
  const productId: string = product.id;
  const oneTime = await createPrice(
    ctx,
    m,
    { type: "single_payment", productId, unitPrice: 1999, currency: "USD", slug: "pro-once" },
    key,
  );
  const free = await createPrice(
    ctx,
    m,
    {
      type: "subscription",
      productId,
      unitPrice: 0,
      currency: "USD",
      intervalUnit: "month",
      intervalCount: 1,
      slug: "pro-free",
    },
    key,
  );
  const detail = await ok(ctx.api("GET", `/api/v1/products/${productId}`, { key }), "retrieve product");
  const monthlyId: string | undefined = detail.defaultPrice?.id;
  if (!monthlyId) throw new Error(`fixture product has no default price: ${JSON.stringify(detail)}`);

  const externalId = `user_${Math.random().toString(36).slice(2)}`;
  const customer = await createCustomer(ctx, key, externalId, { name: "Ada Lovelace", pricingModelId });
  return {
    m,
    key,
    merchant: {
      organizationId: m.organizationId,
      livemode: options.live === true,
      apiKeyId: "test",
    },
    pricingModelId,
    customerId: customer.id,
    externalId,
    monthly: await loadPrice(ctx, monthlyId),
    oneTime: await loadPrice(ctx, oneTime.id),
    free: await loadPrice(ctx, free.id),
  };
}

/** Tokenizes a test card through the sandbox processor and saves it for the fixture's customer. */
export async function savedCard(
  ctx: TestContext,
  f: BillingFixture,
  number = "4242424242424242",
  makeDefault = false,
): Promise<PaymentMethodRow> {
  const intent = await sandboxOf(ctx).createIntent(
    sandboxIntentRequest({
      kind: "setup",
      amount: 0,
      currency: "USD",
      livemode: f.merchant.livemode,
      idempotencyKey: `fixture_setup_${Math.random().toString(36).slice(2)}`,
      card: { number, expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: "123" },
    }),
  );
  if (!intent.paymentMethod) throw new Error(`card ${number} was not tokenized`);
  const method = intent.paymentMethod;
  return ctx.deps.db.transaction((tx) =>
    savePaymentMethod(
      tx,
      f.merchant,
      {
        customerId: f.customerId,
        pricingModelId: f.pricingModelId,
        processor: "sandbox",
        processorMethodId: method.processorMethodId,
        card: method.card,
        makeDefault,
      },
      ctx.deps.now(),
    ),
  );
}

/** Events written for one object, oldest first (the outbox is the source of truth for "was it announced"). */
export async function eventsFor(
  ctx: TestContext,
  objectId: string,
): Promise<{ type: string; payload: any }[]> {
  const rows = await ctx.deps.db
    .select({ type: events.type, payload: events.payload, position: events.position })
    .from(events)
    .where(eq(events.objectId, objectId))
    .orderBy(events.position);
  return rows.map(({ type, payload }) => ({ type, payload }));
}

/** How many `type` events the tenant has (about `objectId` only, when given). */
export async function eventCount(
  ctx: Pick<TestContext, "deps">,
  organizationId: string,
  type: string,
  objectId?: string,
): Promise<number> {
  const rows = await ctx.deps.db
    .select({ n: sql<number>`count(*)::int` })
    .from(events)
    .where(
      and(
        eq(events.organizationId, organizationId),
        eq(events.type, type),
        objectId ? eq(events.objectId, objectId) : undefined,
      ),
    );
  return rows[0]?.n ?? 0;
}

/** A real sandbox charge, so refunds can go through the processor. */
export async function sandboxCharge(ctx: TestContext, f: BillingFixture, amount: number) {
  return sandboxOf(ctx).createIntent(
    sandboxIntentRequest({
      kind: "payment",
      amount,
      currency: "USD",
      livemode: f.merchant.livemode,
      idempotencyKey: `fixture_charge_${Math.random().toString(36).slice(2)}`,
      card: {
        number: "4242424242424242",
        expMonth: 12,
        expYear: new Date().getUTCFullYear() + 3,
        cvc: "123",
      },
    }),
  );
}
