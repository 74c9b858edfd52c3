import { describe, expect, it } from "vitest";
import { type BrowserContext, browserContext, payWithCard } from "../support/browser.js";
import { anonymousSession, CARDS, catalogFixture, sessionRow } from "../support/index.js";

const b: BrowserContext = await browserContext();
const { ctx } = b;

/** WCAG relative luminance of an `rgb(r, g, b)` colour and the contrast ratio of two. */
function luminance(rgb: string): number {
  const [r, g, bl] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (bl ?? 0);
}
const contrast = (a: string, c: string) => {
  const [hi, lo] = [luminance(a), luminance(c)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
};

/** A fresh one-time session's hosted page, opened in a new tab. */
async function openCheckoutPage() {
  const f = await catalogFixture(ctx);
  const id = await anonymousSession(ctx, f, {
    successUrl: `${b.merchantUrl}/thanks`,
    cancelUrl: `${b.merchantUrl}/cart`,
  });
  const page = await b.newPage();
  await page.goto(`${b.baseUrl}/checkout/${id}`);
  return { id, page };
}

describe("hosted page fixes in Chromium", () => {
  it("shows every field's problem next to it, focuses the summary, and stays on the page's address", async () => {
    const { id, page } = await openCheckoutPage();
    await payWithCard(page, "4242 4242 4242 4241", { email: "not-an-email", name: "Ada" });
    await page.waitForURL(`${b.baseUrl}/checkout/${id}`);
    await page.locator(".error-summary").waitFor();
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("error-summary");
    expect(await page.getByLabel("Email").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Card number").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Full name").getAttribute("aria-invalid")).toBeNull();
    expect(await page.getByLabel("Card number").inputValue()).toBe("");
    // The email's message is what a screen reader reads for the field.
    const describedBy = await page.getByLabel("Email").getAttribute("aria-describedby");
    expect(await page.locator(`#${describedBy}`).textContent()).toBe("Enter a valid email address.");
    await b.shootWidths(page, "checkout-field-errors");
  });

  it("after a decline, a reload shows the page again and charges nothing more", async () => {
    const { id, page } = await openCheckoutPage();
    await payWithCard(page, CARDS.decline, { email: "ada@example.com", name: "Ada" });
    await page.waitForURL(`${b.baseUrl}/checkout/${id}`);
    await page.getByText("Your card was declined.").first().waitFor();
    const attempts = (await sessionRow(ctx, id)).attempt;
    await page.reload();
    await page.getByText("Your card was declined.").first().waitFor();
    expect((await sessionRow(ctx, id)).attempt).toBe(attempts);
    expect(await page.getByLabel("Card number").getAttribute("aria-invalid")).toBe("true");
    await b.shootWidths(page, "checkout-declined");
  });

  it("shows the card's brand as it is typed, a favicon, and a focus ring of at least 3:1", async () => {
    const { page } = await openCheckoutPage();
    const badge = page.locator("[data-card-brand]");
    for (const [digits, brand] of [
      ["4242", "visa"],
      ["5555", "mastercard"],
      ["3782", "amex"],
      ["6011", "discover"],
      ["9999", ""],
    ] as const) {
      await page.getByLabel("Card number").fill(digits);
      expect(await badge.getAttribute("data-brand"), digits).toBe(brand);
    }
    await page.getByLabel("Card number").fill("4242 4242");
    const icon = await page.locator('link[rel="icon"]').getAttribute("href");
    const favicon = await fetch(`${b.baseUrl}${icon}`);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get("content-type")).toBe("image/svg+xml");
    await page.keyboard.press("Tab");
    await page.getByLabel("Card number").focus();
    const ring = await page.getByLabel("Card number").evaluate((el) => {
      const style = getComputedStyle(el);
      const panel = el.closest(".panel") ?? document.body;
      return {
        outline: style.outlineColor,
        width: Number.parseFloat(style.outlineWidth),
        panel: getComputedStyle(panel).backgroundColor,
        page: getComputedStyle(document.body).backgroundColor,
      };
    });
    expect(ring.width).toBeGreaterThanOrEqual(2);
    expect(contrast(ring.outline, ring.panel)).toBeGreaterThanOrEqual(3);
    expect(contrast(ring.outline, ring.page)).toBeGreaterThanOrEqual(3);
    await b.shootWidths(page, "checkout-brand-focus");
  });

  it("updates a purchase link's total with the quantity, and its invalid-quantity page leads back", async () => {
    const f = await catalogFixture(ctx);
    const page = await b.newPage();
    await page.goto(`${b.baseUrl}/price/${f.oneTimePriceId}/purchase`);
    await page.getByLabel("Quantity").fill("3");
    await expect.poll(() => page.locator("#order-total").textContent()).toBe("Total for 3: $59.97");
    await page.getByLabel("Quantity").fill("0");
    await expect
      .poll(() => page.locator("#order-total").textContent())
      .toBe("Enter a quantity from 1 to 100.");
    await page.getByLabel("Quantity").fill("2");
    await b.shootWidths(page, "purchase-total-follows-quantity");

    await page.goto(`${b.baseUrl}/price/${f.oneTimePriceId}/purchase?quantity=0`);
    await b.shootWidths(page, "purchase-invalid-quantity");
    await page.getByRole("link", { name: "Back to the purchase page" }).click();
    await page.waitForURL(`${b.baseUrl}/price/${f.oneTimePriceId}/purchase`);
    expect(await page.locator("#order-total").textContent()).toBe("Total for 1: $19.99");
  });

  it("a trial's success page shows the plan, the first charge and the card on file", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f, {
      priceId: f.trialPriceId,
      successUrl: `${b.baseUrl}/checkout/{CHECKOUT_SESSION_ID}/success`,
      cancelUrl: `${b.merchantUrl}/cart`,
    });
    const page = await b.newPage();
    await page.goto(`${b.baseUrl}/checkout/${id}`);
    await payWithCard(page, CARDS.ok, { email: "trial@example.com", name: "Tia" });
    await page.waitForURL(`${b.baseUrl}/checkout/${id}/success`);
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).toContain("Plan: Glade Pro");
    expect(text).toMatch(/First charge: \$15\.00 on \d{4}-\d{2}-\d{2}/);
    expect(text).toContain("Card on file: Visa ending in 4242");
    await b.shootWidths(page, "trial-success");
  });
});
