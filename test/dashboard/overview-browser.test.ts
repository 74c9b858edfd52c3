import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { type BrowserContext, browserContext, fitsWidth } from "../support/browser.js";
import {
  DASHBOARD_PASSWORD,
  dashboardUser,
  OVERVIEW_NOW,
  overviewClock,
  overviewWorld,
} from "../support/index.js";

const b: BrowserContext = await browserContext({ now: () => new Date(overviewClock.now) });
const { ctx } = b;

async function signIn(page: Page, email: string) {
  await page.goto(`${b.baseUrl}/dashboard/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DASHBOARD_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${b.baseUrl}/dashboard`);
}

describe("dashboard overview in Chromium", () => {
  it("shows the charts by day, switches to weeks with a link, and fits a phone, without JavaScript", async () => {
    const f = await overviewWorld(ctx, "Browser Overview Org");
    overviewClock.now = OVERVIEW_NOW;
    const user = await dashboardUser(ctx, f.merchant.organizationId, "viewer");
    const page = await b.newPage({ javaScriptEnabled: false });
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, user.email);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Overview");
    for (const name of [
      "Gross volume",
      "Net volume after refunds",
      "New customers",
      "Active subscriptions",
      "Monthly recurring revenue",
      "Failed payments",
    ]) {
      expect(await page.getByRole("heading", { level: 2, name }).count()).toBe(1);
    }
    // Screen readers get each chart's numbers as a table named by its caption; the drawing is hidden from them.
    const table = page.getByRole("table", { name: "Gross volume in USD by day" });
    expect(await table.getByRole("row").count()).toBe(31);
    expect(await page.locator("svg[aria-hidden=true]").count()).toBe(9);
    expect(await page.locator('svg rect:not([height="0.00"])').first().isVisible()).toBe(true);
    await b.screenshot(page, "dashboard-overview-day-1280");
    expect(await fitsWidth(page, 390)).toBe(true);
    await b.screenshot(page, "dashboard-overview-day-390");

    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole("link", { name: "week", exact: true }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard?by=week`);
    expect(await page.getByRole("link", { name: "week", exact: true }).getAttribute("aria-current")).toBe(
      "true",
    );
    expect(await page.getByRole("table", { name: "Failed payments by week" }).count()).toBe(1);
    await b.screenshot(page, "dashboard-overview-week-1280");
    expect(await fitsWidth(page, 390)).toBe(true);
    await b.screenshot(page, "dashboard-overview-week-390");

    await page.getByRole("link", { name: "day", exact: true }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard?by=day`);
    expect(await page.getByRole("table", { name: "Failed payments by day" }).count()).toBe(1);
  });

  it("shows the next steps to an organization without payments, at both widths", async () => {
    overviewClock.now = OVERVIEW_NOW;
    const m = await ctx.merchant("Browser Fresh Org");
    const user = await dashboardUser(ctx, m.organizationId, "owner");
    const page = await b.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, user.email);
    expect(await page.getByRole("heading", { level: 2, name: "Next steps" }).count()).toBe(1);
    await b.screenshot(page, "dashboard-overview-empty-1280");
    expect(await fitsWidth(page, 390)).toBe(true);
    await b.screenshot(page, "dashboard-overview-empty-390");
  });
});
