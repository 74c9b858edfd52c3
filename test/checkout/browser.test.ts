import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { checkoutSessions } from "../../src/db/schema/index.js";
import { type BrowserContext, browserContext, payWithCard } from "../support/browser.js";
import { CARDS, catalogFixture, createCustomer, openSession } from "../support/index.js";

const b: BrowserContext = await browserContext();
const { ctx } = b;

const newSession = (key: string, checkoutSession: Record<string, unknown>) =>
  openSession(ctx, key, {
    successUrl: `${b.merchantUrl}/thanks?cs={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${b.merchantUrl}/cart`,
    ...checkoutSession,
  });

describe("hosted checkout in Chromium", () => {
  it("buys three of a one-time price and lands on the success URL", async () => {
    const f = await catalogFixture(ctx);
    await createCustomer(ctx, f.merchant.testKey, "ada");
    const s = await newSession(f.merchant.testKey, {
      type: "product",
      customerExternalId: "ada",
      priceId: f.oneTimePriceId,
      quantity: 3,
    });
    const page = await b.newPage();
    await page.goto(s.url);
    await expect(page.getByRole("heading", { name: "Glade Pro" })).toBeDefined();
    expect(await page.getByLabel("Total due today").textContent()).toBe("$59.97");
    expect(await page.locator("body").textContent()).toContain("Paying as Customer ada");
    await payWithCard(page, CARDS.ok);
    await page.waitForURL(`${b.merchantUrl}/thanks?cs=${s.checkoutSession.id}`);
    await b.screenshot(page, "one-time-success");
    const session = (
      await ctx.api("GET", `/api/v1/checkout-sessions/${s.checkoutSession.id}`, { key: f.merchant.testKey })
    ).body.checkoutSession;
    expect(session.status).toBe("succeeded");
    const payment = (
      await ctx.api("GET", `/api/v1/payments/${session.paymentId}`, { key: f.merchant.testKey })
    ).body.payment;
    expect(payment.amount).toBe(5997);
  });

  it("starts a subscription trial without a charge", async () => {
    const f = await catalogFixture(ctx);
    await createCustomer(ctx, f.merchant.testKey, "tina");
    const s = await newSession(f.merchant.testKey, {
      type: "product",
      customerExternalId: "tina",
      priceId: f.trialPriceId,
    });
    const page = await b.newPage();
    await page.goto(s.url);
    expect(await page.locator("body").textContent()).toContain("14-day free trial, then $15.00 every month.");
    await payWithCard(page, CARDS.ok);
    await page.waitForURL(/\/thanks/);
    await b.screenshot(page, "subscription-trial-success");
    const [row] = await ctx.deps.db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.id, s.checkoutSession.id));
    expect(row?.paymentId).toBeNull();
    const sub = (
      await ctx.api("GET", `/api/v1/subscriptions/${row?.subscriptionId}`, { key: f.merchant.testKey })
    ).body.subscription;
    expect(sub.status).toBe("trialing");
  });

  it("shows a decline in an alert, then succeeds with another card", async () => {
    const f = await catalogFixture(ctx);
    const s = await newSession(f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
    });
    const page = await b.newPage();
    await page.goto(s.url);
    await payWithCard(page, CARDS.decline, { email: "dee@example.com", name: "Dee Clined" });
    const alert = page.getByRole("alert");
    expect(await alert.textContent()).toContain("Your card was declined.");
    await b.screenshot(page, "declined");
    // The buyer's details survive the failed attempt; only the card is typed again.
    expect(await page.getByLabel("Email").inputValue()).toBe("dee@example.com");
    await payWithCard(page, CARDS.ok);
    await page.waitForURL(/\/thanks/);
    await b.screenshot(page, "declined-then-success");
  });

  it("walks through the challenge page", async () => {
    const f = await catalogFixture(ctx);
    const s = await newSession(f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
    });
    const page = await b.newPage();
    await page.goto(s.url);
    await payWithCard(page, CARDS.challenge, { email: "cha@example.com", name: "Cha Llenge" });
    await page.waitForURL(/\/challenge$/);
    await b.screenshot(page, "challenge");
    await page.getByRole("button", { name: "Complete authentication" }).click();
    await page.waitForURL(/\/thanks/);
    await b.screenshot(page, "challenge-success");
  });

  it("follows the cancel link to the cancel URL without paying", async () => {
    const f = await catalogFixture(ctx);
    const s = await newSession(f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
    });
    const page = await b.newPage();
    await page.goto(s.url);
    await page.getByRole("link", { name: /Cancel and return/ }).click();
    await page.waitForURL(`${b.merchantUrl}/cart`);
    await b.screenshot(page, "cancel");
    const [row] = await ctx.deps.db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.id, s.checkoutSession.id));
    expect(row?.status).toBe("open");
  });

  it("shows an expired session as expired with no form", async () => {
    const f = await catalogFixture(ctx);
    const s = await newSession(f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
    });
    await ctx.api("POST", `/api/v1/checkout-sessions/${s.checkoutSession.id}/expire`, {
      key: f.merchant.testKey,
    });
    const page = await b.newPage();
    await page.goto(s.url);
    expect(await page.locator("body").textContent()).toContain("This checkout has expired");
    expect(await page.locator("input[name=cardNumber]").count()).toBe(0);
    await b.screenshot(page, "expired");
  });

  it("lets an anonymous buyer pay and creates their customer", async () => {
    const f = await catalogFixture(ctx);
    const s = await newSession(f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.monthlyPriceId,
    });
    const page = await b.newPage();
    await page.goto(s.url);
    await payWithCard(page, CARDS.ok, { email: "anon@example.com", name: "Anne Onymous" });
    await page.waitForURL(/\/thanks/);
    await b.screenshot(page, "anonymous-success");
    const session = (
      await ctx.api("GET", `/api/v1/checkout-sessions/${s.checkoutSession.id}`, { key: f.merchant.testKey })
    ).body.checkoutSession;
    expect(session.customerEmail).toBe("anon@example.com");
    expect(session.customerId).toMatch(/^cus_/);
  });

  it("never runs script injected through merchant text", async () => {
    const f = await catalogFixture(ctx, {
      productName: `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`,
    });
    const s = await newSession(f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
      outputName: `"><script>window.__pwned=3</script>`,
    });
    const page = await b.newPage();
    await page.goto(s.url);
    expect(
      await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain("<img src=x");
  });
});
