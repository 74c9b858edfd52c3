import { expect } from "vitest";
import type { TestContext, TestMerchant } from "./app.js";

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

async function ok(promise: Promise<{ status: number; body: any }>, what: string) {
  const res = await promise;
  if (res.status >= 300) throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A merchant with a product and four prices, made through the public API like a real merchant would. */
export async function catalogFixture(
  ctx: TestContext,
  options: { productName?: string; merchantName?: string } = {},
): Promise<CatalogFixture> {
  const merchant = await ctx.merchant(options.merchantName);
  const key = merchant.testKey;
  const pm = await ok(
    ctx.api("POST", "/api/v1/pricing-models", {
      key,
      body: { pricingModel: { name: "Main", isDefault: true } },
    }),
    "pricing model",
  );
  const pricingModelId = pm.pricingModel.id;
  const product = await ok(
    ctx.api("POST", "/api/v1/products", {
      key,
      body: {
        product: {
          name: options.productName ?? "Glade Pro",
          pricingModelId,
          active: true,
          description: "Everything, forever.",
        },
        price: {
          type: "single_payment",
          unitPrice: 1999,
          currency: "USD",
          slug: "pro-once",
          isDefault: true,
        },
      },
    }),
    "product",
  );
  const productId = product.product.id;
  const full = await ok(ctx.api("GET", `/api/v1/products/${productId}`, { key }), "product read");
  const oneTimePriceId = full.prices[0].id;
  const addPrice = async (price: Record<string, unknown>) =>
    (
      await ok(
        ctx.api("POST", "/api/v1/prices", { key, body: { price: { productId, currency: "USD", ...price } } }),
        "price",
      )
    ).price.id as string;
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

export async function createCustomer(
  ctx: TestContext,
  key: string,
  externalId: string,
  email = `${externalId}@example.com`,
) {
  const res = await ctx.api("POST", "/api/v1/customers", {
    key,
    body: { customer: { externalId, email, name: `Customer ${externalId}` } },
  });
  expect(res.status).toBeLessThan(300);
  return res.body.data.customer as { id: string; externalId: string; email: string; name: string };
}

export const URLS = {
  successUrl: "https://merchant.example/thanks?session={CHECKOUT_SESSION_ID}",
  cancelUrl: "https://merchant.example/cart",
};

export async function createSession(
  ctx: TestContext,
  key: string,
  checkoutSession: Record<string, unknown>,
  headers?: Record<string, string>,
) {
  return ctx.api("POST", "/api/v1/checkout-sessions", {
    key,
    body: { checkoutSession: { ...URLS, ...checkoutSession } },
    headers,
  });
}

/** Submits the hosted page's form exactly as a browser would (urlencoded POST). */
export async function submitCheckoutForm(
  ctx: TestContext,
  sessionId: string,
  fields: Record<string, string>,
) {
  const form = new URLSearchParams({
    email: "buyer@example.com",
    name: "Ada Buyer",
    country: "US",
    cardExpiry: "12 / 34",
    cardCvc: "123",
    ...fields,
  });
  return ctx.api("POST", `/checkout/${sessionId}/confirm`, {
    rawBody: form.toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

export const CARDS = {
  ok: "4242 4242 4242 4242",
  decline: "4000 0000 0000 0002",
  challenge: "4000 0025 0000 3155",
  badLuhn: "4242 4242 4242 4241",
  failOnCharge: "4000 0000 0000 0341",
};

/** The id of a fresh anonymous product session (the one-time price unless `fields` says otherwise). */
export async function anonymousSession(
  ctx: TestContext,
  f: CatalogFixture,
  fields: Record<string, unknown> = {},
): Promise<string> {
  const res = await createSession(ctx, f.merchant.testKey, {
    type: "product",
    anonymous: true,
    priceId: f.oneTimePriceId,
    ...fields,
  });
  if (res.status !== 200) throw new Error(`session create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.checkoutSession.id as string;
}
