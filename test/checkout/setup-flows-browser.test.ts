import { describe, expect, it } from "vitest";
import { type BrowserContext, browserContext, payWithCard } from "../support/browser.js";
import { CARDS, catalogFixture, createCustomer, openSession } from "../support/index.js";

const b: BrowserContext = await browserContext();
const { ctx } = b;

const session = (key: string, checkoutSession: Record<string, unknown>) =>
  openSession(ctx, key, {
    successUrl: `${b.merchantUrl}/done`,
    cancelUrl: `${b.merchantUrl}/back`,
    ...checkoutSession,
  });

describe("setup sessions in Chromium", () => {
  it("adds a card that becomes the target subscription's default", async () => {
    const f = await catalogFixture(ctx);
    await createCustomer(ctx, f.merchant.testKey, "pat");
    const sub = (
      await ctx.api("POST", "/api/v1/subscriptions", {
        key: f.merchant.testKey,
        body: { customerExternalId: "pat", priceId: f.monthlyPriceId },
      })
    ).body.subscription;
    const s = await session(f.merchant.testKey, {
      type: "add_payment_method",
      customerExternalId: "pat",
      targetSubscriptionId: sub.id,
    });
    const page = await b.newPage();
    await page.goto(s.url);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Add a payment method");
    await payWithCard(page, "5555 5555 5555 4444");
    await page.waitForURL(`${b.merchantUrl}/done`);
    await b.screenshot(page, "add-payment-method-success");
    const after = (await ctx.api("GET", `/api/v1/subscriptions/${sub.id}`, { key: f.merchant.testKey })).body
      .subscription;
    const pm = (
      await ctx.api("GET", `/api/v1/payment-methods/${after.defaultPaymentMethodId}`, {
        key: f.merchant.testKey,
      })
    ).body.paymentMethod;
    expect(pm.paymentMethodData).toMatchObject({ brand: "mastercard", last4: "4444" });
  });

  it("activates a subscription after a declined card, paying what is owed", async () => {
    const f = await catalogFixture(ctx);
    await createCustomer(ctx, f.merchant.testKey, "val");
    const sub = (
      await ctx.api("POST", "/api/v1/subscriptions", {
        key: f.merchant.testKey,
        body: { customerExternalId: "val", priceId: f.monthlyPriceId, quantity: 2 },
      })
    ).body.subscription;
    const s = await session(f.merchant.testKey, {
      type: "activate_subscription",
      customerExternalId: "val",
      targetSubscriptionId: sub.id,
    });
    const page = await b.newPage();
    await page.goto(s.url);
    expect(await page.getByLabel("Total due today").textContent()).toBe("$18.00");
    await payWithCard(page, CARDS.decline);
    expect(await page.getByRole("alert").textContent()).toContain("declined");
    await payWithCard(page, CARDS.ok);
    await page.waitForURL(`${b.merchantUrl}/done`);
    await b.screenshot(page, "activate-subscription-success");
    const after = (await ctx.api("GET", `/api/v1/subscriptions/${sub.id}`, { key: f.merchant.testKey })).body
      .subscription;
    expect(after.status).toBe("active");
  });
});
