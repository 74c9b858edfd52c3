import { describe, expect, it } from "vitest";
import { ARTIFACTS, type BrowserContext, browserContext } from "../support/browser.js";

const b: BrowserContext = await browserContext();

const bodyText = async (page: Page) => (await page.locator("body").textContent()) ?? "";

type Page = Awaited<ReturnType<BrowserContext["newPage"]>>;

/**
 * Screenshots at 1280 and 390 px. Not `shootWidths`: Scalar's own phone header lets its title run past the
 * edge (its code samples scroll in their boxes), so what is checked is that the operation's heading and
 * its curl sample fit the screen.
 */
async function shootReference(page: Page, name: string, heading: RegExp) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const title = page.getByRole("heading", { name: heading }).first();
    await title.scrollIntoViewIfNeeded();
    const box = await title.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= width, `${name} heading at ${width} px`).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/${name}-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe("the API reference in Chromium", () => {
  it("shows each operation's schemas and examples, loading nothing from any other site", async () => {
    const page = await b.newPage();
    const elsewhere: string[] = [];
    const policyViolations: string[] = [];
    page.on("request", (req) => {
      const url = req.url();
      if (!url.startsWith(b.baseUrl) && !url.startsWith("data:") && !url.startsWith("blob:"))
        elsewhere.push(url);
    });
    page.on("console", (msg) => {
      if (/Content Security Policy/i.test(msg.text())) policyViolations.push(msg.text());
    });

    const res = await page.goto(`${b.baseUrl}/api/docs#tag/products/POST/api/v1/products`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()["content-security-policy"]).toContain("connect-src 'self'");
    expect(res?.headers()["x-frame-options"]).toBe("DENY");
    await page
      .getByRole("heading", { name: /^Create a product together/ })
      .first()
      .waitFor();
    // The request schema, field by field (what a newcomer had to dig out of openapi.json before).
    await expect.poll(() => bodyText(page)).toContain("pricingModelId");
    await expect.poll(() => bodyText(page)).toContain("A monthly plan with a 14-day trial");
    expect(await page.getByRole("button", { name: /Test Request/i }).count()).toBeGreaterThan(0);
    await shootReference(page, "api-docs-product", /^Create a product together/);

    // A new document: Scalar reads the operation from the address when it loads.
    await page.goto("about:blank");
    await page.goto(`${b.baseUrl}/api/docs#tag/checkout-sessions/POST/api/v1/checkout-sessions`);
    await page
      .getByRole("heading", { name: /^Create a checkout session/ })
      .first()
      .waitFor();
    await expect.poll(() => bodyText(page)).toContain("Buy a price by its slug, for a known customer");
    // The copied curl command names a server (the document's `servers`), not a bare path.
    await expect.poll(() => bodyText(page)).toMatch(/curl https?:\/\/[^\s]+\/api\/v1\/checkout-sessions/);
    await shootReference(page, "api-docs-checkout-session", /^Create a checkout session/);

    await page.waitForLoadState("networkidle");
    expect(elsewhere).toEqual([]);
    expect(policyViolations).toEqual([]);
  });

  it("serves the renderer compressed, cached for good, under its version's name only", async () => {
    const page = await fetch(`${b.baseUrl}/api/docs`);
    const src = /<script src="(\/api\/docs\/scalar-[0-9.]+\.js)"/.exec(await page.text())?.[1];
    expect(src).toBeDefined();
    const js = await fetch(`${b.baseUrl}${src}`, { headers: { "accept-encoding": "gzip" } });
    expect(js.status).toBe(200);
    expect(js.headers.get("content-encoding")).toBe("gzip");
    expect(js.headers.get("cache-control")).toContain("immutable");
    expect((await js.text()).length).toBeGreaterThan(1_000_000);
    expect((await fetch(`${b.baseUrl}/api/docs/scalar-0.0.1.js`)).status).toBe(404);
  });
});
