import { eq } from "drizzle-orm";
import { payments } from "../../src/db/schema/index.js";
import type { TestContext } from "./app.js";
import { type CatalogFixture, catalogFixture, createPrice } from "./catalog.js";
import { CARDS, createCustomer, openSession, payCheckout, submitCheckoutForm } from "./checkout.js";

/** The overview tests' clock: the app's `now`, moved day by day while the world is made. */
export const DAY_MS = 24 * 60 * 60 * 1000;
export const OVERVIEW_NOW = Date.parse("2031-05-20T12:00:00Z");
export const overviewClock = { now: OVERVIEW_NOW };
const at = (daysAgo: number) => {
  overviewClock.now = OVERVIEW_NOW - daysAgo * DAY_MS;
};

/** Pays `priceId` for the customer through the hosted checkout page; the payment it recorded. */
export async function checkoutPayment(
  ctx: TestContext,
  key: string,
  externalId: string,
  priceId: string,
  card = CARDS.ok,
) {
  const { checkoutSession } = await openSession(ctx, key, {
    type: "product",
    customerExternalId: externalId,
    priceId,
  });
  if (card === CARDS.ok) await payCheckout(ctx, checkoutSession.id, card);
  else await submitCheckoutForm(ctx, checkoutSession.id, { cardNumber: card });
  const [payment] = await ctx.deps.db
    .select()
    .from(payments)
    .where(eq(payments.checkoutSessionId, checkoutSession.id));
  if (!payment) throw new Error(`checkout ${checkoutSession.id} recorded no payment`);
  return payment;
}

/**
 * A merchant's known month, all through the API (days before OVERVIEW_NOW):
 * -40 old customer pays 19.99 (outside the window); -10 c1, c2 created, c1 pays 19.99; -3 c1 subscribes
 * monthly 9.00 (paid), c2's card is declined for 19.99 then pays 19.99; -1 c3 subscribes yearly €120.00
 * (paid); 0 c1's first payment is refunded 5.00 of 19.99.
 */
export async function overviewWorld(ctx: TestContext, merchantName?: string) {
  at(40);
  const f: CatalogFixture = await catalogFixture(ctx, merchantName ? { merchantName } : {});
  const key = f.merchant.testKey;
  const yearlyEur = await createPrice(ctx, f.merchant, {
    productId: f.productId,
    currency: "EUR",
    type: "subscription",
    unitPrice: 12000,
    intervalUnit: "year",
    intervalCount: 1,
    slug: "pro-yearly-eur",
  });
  await createCustomer(ctx, key, "old");
  await checkoutPayment(ctx, key, "old", f.oneTimePriceId);
  at(10);
  await createCustomer(ctx, key, "c1");
  await createCustomer(ctx, key, "c2");
  const first = await checkoutPayment(ctx, key, "c1", f.oneTimePriceId);
  at(3);
  await checkoutPayment(ctx, key, "c1", f.monthlyPriceId);
  const declined = await checkoutPayment(ctx, key, "c2", f.oneTimePriceId, CARDS.decline);
  if (declined.status !== "failed") throw new Error(`the declined payment is ${declined.status}`);
  await checkoutPayment(ctx, key, "c2", f.oneTimePriceId);
  at(1);
  await createCustomer(ctx, key, "c3");
  await checkoutPayment(ctx, key, "c3", yearlyEur.id);
  at(0);
  const refund = await ctx.api("POST", `/api/v1/payments/${first.id}/refund`, {
    key,
    body: { partialAmount: 500 },
  });
  if (refund.status !== 200) throw new Error(`refund answered ${refund.status}: ${refund.text}`);
  return f;
}
