import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { checkoutSessions, invoices, payments } from "../../src/db/schema/index.js";
import { renewSubscription } from "../../src/subscriptions/index.js";
import { type BrowserContext, browserContext, payWithCard } from "../support/browser.js";
import { CARDS, type CatalogFixture, catalogFixture, ok, openSession } from "../support/index.js";

const b: BrowserContext = await browserContext();
const { ctx } = b;

async function discount(f: CatalogFixture, body: Record<string, unknown>) {
  await ok(
    ctx.api("POST", "/api/v1/discounts", {
      key: f.merchant.testKey,
      body: { discount: { name: String(body.code), duration: "once", ...body } },
    }),
  );
}

async function open(f: CatalogFixture, priceId: string, quantity = 1) {
  return openSession(ctx, f.merchant.testKey, {
    type: "product",
    anonymous: true,
    priceId,
    quantity,
    successUrl: `${b.merchantUrl}/thanks?cs={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${b.merchantUrl}/cart`,
  });
}

/** A page that fails the test on a script error or a blocked resource (the code field is script-driven). */
async function watchedPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await b.newPage();
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (msg) => {
    // Failed loads are judged by their responses below, which name the URL.
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource"))
      problems.push(msg.text());
  });
  page.on("response", (response) => {
    const url = new URL(response.url());
    const refusedCode = url.pathname.endsWith("/discount") && response.status() === 400;
    if (response.status() >= 400 && url.pathname !== "/favicon.ico" && !refusedCode) {
      problems.push(`${response.status()} ${url.pathname}`);
    }
  });
  return { page, problems };
}

async function applyCode(page: Page, code: string) {
  await page.getByLabel("Discount code").fill(code);
  await page.getByRole("button", { name: "Apply" }).click();
}

/** Screenshots at desktop and phone widths. */
async function shots(page: Page, name: string) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await b.screenshot(page, `${name}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  await b.screenshot(page, `${name}-390`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function sessionRow(id: string) {
  const [row] = await ctx.deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, id));
  if (!row) throw new Error(`session ${id} missing`);
  return row;
}

describe("discount codes on the hosted page in Chromium", () => {
  it("applies a valid code in place, keeps what was typed, charges the discounted total and shows it on the receipt", async () => {
    const f = await catalogFixture(ctx);
    await discount(f, { code: "WELCOME", amountType: "percent", amount: 25 });
    const s = await open(f, f.oneTimePriceId, 2); // 39.98, 25 % off = 9.995 → 10.00
    const { page, problems } = await watchedPage();
    await page.goto(s.url);
    await page.getByLabel("Email").fill("kept@example.com");
    await page.getByLabel("Full name").fill("Kept Typing");
    await page.getByLabel("Card number").fill(CARDS.ok);

    await applyCode(page, "welcome");
    await page.getByText("WELCOME applied.").waitFor();
    expect(await page.getByLabel("Total due today").textContent()).toBe("$29.98");
    const summary = await page.locator("#summary").textContent();
    expect(summary).toContain("Subtotal");
    expect(summary).toContain("Discount (WELCOME)");
    expect(summary).toContain("−$10.00");
    expect(await page.locator("form[data-checkout] button[type=submit]").textContent()).toBe("Pay $29.98");
    // Nothing typed in the payment form was lost.
    expect(await page.getByLabel("Email").inputValue()).toBe("kept@example.com");
    expect(await page.getByLabel("Full name").inputValue()).toBe("Kept Typing");
    expect((await page.getByLabel("Card number").inputValue()).replaceAll(" ", "")).toBe(
      CARDS.ok.replaceAll(" ", ""),
    );
    await shots(page, "discount-applied");

    await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
    await page.getByLabel("Security code").fill("123");
    await page.locator("form[data-checkout] button[type=submit]").click();
    await page.waitForURL(/\/thanks/);
    const row = await sessionRow(s.checkoutSession.id);
    const [paid] = await ctx.deps.db
      .select()
      .from(payments)
      .where(eq(payments.id, row.paymentId as string));
    expect(paid?.amount).toBe(2998);
    const [invoice] = await ctx.deps.db
      .select()
      .from(invoices)
      .where(eq(invoices.id, row.invoiceId as string));
    expect(invoice).toMatchObject({ subtotal: 3998, discountAmount: 1000, total: 2998 });

    const receipt = await b.newPage();
    await receipt.goto(`${b.baseUrl}/checkout/${s.checkoutSession.id}/success`);
    const text = await receipt.locator("table").textContent();
    expect(text).toContain("Discount (WELCOME)");
    expect(text).toContain("−$10.00");
    expect(text).toContain("$29.98");
    await shots(receipt, "discount-receipt");
    expect(problems.join("\n").slice(0, 300)).toBe("");
  });

  it("says a wrong code is not valid, keeps the price, and removes an applied code", async () => {
    const f = await catalogFixture(ctx);
    await discount(f, { code: "REAL", amountType: "fixed", amount: 500 });
    const s = await open(f, f.oneTimePriceId);
    const { page, problems } = await watchedPage();
    await page.goto(s.url);
    await page.getByLabel("Email").fill("typo@example.com");
    await applyCode(page, "FAKE");
    await page.getByText("This code is not valid for this purchase.").waitFor();
    expect(await page.getByLabel("Total due today").textContent()).toBe("$19.99");
    expect(await page.getByLabel("Discount code").getAttribute("aria-invalid")).toBe("true");
    await shots(page, "discount-wrong-code");
    await applyCode(page, "REAL");
    await page.getByText("REAL applied.").waitFor();
    expect(await page.getByLabel("Total due today").textContent()).toBe("$14.99");
    await page.getByRole("button", { name: "Remove" }).click();
    await page.getByText("Discount removed.").waitFor();
    expect(await page.getByLabel("Total due today").textContent()).toBe("$19.99");
    expect(await page.getByLabel("Email").inputValue()).toBe("typo@example.com");
    expect((await sessionRow(s.checkoutSession.id)).discountId).toBeNull();
    expect(problems.join("\n").slice(0, 300)).toBe("");
  });

  it("never shows or charges less than zero: a code worth more than the price makes a free order", async () => {
    const f = await catalogFixture(ctx);
    await discount(f, { code: "BIGGER", amountType: "fixed", amount: 100_000 });
    const s = await open(f, f.oneTimePriceId);
    const { page, problems } = await watchedPage();
    await page.goto(s.url);
    await page.getByLabel("Email").fill("free@example.com");
    await page.getByLabel("Full name").fill("Free Order");
    await applyCode(page, "BIGGER");
    await page.getByText("BIGGER applied.").waitFor();
    expect(await page.getByLabel("Total due today").textContent()).toBe("$0.00");
    expect(await page.locator("#summary").textContent()).toContain("−$19.99");
    // Nothing to pay: the card fields go away in place, and come back when the code is removed.
    expect(await page.getByLabel("Card number").isVisible()).toBe(false);
    expect(await page.locator("form[data-checkout] button[type=submit]").textContent()).toBe(
      "Complete order",
    );
    await page.getByRole("button", { name: "Remove" }).click();
    await page.getByText("Discount removed.").waitFor();
    expect(await page.getByLabel("Card number").isVisible()).toBe(true);
    expect(await page.locator("form[data-checkout] button[type=submit]").textContent()).toBe("Pay $19.99");
    await applyCode(page, "bigger");
    await page.getByText("BIGGER applied.").waitFor();
    expect(await page.getByLabel("Card number").isVisible()).toBe(false);
    expect(await page.getByLabel("Email").inputValue()).toBe("free@example.com");
    await shots(page, "discount-free-order");
    await page.getByRole("button", { name: "Complete order" }).click();
    await page.waitForURL(/\/thanks/);
    const row = await sessionRow(s.checkoutSession.id);
    expect(row.paymentId).toBeNull();
    expect(row.customerEmail).toBe("free@example.com");
    const [invoice] = await ctx.deps.db
      .select()
      .from(invoices)
      .where(eq(invoices.id, row.invoiceId as string));
    expect(invoice).toMatchObject({ total: 0, discountAmount: 1999, status: "paid" });
    expect(problems.join("\n").slice(0, 300)).toBe("");
  });

  it("applies a code on Enter in its field, and applies a typed code rather than paying without it", async () => {
    const f = await catalogFixture(ctx);
    await discount(f, { code: "ENTER", amountType: "fixed", amount: 200 });
    const s = await open(f, f.oneTimePriceId);
    const { page, problems } = await watchedPage();
    await page.goto(s.url);
    await page.getByLabel("Discount code").fill("enter");
    await page.getByLabel("Discount code").press("Enter");
    await page.getByText("ENTER applied.").waitFor();
    expect(await page.getByLabel("Total due today").textContent()).toBe("$17.99");
    await page.getByRole("button", { name: "Remove" }).click();
    await page.getByText("Discount removed.").waitFor();

    // Typed but never applied: the pay button applies it first, and nothing is charged yet.
    await page.getByLabel("Discount code").fill("ENTER");
    await payWithCard(page, CARDS.ok, { email: "typed@example.com", name: "Typed Code" });
    await page.getByText("ENTER applied.").waitFor();
    expect(await page.getByLabel("Total due today").textContent()).toBe("$17.99");
    expect((await sessionRow(s.checkoutSession.id)).status).toBe("open");
    expect(await page.locator("form[data-checkout] button[type=submit]").textContent()).toBe("Pay $17.99");
    await page.locator("form[data-checkout] button[type=submit]").click();
    await page.waitForURL(/\/thanks/);
    const row = await sessionRow(s.checkoutSession.id);
    const [paid] = await ctx.deps.db
      .select()
      .from(payments)
      .where(eq(payments.id, row.paymentId as string));
    expect(paid?.amount).toBe(1799);
    expect(problems.join("\n").slice(0, 300)).toBe("");
  });

  it("works without the page's script: the page comes back with what was typed, never the card", async () => {
    const f = await catalogFixture(ctx);
    await discount(f, { code: "NOJS", amountType: "percent", amount: 10 });
    const s = await open(f, f.oneTimePriceId);
    const page = await b.newPage({ javaScriptEnabled: false });
    await page.goto(s.url);
    await page.getByLabel("Email").fill("nojs@example.com");
    await page.getByLabel("Full name").fill("No Script");
    await page.getByLabel("Billing country").selectOption("DE");
    await page.getByLabel("Card number").fill(CARDS.ok);
    await page.getByLabel("Discount code").fill("WRONG");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText("This code is not valid for this purchase.").waitFor();
    expect(await page.getByLabel("Discount code").inputValue()).toBe("WRONG");

    await page.getByLabel("Discount code").fill("nojs");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText("NOJS applied.").waitFor();
    expect(await page.getByLabel("Total due today").textContent()).toBe("$17.99"); // 1.999 → 2.00 off
    expect(await page.getByLabel("Email").inputValue()).toBe("nojs@example.com");
    expect(await page.getByLabel("Full name").inputValue()).toBe("No Script");
    expect(await page.getByLabel("Billing country").inputValue()).toBe("DE");
    expect(await page.getByLabel("Card number").inputValue()).toBe("");
    expect(await page.content()).not.toMatch(/value="[\d ]{12,}"/);
    await shots(page, "discount-no-script");

    await page.getByRole("button", { name: "Remove" }).click();
    await page.getByText("Discount removed.").waitFor();
    expect(await page.getByLabel("Email").inputValue()).toBe("nojs@example.com");
    // Enter in the code field posts the pay form: the code is applied, nothing is charged.
    await page.getByLabel("Card number").fill(CARDS.ok);
    await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
    await page.getByLabel("Security code").fill("123");
    await page.getByLabel("Discount code").fill("NOJS");
    await page.getByLabel("Discount code").press("Enter");
    await page.getByText("NOJS applied.").waitFor();
    expect((await sessionRow(s.checkoutSession.id)).status).toBe("open");
    expect(await page.getByLabel("Email").inputValue()).toBe("nojs@example.com");

    // Enter in another field pays, with the code now applied.
    await page.getByLabel("Card number").fill(CARDS.ok);
    await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
    await page.getByLabel("Security code").fill("123");
    await page.getByLabel("Security code").press("Enter");
    await page.waitForURL(/\/thanks/);
    const row = await sessionRow(s.checkoutSession.id);
    const [paid] = await ctx.deps.db
      .select()
      .from(payments)
      .where(eq(payments.id, row.paymentId as string));
    expect(paid?.amount).toBe(1799);
    expect(row.billingAddress?.address.country).toBe("DE");
  });

  it("shows a percent code on a trial as the total after the trial, charging nothing today", async () => {
    const f = await catalogFixture(ctx);
    await discount(f, { code: "TRIAL20", amountType: "percent", amount: 20, duration: "forever" });
    const s = await open(f, f.trialPriceId);
    const { page, problems } = await watchedPage();
    await page.goto(s.url);
    await applyCode(page, "TRIAL20");
    await page.getByText("TRIAL20 applied.").waitFor();
    const summary = await page.locator("#summary").textContent();
    expect(summary).toContain("Total after trial$12.00");
    expect(summary).toContain("14-day free trial, then $12.00 every month.");
    expect(await page.getByLabel("Total due today").textContent()).toBe("$0.00");
    await shots(page, "discount-trial");
    await payWithCard(page, CARDS.ok, { email: "trial@example.com", name: "Trial Person" });
    await page.waitForURL(/\/thanks/);
    const row = await sessionRow(s.checkoutSession.id);
    expect(row.paymentId).toBeNull();
    expect(row.discountId).not.toBeNull();
    expect(problems.join("\n").slice(0, 300)).toBe("");

    // The trial ends: the first renewal charges the discounted price to the card saved at checkout.
    const subscriptionId = row.subscriptionId as string;
    const afterTrial = new Date(Date.now() + 15 * 24 * 60 * 60 * 1000);
    const merchant = { organizationId: f.merchant.organizationId, livemode: false, apiKeyId: "test" };
    await renewSubscription({ ...ctx.deps, now: () => afterTrial }, merchant, subscriptionId);
    const [renewal] = await ctx.deps.db
      .select()
      .from(invoices)
      .where(eq(invoices.subscriptionId, subscriptionId));
    expect(renewal).toMatchObject({ subtotal: 1500, discountAmount: 300, total: 1200, status: "paid" });
    const charged = await ctx.deps.db
      .select()
      .from(payments)
      .where(eq(payments.invoiceId, renewal?.id ?? ""));
    expect(charged.map((p) => [p.status, p.amount])).toEqual([["succeeded", 1200]]);
  });
});
