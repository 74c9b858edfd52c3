import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { seedDemo } from "../../src/cli/seed.js";
import { checkoutSessions } from "../../src/db/schema/index.js";
import { type BrowserContext, browserContext, payWithCard } from "../support/browser.js";
import { CARDS, catalogFixture } from "../support/index.js";

const b: BrowserContext = await browserContext();
const { ctx } = b;

/** The demo seed as `npm start` runs it, with its credentials file kept out of the working tree. */
const dataDir = join(mkdtempSync(join(tmpdir(), "glade-purchase-pages-")), "data");
const seeded = await seedDemo({ ...ctx.deps, config: { ...ctx.deps.config, dataDir } });
const purchaseLink = seeded.summary
  .find((line) => line.startsWith("Purchase link:"))
  ?.replace(/^Purchase link:\s+/, "");

const SESSION_URL = /\/checkout\/(chckt_session_[0-9A-Za-z]+)$/;

describe("purchase links in Chromium", () => {
  it("follows the seeded link: landing page, pay, Glade's success page with a printable receipt", async () => {
    expect(purchaseLink).toMatch(new RegExp(`^${b.baseUrl}/price/price_[0-9A-Za-z]+/purchase$`));
    const page = await b.newPage();
    const landing = await page.goto(purchaseLink as string);
    expect(landing?.status()).toBe(200);
    expect(await page.getByRole("heading", { name: "Glade Pro" }).isVisible()).toBe(true);
    expect(await page.getByLabel("Price").textContent()).toBe("$199.00");
    await b.screenshot(page, "purchase-link-landing");

    await page.getByRole("button", { name: "Continue to checkout" }).click();
    await page.waitForURL(SESSION_URL);
    const sessionId = SESSION_URL.exec(page.url())?.[1] as string;
    expect(await page.getByLabel("Total due today").textContent()).toBe("$199.00");
    await payWithCard(page, CARDS.ok, { email: "ada@example.com", name: "Ada Lovelace" });

    await page.waitForURL(`${b.baseUrl}/checkout/${sessionId}/success`);
    await b.screenshot(page, "purchase-link-success");
    const body = (await page.locator("body").textContent()) ?? "";
    expect(body).toContain("Thank you for your purchase");
    expect(body).toContain("ada@example.com");
    expect(body).toMatch(/ending in 4242/);
    expect(body).toContain("Glade Demo Store");
    const receipt = page.getByRole("table", { name: "Receipt line items" });
    expect(await receipt.getByRole("cell", { name: "Glade Pro" }).isVisible()).toBe(true);
    expect(await receipt.textContent()).toContain("$199.00");
    expect(await page.getByRole("heading", { name: /^Receipt / }).textContent()).toMatch(/^Receipt \S+/);
    expect(body).toMatch(/Date: \d{4}-\d{2}-\d{2}/);
    const print = page.getByRole("button", { name: "Print receipt" });
    expect(await print.isVisible()).toBe(true);

    // Printing keeps the receipt and drops the controls and the test-mode banner.
    await page.emulateMedia({ media: "print" });
    expect(await print.isVisible()).toBe(false);
    expect(await receipt.isVisible()).toBe(true);
    expect(await page.getByRole("note").isVisible()).toBe(false);
    await b.screenshot(page, "purchase-link-receipt-print");

    const [row] = await ctx.deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, sessionId));
    expect(row).toMatchObject({
      status: "succeeded",
      source: "purchase_page",
      anonymous: true,
      organizationId: seeded.organizationId,
    });
    const payment = await ctx.api("GET", `/api/v1/payments/${row?.paymentId}`, { key: seeded.secret });
    expect(payment.body.payment.amount).toBe(19900);
  });

  it("reuses the open session when the same browser comes back, and cancel returns to the link", async () => {
    const link = `${purchaseLink}?quantity=2`;
    const page = await b.newPage();
    await page.goto(link);
    await page.getByRole("button", { name: "Continue to checkout" }).click();
    await page.waitForURL(SESSION_URL);
    const first = page.url();
    expect(await page.getByLabel("Total due today").textContent()).toBe("$398.00");

    await page.getByRole("link", { name: /^Cancel and return to/ }).click();
    await page.waitForURL(link);
    expect(await page.getByLabel("Quantity").inputValue()).toBe("2");
    await page.getByRole("button", { name: "Continue to checkout" }).click();
    await page.waitForURL(SESSION_URL);
    expect(page.url()).toBe(first);

    // A fresh visit (new tab, same browser profile) lands on the same session too.
    const again = await page.context().newPage();
    await again.goto(link);
    await again.getByRole("button", { name: "Continue to checkout" }).click();
    await again.waitForURL(SESSION_URL);
    expect(again.url()).toBe(first);

    // Another browser gets its own session.
    const other = await b.newPage();
    await other.goto(link);
    await other.getByRole("button", { name: "Continue to checkout" }).click();
    await other.waitForURL(SESSION_URL);
    expect(other.url()).not.toBe(first);

    // Changing the quantity on the landing page starts a separate order.
    await page.goto(link);
    await page.getByLabel("Quantity").fill("3");
    await page.getByRole("button", { name: "Continue to checkout" }).click();
    await page.waitForURL(SESSION_URL);
    expect(page.url()).not.toBe(first);
    expect(await page.getByLabel("Total due today").textContent()).toBe("$597.00");
  });

  it("shows a clear page for a price whose purchase page is switched off", async () => {
    const f = await catalogFixture(ctx);
    const put = await ctx.api("PUT", `/api/v1/prices/${f.oneTimePriceId}`, {
      key: f.merchant.testKey,
      body: { price: { purchasePageEnabled: false } },
    });
    expect(put.status).toBe(200);
    const page = await b.newPage();
    const res = await page.goto(put.body.price.purchaseUrl);
    expect(res?.status()).toBe(404);
    expect(await page.getByRole("heading", { name: "Not available" }).isVisible()).toBe(true);
    expect(await page.getByRole("alert").textContent()).toBe("The seller has turned off this purchase link.");
    expect(await page.getByRole("button").count()).toBe(0);
    await b.screenshot(page, "purchase-link-disabled");
  });

  it("refuses an out-of-range quantity in the link with a clear page", async () => {
    const page = await b.newPage();
    const res = await page.goto(`${purchaseLink}?quantity=101`);
    expect(res?.status()).toBe(400);
    expect(await page.getByRole("heading", { name: "Invalid quantity" }).isVisible()).toBe(true);
    expect(await page.getByRole("alert").textContent()).toContain("a whole number from 1 to 100");
    await b.screenshot(page, "purchase-link-bad-quantity");

    // The landing form's own bounds stop a browser from submitting 0.
    await page.goto(purchaseLink as string);
    await page.getByLabel("Quantity").fill("0");
    await page.getByRole("button", { name: "Continue to checkout" }).click();
    expect(
      await page
        .getByLabel("Quantity")
        .evaluate((el) => (el as unknown as { validity: { valid: boolean } }).validity.valid),
    ).toBe(false);
    expect(page.url()).toBe(purchaseLink);
  });
});
