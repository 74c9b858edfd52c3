import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { checkoutSessions } from "../../src/db/schema/index.js";
import { type BrowserContext, browserContext, payWithCard } from "../support/browser.js";
import { CARDS, catalogFixture, DASHBOARD_PASSWORD, dashboardUser, ok } from "../support/index.js";

const b: BrowserContext = await browserContext();
const { ctx } = b;
const SESSION_URL = /\/checkout\/(chckt_session_[0-9A-Za-z]+)$/;

const shoot = (page: Page, name: string) => b.shootWidths(page, `dashboard-catalog-${name}`);

describe("dashboard catalog in Chromium", () => {
  it("creates a product and price, copies its purchase link, and a buyer pays through it", async () => {
    const m = await ctx.merchant("Catalog Browser Org");
    const user = await dashboardUser(ctx, m.organizationId, "owner");
    const page = await b.newPage();
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: b.baseUrl });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${b.baseUrl}/dashboard/sign-in`);
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(DASHBOARD_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard`);

    await page.getByRole("link", { name: "Catalog" }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard/catalog`);
    expect(await page.getByText("Your test catalog is empty.").isVisible()).toBe(true);
    await shoot(page, "empty");

    await page.getByRole("link", { name: "Create a product" }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard/catalog/products/new`);
    await shoot(page, "new");
    await page.getByLabel("Name").fill("Glade Pro");
    await page.getByLabel("Description (optional)").fill("Everything, forever.");
    await page.getByLabel("Amount").fill("19.999");
    await page.getByRole("button", { name: "Create product" }).click();
    const amountError = page.locator("#unitAmount-error");
    await amountError.waitFor();
    expect(await amountError.textContent()).toContain("like 19.99");
    expect(await page.getByLabel("Name").inputValue()).toBe("Glade Pro");
    await shoot(page, "new-error");

    // Fixed with the keyboard: the amount, then Enter submits the form.
    await page.getByLabel("Amount").fill("19.99");
    await page.getByLabel("Type").selectOption("single_payment");
    await page.getByLabel("Amount").press("Enter");
    await page.waitForURL(/\/dashboard\/catalog\/products\/prod_[0-9A-Za-z]+\?done=created$/);
    expect(await page.getByRole("status").textContent()).toContain("Product created.");
    expect(await page.getByText("$19.99 once", { exact: true }).isVisible()).toBe(true);
    await shoot(page, "product");

    // Copy: the label focuses the read-only field, the keyboard selects and copies it.
    await page.getByText("Copy purchase link").click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.press("ControlOrMeta+C");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(new RegExp(`^${b.baseUrl}/price/price_[0-9A-Za-z]+/purchase$`));
    expect(await page.getByRole("textbox", { name: /Copy purchase link/ }).getAttribute("readonly")).toBe("");

    await page.getByRole("link", { name: "← Catalog" }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard/catalog`);
    expect(await page.getByRole("heading", { name: /Default/ }).isVisible()).toBe(true);
    expect(await page.getByRole("link", { name: "Glade Pro" }).isVisible()).toBe(true);
    await shoot(page, "list");

    // A buyer in another browser opens the copied link and pays.
    const buyer = await b.newPage();
    await buyer.setViewportSize({ width: 1280, height: 900 });
    expect((await buyer.goto(copied))?.status()).toBe(200);
    expect(await buyer.getByRole("heading", { name: "Glade Pro" }).isVisible()).toBe(true);
    expect(await buyer.getByLabel("Price").textContent()).toBe("$19.99");
    await buyer.getByRole("button", { name: "Continue to checkout" }).click();
    await buyer.waitForURL(SESSION_URL);
    const sessionId = SESSION_URL.exec(buyer.url())?.[1] as string;
    await payWithCard(buyer, CARDS.ok, { email: "ada@example.com", name: "Ada Lovelace" });
    await buyer.waitForURL(`${b.baseUrl}/checkout/${sessionId}/success`);
    expect(await buyer.locator("body").textContent()).toContain("Thank you for your purchase");
    await b.screenshot(buyer, "dashboard-catalog-paid");
    const [session] = await ctx.deps.db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.id, sessionId));
    expect(session).toMatchObject({ status: "succeeded", organizationId: m.organizationId, livemode: false });
    const payment = await ok(ctx.api("GET", `/api/v1/payments/${session?.paymentId}`, { key: m.testKey }));
    expect(payment.payment.amount).toBe(1999);

    // Disabling the link stops it selling; archiving and editing round-trip on the product page.
    await page.getByRole("link", { name: "Glade Pro" }).click();
    await page.getByRole("button", { name: "Disable purchase link" }).click();
    await page.getByRole("status").filter({ hasText: "Purchase link disabled." }).waitFor();
    expect((await buyer.goto(copied))?.status()).not.toBe(200);
    await page.getByRole("button", { name: "Enable purchase link" }).click();
    await page.getByRole("status").filter({ hasText: "Purchase link enabled." }).waitFor();
    await page.getByRole("button", { name: "Archive price" }).click();
    await page.getByRole("status").filter({ hasText: "Price archived" }).waitFor();
    expect(await page.getByText("Archived", { exact: true }).isVisible()).toBe(true);
    await shoot(page, "product-archived");
    await page.getByLabel("Name").fill("Glade Pro 2");
    await page.getByRole("button", { name: "Save product" }).click();
    await page.getByRole("status").filter({ hasText: "Product saved." }).waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Glade Pro 2");
  });

  it("creates a pricing model, a discount, a feature and another price from the forms, errors next to fields", async () => {
    const f = await catalogFixture(ctx, { merchantName: "Catalog Forms Browser Org" });
    const user = await dashboardUser(ctx, f.merchant.organizationId, "admin");
    const page = await b.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${b.baseUrl}/dashboard/sign-in`);
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(DASHBOARD_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard`);
    await page.goto(`${b.baseUrl}/dashboard/catalog`);

    await page.getByRole("link", { name: "New pricing model" }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard/catalog/pricing-models/new`);
    await page.getByLabel("Name").fill("Enterprise");
    await page.getByLabel("Name").press("Enter");
    await page.waitForURL(/\/dashboard\/catalog\?done=model-created/);
    expect(await page.getByRole("status").textContent()).toContain("Pricing model created.");
    await shoot(page, "model-created");

    await page.goto(`${b.baseUrl}/dashboard/catalog/pricing-models/${f.pricingModelId}/discounts/new`);
    await page.getByLabel("Name").fill("Launch");
    await page.getByLabel("Code").fill("LAUNCH 10");
    await page.getByLabel("Amount", { exact: true }).fill("150");
    await page.getByRole("button", { name: "Create discount" }).click();
    await page.locator("#code-error").waitFor();
    expect(await page.locator("#amount-error").textContent()).toContain("1 to 100");
    expect(await page.getByLabel("Name").inputValue()).toBe("Launch");
    await shoot(page, "discount-error");
    await page.getByLabel("Code").fill("LAUNCH10");
    await page.getByLabel("Amount", { exact: true }).fill("10");
    await page.getByRole("button", { name: "Create discount" }).click();
    await page.waitForURL(/\/dashboard\/catalog\?done=discount-created/);
    expect(await page.getByRole("cell", { name: "LAUNCH10", exact: true }).isVisible()).toBe(true);
    await page.getByRole("button", { name: "Deactivate LAUNCH10" }).click();
    await page.waitForURL(/done=discount-deactivated/);
    await shoot(page, "discount-deactivated");

    await page.goto(`${b.baseUrl}/dashboard/catalog/pricing-models/${f.pricingModelId}/features/new`);
    await page.getByLabel("Name").fill("Priority support");
    await page.getByLabel("Slug").fill("priority-support");
    await shoot(page, "feature-new");
    await page.getByRole("button", { name: "Create feature" }).click();
    await page.waitForURL(/done=feature-created/);

    await page.goto(`${b.baseUrl}/dashboard/catalog/products/${f.productId}`);
    await page.getByRole("link", { name: "Add a price" }).click();
    await page.waitForURL(/\/prices\/new$/);
    await page.getByLabel("Amount").fill("49");
    await page.getByLabel("Currency").selectOption("EUR");
    await page.getByLabel("Renews every (subscriptions only)").selectOption("year");
    await shoot(page, "price-new");
    await page.getByRole("button", { name: "Add price" }).click();
    await page.waitForURL(/done=price-added/);
    expect(await page.getByText("€49.00 / year", { exact: true }).isVisible()).toBe(true);

    await page
      .getByLabel("Attach a feature of this pricing model")
      .selectOption({ label: "Priority support (priority-support)" });
    await page.getByRole("button", { name: "Attach feature" }).click();
    await page.waitForURL(/done=feature-attached/);
    expect(await page.locator(".catalog-features").textContent()).toContain("priority-support");
    await shoot(page, "product-features");
    const details = await ok(
      ctx.api("GET", `/api/v1/pricing-models/${f.pricingModelId}`, { key: f.merchant.testKey }),
    );
    expect(JSON.stringify(details)).toContain("priority-support");
  });
});
