import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  ARTIFACTS,
  type BrowserContext,
  browserContext,
  fitsWidth,
  payWithCard,
} from "../support/browser.js";
import { ok, portalLink, portalWorld } from "../support/index.js";

/** The app clock runs with real time plus `offset`: a test moves it past a link's expiry. */
const clock = { offset: 0 };
const b: BrowserContext = await browserContext({ now: () => new Date(Date.now() + clock.offset) });
const { ctx } = b;
const DOCS = "test-artifacts/documents";
mkdirSync(DOCS, { recursive: true });

const world = (externalId: string) => portalWorld(ctx, { externalId });

async function openPortal(page: Page, key: string, externalId: string) {
  const link = await portalLink(ctx, key, externalId, { returnUrl: `${b.merchantUrl}/account` });
  await page.goto(link.url);
  await page.waitForURL(`${b.baseUrl}/billing`);
  return link;
}

/** Moves focus with Tab alone until it rests on the control named `name` (a keyboard-only user's way). */
async function tabTo(page: Page, name: string) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");
    if (focused === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

describe("billing portal in Chromium", () => {
  it("signs in through a link and cancels, then keeps, the subscription with the keyboard alone", async () => {
    const w = await world("kb-user");
    const page = await b.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await openPortal(page, w.key, w.externalId);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Billing");
    expect(await page.getByText("kb-user@example.com").count()).toBe(1);
    await b.screenshot(page, "portal-1280");
    expect(await fitsWidth(page, 390)).toBe(true);
    await b.screenshot(page, "portal-390");
    await page.setViewportSize({ width: 1280, height: 900 });

    await tabTo(page, "Cancel at period end");
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "will end at the close" }).waitFor();
    expect(await page.getByText("Cancels at period end").count()).toBe(1);
    expect(await page.getByText(/^Ends on /).count()).toBe(1);
    await b.screenshot(page, "portal-cancel-scheduled");
    await tabTo(page, "Keep my subscription");
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "Your subscription will continue." }).waitFor();
    const sub = (await ok(ctx.api("GET", `/api/v1/subscriptions/${w.subscriptionId}`, { key: w.key })))
      .subscription;
    expect(sub.status).toBe("active");

    await page.getByRole("link", { name: "← Back to Test Merchant" }).click();
    await page.waitForURL(`${b.merchantUrl}/account`);
  });

  it("upgrades with the proration charge shown first, without JavaScript", async () => {
    const w = await world("nojs-user");
    const page = await b.newPage({ javaScriptEnabled: false });
    await page.setViewportSize({ width: 390, height: 844 });
    await openPortal(page, w.key, w.externalId);
    await page.getByRole("link", { name: "Change plan" }).click();
    await page
      .locator(".plan-option", { hasText: "Glade Pro (Plus)" })
      .getByRole("link", { name: "Choose" })
      .click();
    const outcome = (await page.getByRole("status").textContent()) ?? "";
    expect(outcome).toMatch(/Your card will be charged \$\d+\.\d\d for the rest of this billing period/);
    expect(await fitsWidth(page, 390)).toBe(true);
    await b.screenshot(page, "portal-plan-confirm-390");
    await page.setViewportSize({ width: 1280, height: 900 });
    await b.screenshot(page, "portal-plan-confirm-1280");
    await page.getByRole("button", { name: "Confirm change" }).click();
    await page.getByRole("status").filter({ hasText: "Your plan was changed." }).waitFor();
    expect(await page.getByText("$29.00 / month").count()).toBe(1);
    const charged = outcome.match(/\$(\d+)\.(\d\d)/) ?? [];
    const payments = (await ok(ctx.api("GET", "/api/v1/payments", { key: w.key }))).data;
    expect(payments.map((p: { amount: number }) => p.amount)).toContain(Number(`${charged[1]}${charged[2]}`));
  });

  it("replaces the card through checkout and comes back to the portal", async () => {
    const w = await world("card-user");
    const page = await b.newPage();
    await openPortal(page, w.key, w.externalId);
    await page.getByRole("button", { name: "Replace card" }).click();
    await page.waitForURL(/\/checkout\/chckt_session_/);
    await payWithCard(page, "5555 5555 5555 4444");
    await page.waitForURL(`${b.baseUrl}/billing?notice=card_saved`);
    expect(await page.getByRole("status").textContent()).toContain("Your new card was saved");
    const cards = await page.locator("#cards-title + * , .plain-list li").allTextContents();
    expect(cards.join(" ")).toMatch(/Mastercard ending in 4444.*Default/);
    await b.screenshot(page, "portal-card-replaced");
    const sub = (await ok(ctx.api("GET", `/api/v1/subscriptions/${w.subscriptionId}`, { key: w.key })))
      .subscription;
    const method = (
      await ok(ctx.api("GET", `/api/v1/payment-methods/${sub.defaultPaymentMethodId}`, { key: w.key }))
    ).paymentMethod;
    expect(method.paymentMethodData.last4).toBe("4444");
  });

  it("downloads the invoice as a PDF that reads back with its number, lines and total", async () => {
    const w = await world("pdf-user");
    const page = await b.newPage();
    await openPortal(page, w.key, w.externalId);
    const invoice = (await ok(ctx.api("GET", `/api/v1/invoices/${w.invoiceId}`, { key: w.key }))).invoice;
    const link = page.getByRole("link", { name: `Invoice ${invoice.invoiceNumber} (PDF)` });
    const href = (await link.getAttribute("href")) ?? "";
    const res = await page.request.get(`${b.baseUrl}${href}`);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toBe("application/pdf");
    const path = `${DOCS}/portal-invoice.pdf`;
    writeFileSync(path, await res.body());
    const text = execFileSync("pdftotext", ["-layout", path, "-"], { encoding: "utf8" });
    expect(text).toContain(invoice.invoiceNumber);
    expect(text).toMatch(/Glade Pro\s+1\s+\$9\.00\s+\$9\.00/);
    expect(text).toMatch(/Total\s+\$9\.00/);
    mkdirSync(ARTIFACTS, { recursive: true });
    execFileSync("pdftoppm", ["-png", "-r", "80", "-singlefile", path, `${ARTIFACTS}/portal-invoice-pdf`]);
    // Another context without the portal cookie gets no document at the same address.
    const stranger = await b.newPage();
    const refused = await stranger.request.get(`${b.baseUrl}${href}`);
    expect(refused.status()).toBe(401);
  });

  it("shows a clear page for a used or expired link and for another customer's ids", async () => {
    const alice = await world("alice-b");
    const bob = await world("bob-b");
    const page = await b.newPage();
    const link = await openPortal(page, alice.key, alice.externalId);
    await page.goto(`${b.baseUrl}/billing/subscriptions/${bob.subscriptionId}/change`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Not found");
    expect(await page.getByText("bob-b@example.com").count()).toBe(0);

    const other = await b.newPage();
    await other.setViewportSize({ width: 390, height: 844 });
    const used = await other.goto(link.url);
    expect(used?.status()).toBe(410);
    expect(await other.getByRole("heading", { level: 1 }).textContent()).toBe(
      "This billing link was already used",
    );
    await b.screenshot(other, "portal-link-used-390");

    const fresh = await portalLink(ctx, alice.key, alice.externalId);
    clock.offset += 2 * 60 * 60 * 1000;
    try {
      const expired = await other.goto(fresh.url);
      expect(expired?.status()).toBe(410);
      expect(await other.getByRole("heading", { level: 1 }).textContent()).toBe(
        "This billing link has expired",
      );
      await other.setViewportSize({ width: 1280, height: 900 });
      await b.screenshot(other, "portal-link-expired-1280");
      // The session signed in before the jump has ended too.
      await page.goto(`${b.baseUrl}/billing`);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
        "You are signed out of billing",
      );
    } finally {
      clock.offset = 0;
    }
  });
});
