import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { auditLog, payments } from "../../src/db/schema/index.js";
import { type BrowserContext, browserContext } from "../support/browser.js";
import { createCustomer, DASHBOARD_PASSWORD, dashboardUser, portalWorld } from "../support/index.js";

const b: BrowserContext = await browserContext();
const { ctx } = b;

const shoot = (page: Page, name: string) => b.shootWidths(page, `dashboard-${name}`);

describe("dashboard customers in Chromium", () => {
  it("searches, opens a customer and their payment, and refunds part of it after confirming", async () => {
    const w = await portalWorld(ctx, {
      externalId: "browser-buyer",
      customer: { name: "Rosalind Franklin" },
    });
    await createCustomer(ctx, w.key, "other-1", { name: "Barbara Liskov", email: "barbara@example.com" });
    const user = await dashboardUser(ctx, w.f.merchant.organizationId, "owner");
    const page = await b.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.goto(`${b.baseUrl}/dashboard/sign-in`);
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(DASHBOARD_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard`);

    await page
      .getByRole("navigation", { name: "Dashboard" })
      .getByRole("link", { name: "Customers" })
      .click();
    await page.waitForURL(`${b.baseUrl}/dashboard/customers`);
    expect(await page.getByRole("link", { name: "Barbara Liskov" }).count()).toBe(1);
    await shoot(page, "customers");

    // The search box with the keyboard: type, Enter.
    await page.getByLabel("Search by email, name or externalId").fill("ROSALIND");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/dashboard\/customers\?q=ROSALIND/);
    expect(await page.getByRole("status").textContent()).toContain("1 customer matches");
    expect(await page.getByRole("link", { name: "Barbara Liskov" }).count()).toBe(0);
    await shoot(page, "customers-search");
    await page.getByLabel("Search by email, name or externalId").fill("nobody-at-all");
    await page.keyboard.press("Enter");
    await page.getByText("No customer matches").waitFor();
    await shoot(page, "customers-search-empty");
    await page.goBack();

    await page.getByRole("link", { name: "Rosalind Franklin" }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard/customers/${w.customerId}`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Rosalind Franklin");
    expect(await page.getByText("Visa ending in 4242").count()).toBe(1);
    expect(await page.getByText("payment.succeeded").count()).toBe(1);
    await shoot(page, "customer");

    await page.locator("table").filter({ hasText: "Amount" }).getByRole("link").first().click();
    await page.waitForURL(/\/dashboard\/payments\/pymt_/);
    const paymentId = page.url().split("/").at(-1) ?? "";
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Payment of $9.00");
    await shoot(page, "payment");

    const amount = page.getByLabel(/Amount to refund/);
    await amount.fill("nine dollars");
    await amount.press("Enter");
    await page.locator("#refund-amount-error").waitFor();
    expect(await page.locator("#refund-amount-error").textContent()).toContain(
      "Enter the amount as a number",
    );
    expect(await amount.getAttribute("aria-invalid")).toBe("true");
    await shoot(page, "payment-refund-error");
    await amount.fill("12.00");
    await amount.press("Enter");
    expect(await page.locator("#refund-amount-error").textContent()).toContain("more than the $9.00 left");

    await amount.fill("3.50");
    await page.getByRole("button", { name: "Review refund" }).click();
    expect(await page.locator("#refund-question").textContent()).toBe(
      "Refund $3.50 of $9.00 to Visa ending in 4242?",
    );
    // Nothing is refunded by the review page alone.
    const [unchanged] = await ctx.deps.db.select().from(payments).where(eq(payments.id, paymentId));
    expect(unchanged?.refundedAmount).toBe(0);
    await shoot(page, "payment-refund-confirm");

    await page.getByRole("button", { name: "Confirm refund" }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard/payments/${paymentId}?notice=refunded`);
    expect(await page.getByRole("status").textContent()).toContain("$3.50 of this payment has been refunded");
    expect(await page.getByText("succeeded · $3.50 refunded").count()).toBe(1);
    await shoot(page, "payment-refunded");
    const [refunded] = await ctx.deps.db.select().from(payments).where(eq(payments.id, paymentId));
    expect(refunded).toMatchObject({ refundedAmount: 350, status: "succeeded" });
    const entries = await ctx.deps.db.select().from(auditLog).where(eq(auditLog.objectId, paymentId));
    expect(entries.map((e) => e.action)).toEqual(["payment.refunded"]);

    await page.getByRole("link", { name: "← Payments" }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard/payments`);
    expect(await page.getByText("succeeded · $3.50 refunded").count()).toBe(1);
    await shoot(page, "payments");
  });

  it("shows the empty states of a new organization", async () => {
    const m = await ctx.merchant("Empty Org");
    const user = await dashboardUser(ctx, m.organizationId, "viewer");
    const page = await b.newPage();
    await page.goto(`${b.baseUrl}/dashboard/sign-in`);
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(DASHBOARD_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard`);
    await page.goto(`${b.baseUrl}/dashboard/customers`);
    expect(await page.getByText("No customers yet.").count()).toBe(1);
    await shoot(page, "customers-empty");
    await page.goto(`${b.baseUrl}/dashboard/payments`);
    expect(await page.getByText("No test payments yet.").count()).toBe(1);
    await shoot(page, "payments-empty");
  });
});
