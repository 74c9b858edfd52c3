import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { runDeliveryBatch } from "../../src/webhooks/index.js";
import { type BrowserContext, browserContext, payWithCard } from "../support/browser.js";
import { CARDS, DASHBOARD_PASSWORD, dashboardUser, ok, startReceiver } from "../support/index.js";

/**
 * A merchant's first day in the dashboard, one browser: sign in, put a product on sale, copy its purchase
 * link, a buyer pays through it, the payment shows on the overview and the customer's page, the merchant
 * refunds it, watches the webhook deliveries and redelivers one, makes and revokes a key. Each step's details
 * are tested in its own area's file.
 */
const b: BrowserContext = await browserContext();
const { ctx } = b;

async function deliverAll(organizationId: string) {
  while ((await runDeliveryBatch(ctx.deps, { organizationId })).claimed > 0) {}
}

async function nav(page: Page, name: string) {
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name, exact: true }).click();
}

describe("the merchant's first day in the dashboard", () => {
  it("sells, sees, refunds and redelivers, all from the dashboard", async () => {
    const receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
    try {
      const m = await ctx.merchant("Journey Store");
      const owner = await dashboardUser(ctx, m.organizationId, "owner");
      const page = await b.newPage();
      await page.goto(`${b.baseUrl}/dashboard/sign-in`);
      await page.getByLabel("Email").fill(owner.email);
      await page.getByLabel("Password").fill(DASHBOARD_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${b.baseUrl}/dashboard`);

      // A webhook endpoint first, so the sale's events are delivered to it.
      await ok(
        ctx.api("POST", "/api/v1/webhooks", { key: m.testKey, body: { webhook: { url: receiver.url } } }),
        "webhook",
        201,
      );

      await nav(page, "Catalog");
      await page.getByRole("link", { name: "Create a product" }).click();
      await page.getByLabel("Name").fill("Journey Kit");
      await page.getByLabel("Type").selectOption("single_payment");
      await page.getByLabel("Amount").fill("12.00");
      await page.getByRole("button", { name: "Create product" }).click();
      await page.getByRole("status").filter({ hasText: "Product created." }).waitFor();
      const link = await page.getByRole("textbox", { name: /Copy purchase link/ }).inputValue();
      expect(link).toMatch(/\/price\/price_[0-9A-Za-z]+\/purchase$/);

      const buyer = await b.newPage();
      await buyer.goto(link);
      await buyer.getByRole("button", { name: "Continue to checkout" }).click();
      await buyer.waitForURL(/\/checkout\/chckt_session_[0-9A-Za-z]+$/);
      await payWithCard(buyer, CARDS.ok, { email: "grace@example.com", name: "Grace Hopper" });
      await buyer.waitForURL(/\/success$/);

      await nav(page, "Overview");
      expect(
        await page.locator("#m-gross").locator("..").locator(".overview-value").first().textContent(),
      ).toBe("$12.00");
      await b.shootWidths(page, "journey-overview");

      await nav(page, "Customers");
      await page.getByRole("link", { name: "Grace Hopper" }).click();
      await page.locator("table").filter({ hasText: "Amount" }).getByRole("link").first().click();
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Payment of $12.00");
      await page.getByLabel(/Amount to refund/).fill("12.00");
      await page.getByRole("button", { name: "Review refund" }).click();
      await page.getByRole("button", { name: "Confirm refund" }).click();
      await page.getByRole("status").filter({ hasText: "refunded" }).waitFor();
      const payments = (await ok(ctx.api("GET", "/api/v1/payments", { key: m.testKey }))).data;
      expect(payments[0]).toMatchObject({ amount: 1200, refunded: true, refundedAmount: 1200 });

      await deliverAll(m.organizationId);
      expect(receiver.received.length).toBeGreaterThan(0);
      await nav(page, "Webhooks");
      await page.getByRole("link", { name: receiver.url }).click();
      const before = receiver.received.length;
      await page.getByRole("button", { name: "Redeliver" }).first().click();
      await deliverAll(m.organizationId);
      expect(receiver.received.length).toBe(before + 1);

      await nav(page, "API keys");
      await page.getByLabel("Name of a new test key").fill("Journey key");
      await page.getByRole("button", { name: "Create test key" }).click();
      const secret = (await page.locator("#new-secret").textContent()) ?? "";
      await page.goto(`${b.baseUrl}/dashboard/developers/api-keys`);
      await page.getByRole("button", { name: "Revoke Journey key" }).click();
      expect((await ctx.api("GET", "/api/v1/customers", { key: secret })).status).toBe(401);

      await nav(page, "Audit log");
      for (const action of ["product.created", "api_key.created", "api_key.revoked", "event.redelivered"]) {
        expect(await page.getByText(action, { exact: true }).count(), action).toBeGreaterThan(0);
      }
    } finally {
      await receiver.close();
    }
    // Only a hang guard: one sign-in, one sale, one refund and a few deliveries.
  }, 180_000);
});
