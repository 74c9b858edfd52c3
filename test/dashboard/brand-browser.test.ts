import { describe, expect, it } from "vitest";
import { updateOrganizationProfile } from "../../src/organizations/index.js";
import { type BrowserContext, browserContext } from "../support/browser.js";
import { anonymousSession, catalogFixture } from "../support/index.js";

const b: BrowserContext = await browserContext();
const { ctx } = b;

describe("a branded hosted checkout in Chromium", () => {
  it("paints the pay button in the merchant's colour, with no policy violation", async () => {
    const f = await catalogFixture(ctx);
    await updateOrganizationProfile(
      ctx.deps.db,
      f.merchant.organizationId,
      { brandColor: "#0b6e4f" },
      new Date(),
    );
    const page = await b.newPage();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${b.baseUrl}/checkout/${await anonymousSession(ctx, f)}`);
    const button = page.locator("form[data-checkout] button[type=submit]").last();
    expect(await button.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe("rgb(11, 110, 79)");
    expect(await button.evaluate((e) => getComputedStyle(e).color)).toBe("rgb(255, 255, 255)");
    expect(violations).toEqual([]);
    await b.shootWidths(page, "checkout-branded");
  });
});
