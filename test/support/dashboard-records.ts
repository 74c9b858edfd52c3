import type { Merchant } from "../../src/context/index.js";
import { checkoutSessions } from "../../src/db/schema/index.js";
import { createInvoice } from "../../src/invoices/index.js";
import { newId } from "../../src/lib/ids.js";
import { createSubscription } from "../../src/subscriptions/index.js";
import { ok, type TestMerchant } from "./api.js";
import type { TestContext } from "./app.js";
import { createPrice, createPricingModel, createProduct } from "./catalog.js";
import { createCustomer, openSession } from "./checkout.js";
import { loadPrice, type PriceRow } from "./records.js";
import { PERIOD_START } from "./subscriptions.js";

/**
 * Not re-exported from ./index.ts (the dashboard's records pages only): one organization's records in one
 * mode, built through the API where it can be and written by the domains' own services where it cannot.
 */
export type RecordsWorld = {
  merchant: Merchant;
  key: string;
  customerId: string;
  customerName: string;
  monthly: PriceRow;
  oneTime: PriceRow;
  subscriptionId: string;
  invoiceId: string;
  invoiceNumber: string;
  sessionId: string;
};

let counter = 0;

export async function recordsWorld(ctx: TestContext, m: TestMerchant, live = false): Promise<RecordsWorld> {
  const key = live ? m.liveKey : m.testKey;
  const merchant: Merchant = { organizationId: m.organizationId, livemode: live, apiKeyId: "test" };
  const n = ++counter;
  const pm = await createPricingModel(ctx, m, { name: `Plans ${n}`, isDefault: true }, key);
  const product = await createProduct(
    ctx,
    m,
    pm.id,
    { name: "Pro", slug: `pro-${n}` },
    {
      type: "subscription",
      unitPrice: 1999,
      currency: "USD",
      intervalUnit: "month",
      intervalCount: 1,
      slug: `pro-monthly-${n}`,
      isDefault: true,
    },
    key,
  );
  const detail = await ok(ctx.api("GET", `/api/v1/products/${product.id}`, { key }), "product");
  const monthly = await loadPrice(ctx, detail.defaultPrice.id);
  const once = await createPrice(
    ctx,
    m,
    { type: "single_payment", productId: product.id, unitPrice: 4900, currency: "USD", slug: `once-${n}` },
    key,
  );
  const oneTime = await loadPrice(ctx, once.id);
  const customerName = `Ada Lovelace ${n}`;
  const customer = await createCustomer(ctx, key, `ada_${n}_${Date.now()}`, {
    name: customerName,
    pricingModelId: pm.id,
  });
  const subscriptionId = await subscribeTo(ctx, merchant, customer.id, monthly, 2);
  const { invoice } = await ctx.deps.db.transaction((tx) =>
    createInvoice(
      tx,
      merchant,
      {
        customerId: customer.id,
        pricingModelId: pm.id,
        type: "subscription",
        currency: "USD",
        status: "paid",
        subscriptionId,
        lines: [
          { priceId: monthly.id, description: "Pro · monthly seats", quantity: 2, unitPrice: 1999 },
          { priceId: null, description: "Onboarding call", quantity: 1, unitPrice: 5000 },
        ],
      },
      ctx.deps.now(),
    ),
  );
  const sessionId = live
    ? await liveSession(ctx, merchant, pm.id, oneTime, customer.id)
    : (
        await openSession(ctx, key, {
          type: "product",
          priceId: oneTime.id,
          customerExternalId: customer.externalId,
        })
      ).checkoutSession.id;
  return {
    merchant,
    key,
    customerId: customer.id,
    customerName,
    monthly,
    oneTime,
    subscriptionId,
    invoiceId: invoice.id,
    invoiceNumber: invoice.invoiceNumber,
    sessionId,
  };
}

/** An active subscription started at PERIOD_START (so with the app clock mid-January its period runs). */
export async function subscribeTo(
  ctx: TestContext,
  merchant: Merchant,
  customerId: string,
  price: PriceRow,
  quantity = 1,
): Promise<string> {
  const { subscription } = await ctx.deps.db.transaction((tx) =>
    createSubscription(
      tx,
      merchant,
      {
        customerId,
        price,
        quantity,
        startDate: new Date(PERIOD_START),
        status: "active",
        trialEnd: null,
        defaultPaymentMethodId: null,
      },
      ctx.deps.now(),
    ),
  );
  return subscription.id;
}

/**
 * A live session needs a connected processor to be created through the API; the pages only read it, so the
 * fixture writes the row an API create would (open, priced, a day to live).
 */
async function liveSession(
  ctx: TestContext,
  merchant: Merchant,
  pricingModelId: string,
  price: PriceRow,
  customerId: string,
): Promise<string> {
  const now = ctx.deps.now();
  const [row] = await ctx.deps.db
    .insert(checkoutSessions)
    .values({
      id: newId("checkoutSession"),
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      pricingModelId,
      type: "product",
      priceId: price.id,
      unitAmount: price.unitPrice,
      currency: price.currency,
      customerId,
      expiresAt: new Date(now.getTime() + 24 * 60 * 60 * 1000),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new Error("live session insert returned nothing");
  return row.id;
}
