import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { invoices, payments } from "../../src/db/schema/index.js";
import { ARTIFACTS, launchChromium, thanksSite } from "../support/browser.js";
import { catalogFixture, createDiscountCode, openSession, sessionRow } from "../support/index.js";
import { serveGladeWithStripe } from "../support/stripe.js";

/**
 * Discount codes on the Stripe-mode page, against the fake Stripe and its Stripe.js: a code changes the
 * amount the Payment Element was set up for in place (the card typed in it stays), or takes it away.
 */
const world = await serveGladeWithStripe();
const { ctx } = world;

const MERCHANT = await thanksSite();

const browser = await launchChromium();

async function stripeSession(code: Record<string, unknown>) {
  const f = await catalogFixture(ctx);
  await world.connect(f.merchant);
  await createDiscountCode(ctx, f, {
    code: String(code.code),
    amountType: code.amountType as "fixed" | "percent",
    amount: Number(code.amount),
    duration: "once",
  });
  const s = await openSession(ctx, f.merchant.testKey, {
    type: "product",
    anonymous: true,
    priceId: f.oneTimePriceId,
    successUrl: `${MERCHANT}/thanks?cs={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${MERCHANT}/cart`,
  });
  return { id: s.checkoutSession.id as string, url: s.url };
}

async function tab(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  page.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text())) errors.push(message.text());
  });
  await page.goto(url);
  await page.locator("#payment-element [data-fake-stripe=payment-element]").waitFor();
  return { page, errors };
}

async function applyCode(page: Page, code: string) {
  await page.getByLabel("Discount code").fill(code);
  await page.getByRole("button", { name: "Apply" }).click();
}

describe("discount codes on the Stripe-mode page in Chromium", () => {
  it("changes the Payment Element's amount in place, keeping the typed card, and Stripe charges the discounted total", async () => {
    const s = await stripeSession({ code: "STRIPE25", amountType: "percent", amount: 25 });
    const { page, errors } = await tab(s.url);
    await page.getByLabel("Email").fill("stripe@example.com");
    await page.getByLabel("Full name").fill("Stripe Buyer");
    await page.getByLabel("Card number").fill("4242424242424242");
    await applyCode(page, "stripe25");
    await page.getByText("STRIPE25 applied.").waitFor();
    expect(await page.getByLabel("Total due today").textContent()).toBe("$14.99"); // 4.9975 → 5.00 off
    expect(await page.locator("#payment-element").getAttribute("data-amount")).toBe("1499");
    expect(await page.getByLabel("Card number").inputValue()).toBe("4242424242424242");
    expect(await page.getByLabel("Email").inputValue()).toBe("stripe@example.com");
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: `${ARTIFACTS}/discount-stripe-${width}.png`, fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator("form[data-stripe] button[type=submit]").click();
    await page.waitForURL(`${MERCHANT}/thanks?cs=${s.id}`);
    const charged = await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, s.id));
    expect(charged.map((p) => [p.status, p.amount, p.processor])).toEqual([["succeeded", 1499, "stripe"]]);
    const intent = world.fake.intent(charged[0]?.processorIntentId ?? "");
    expect(intent && "amount" in intent ? intent.amount : undefined).toBe(1499);
    expect(errors).toEqual([]);
  });

  it("takes Stripe's fields away when a code makes the order free, and completes it without an intent", async () => {
    const s = await stripeSession({ code: "ONUS", amountType: "fixed", amount: 5000 });
    const { page, errors } = await tab(s.url);
    await page.getByLabel("Email").fill("free@example.com");
    await page.getByLabel("Full name").fill("Free Buyer");
    await applyCode(page, "ONUS");
    await page.getByText("ONUS applied.").waitFor();
    expect(await page.locator("#payment-element").isVisible()).toBe(false);
    await page.getByRole("button", { name: "Complete order" }).click();
    await page.waitForURL(`${MERCHANT}/thanks?cs=${s.id}`);
    const row = await sessionRow(ctx, s.id);
    expect(row).toMatchObject({ status: "succeeded", paymentId: null, processorIntentId: null });
    const [invoice] = await ctx.deps.db
      .select()
      .from(invoices)
      .where(eq(invoices.id, row.invoiceId ?? ""));
    expect(invoice).toMatchObject({ subtotal: 1999, discountAmount: 1999, total: 0, status: "paid" });
    expect(errors).toEqual([]);
  });
});
