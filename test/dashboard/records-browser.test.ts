import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { listAuditEntries } from "../../src/audit/index.js";
import { checkoutSessions, subscriptions } from "../../src/db/schema/index.js";
import { type BrowserContext, browserContext } from "../support/browser.js";
import { recordsWorld } from "../support/dashboard-records.js";
import { DASHBOARD_PASSWORD, DAY, dashboardUser, PERIOD_START } from "../support/index.js";

/** Mid-January 2030: the fixture subscriptions' first period (January) is running. */
const clock = { now: PERIOD_START + 15 * DAY };
const b: BrowserContext = await browserContext({ now: () => new Date(clock.now) });
const { ctx } = b;

async function signIn(page: Page, email: string) {
  await page.goto(`${b.baseUrl}/dashboard/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DASHBOARD_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${b.baseUrl}/dashboard`);
}

/** Moves focus with Tab alone until it rests on the control named `name` (a keyboard-only user's way). */
async function tabTo(page: Page, name: string) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");
    if (focused === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

const shoot = (page: Page, name: string) => b.shootWidths(page, name);

const subStatus = async (id: string) =>
  (await ctx.deps.db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0]?.status;

describe("dashboard records in Chromium", () => {
  it("cancels and restores a subscription, reads an invoice and its PDF, and expires a checkout session", async () => {
    const m = await ctx.merchant("Chromium Records");
    const w = await recordsWorld(ctx, m);
    const admin = await dashboardUser(ctx, m.organizationId, "admin");
    const page = await b.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, admin.email);

    // Subscriptions: the list, the filter, the details; cancel at period end and undo, with the keyboard.
    await page
      .getByRole("navigation", { name: "Dashboard" })
      .getByRole("link", { name: "Subscriptions" })
      .click();
    await page.waitForURL(`${b.baseUrl}/dashboard/subscriptions`);
    expect(await page.getByRole("cell", { name: "$39.98 / month" }).count()).toBe(1);
    await shoot(page, "dashboard-subscriptions");
    await page.getByRole("link", { name: "Active", exact: true }).click();
    await page.waitForURL(/status=active/);
    await page.getByRole("link", { name: new RegExp(w.customerName) }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard/subscriptions/${w.subscriptionId}`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Subscription");
    await shoot(page, "dashboard-subscription");

    await tabTo(page, "Cancel at period end");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Undo cancellation" }).waitFor();
    expect(await subStatus(w.subscriptionId)).toBe("cancellation_scheduled");
    expect(await page.getByText("Cancels at (UTC)").count()).toBe(1);
    await shoot(page, "dashboard-subscription-scheduled");
    await tabTo(page, "Undo cancellation");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Cancel at period end" }).waitFor();
    expect(await subStatus(w.subscriptionId)).toBe("active");
    await page.getByRole("button", { name: "Cancel now" }).click();
    await page.getByText("Canceled at (UTC)").waitFor();
    expect(await subStatus(w.subscriptionId)).toBe("canceled");
    expect(await page.getByRole("button", { name: "Cancel now" }).count()).toBe(0);
    await page.getByRole("link", { name: "← Subscriptions" }).click();
    await page.getByRole("link", { name: "Canceled", exact: true }).click();
    await page.waitForURL(/status=canceled/);
    expect(await page.getByRole("link", { name: new RegExp(w.customerName) }).count()).toBe(1);
    await page.getByRole("link", { name: "Paused", exact: true }).click();
    await page.getByText("No subscriptions are paused.").waitFor();
    await shoot(page, "dashboard-subscriptions-empty");

    // Invoices: the list with its PDF link (which serves a PDF), then the invoice and its lines.
    await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Invoices" }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard/invoices`);
    await shoot(page, "dashboard-invoices");
    const pdfHref = await page
      .getByRole("link", { name: `PDF of invoice ${w.invoiceNumber}` })
      .getAttribute("href");
    const pdf = await page.request.get(pdfHref ?? "");
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    await page.getByRole("link", { name: w.invoiceNumber, exact: true }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard/invoices/${w.invoiceId}`);
    expect(await page.getByRole("cell", { name: "Onboarding call" }).count()).toBe(1);
    await shoot(page, "dashboard-invoice");

    // Checkout sessions: filter to open ones, expire one, find it under expired.
    await page
      .getByRole("navigation", { name: "Dashboard" })
      .getByRole("link", { name: "Checkout sessions" })
      .click();
    await page.waitForURL(`${b.baseUrl}/dashboard/checkout-sessions`);
    await shoot(page, "dashboard-checkout-sessions");
    await page.getByRole("link", { name: "Open", exact: true }).click();
    await page.waitForURL(/status=open/);
    await page.getByRole("button", { name: `Expire ${w.sessionId}` }).click();
    await page.getByText("No open checkout sessions.").waitFor();
    expect(page.url()).toBe(`${b.baseUrl}/dashboard/checkout-sessions?status=open`);
    const [session] = await ctx.deps.db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.id, w.sessionId));
    expect(session?.status).toBe("expired");
    await page.getByRole("link", { name: "Expired", exact: true }).click();
    await page.getByRole("cell", { name: w.sessionId }).waitFor();
    await shoot(page, "dashboard-checkout-sessions-expired");

    const actions = (await listAuditEntries(ctx.deps.db, w.merchant, { limit: 20 })).entries.map(
      (e) => e.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        "subscription.cancellation_scheduled",
        "subscription.cancellation_undone",
        "subscription.canceled",
        "checkout_session.expired",
      ]),
    );
  });

  it("shows a viewer the records without any action", async () => {
    const m = await ctx.merchant("Chromium Viewer");
    const w = await recordsWorld(ctx, m);
    const viewer = await dashboardUser(ctx, m.organizationId, "viewer");
    const page = await b.newPage();
    await signIn(page, viewer.email);
    await page.goto(`${b.baseUrl}/dashboard/subscriptions/${w.subscriptionId}`);
    expect(await page.getByRole("button", { name: "Cancel now" }).count()).toBe(0);
    await page.getByText("Your role can view subscriptions but not cancel them.").waitFor();
    await shoot(page, "dashboard-subscription-viewer");
    await page.goto(`${b.baseUrl}/dashboard/checkout-sessions`);
    expect(await page.getByRole("button", { name: /^Expire/ }).count()).toBe(0);
    await page.goto(`${b.baseUrl}/dashboard/invoices/inv_doesnotexist`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Not found");
  });
});
