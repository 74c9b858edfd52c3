import { mkdirSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll } from "vitest";
import type { TestContext } from "./app.js";
import { serveGlade } from "./server.js";

/**
 * Not re-exported from ./index.ts: loading playwright-core costs about two seconds, which only the files that
 * drive Chromium should pay.
 */

export const ARTIFACTS = "test-artifacts/screenshots";

/** Flags the machine needs: no sandbox as root, and no background traffic to hosts we cannot reach. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Debian's Chromium with this machine's flags, closed after the test file. */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  afterAll(() => browser.close());
  return browser;
}

/** A stand-in merchant site where success and cancel URLs point: every path is a thank-you page. */
export async function thanksSite(): Promise<string> {
  const site = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>Merchant</title><h1>Thanks</h1>");
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  afterAll(() => new Promise<void>((resolve) => site.close(() => resolve())));
  return `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
}

export type MerchantRequest = { path: string; headers: IncomingHttpHeaders };

export type BrowserContext = {
  ctx: TestContext;
  baseUrl: string;
  /**
   * A stand-in merchant site: every path answers 200 with its own path in the body, and `/frame?<url>` embeds
   * `<url>` in an iframe as a merchant's page would.
   */
  merchantUrl: string;
  /** Every request the merchant site got, Referer included, oldest first. */
  merchantRequests: MerchantRequest[];
  /** A tab in a fresh browser context; `javaScriptEnabled: false` for a browser without scripts. */
  newPage: (options?: { javaScriptEnabled?: boolean }) => Promise<Page>;
  screenshot: (page: Page, name: string) => Promise<void>;
  /**
   * The page at a desktop (1280) and a phone (390) width, each checked to fit without sideways scroll (a
   * failure names what sticks out), one screenshot each as `<name>-<width>`; left at 1280.
   */
  shootWidths: (page: Page, name: string) => Promise<void>;
};

/** True when nothing sticks out sideways at this width; else the offending elements, named. */
export async function fitsWidth(page: Page, width: number): Promise<true | string> {
  await page.setViewportSize({ width, height: 900 });
  return page.evaluate(() => {
    if (document.documentElement.scrollWidth <= window.innerWidth) return true;
    const wide = [...document.querySelectorAll("body *")].filter(
      (e) => e.getBoundingClientRect().right > window.innerWidth,
    );
    return wide.map((e) => `${e.tagName}.${e.className}`).join(" ");
  });
}

/** `overrides.now`: the app clock, for pages whose links expire. */
export async function browserContext(
  overrides: Parameters<typeof serveGlade>[0] = {},
): Promise<BrowserContext> {
  const { ctx, baseUrl } = await serveGlade(overrides);
  const merchantRequests: MerchantRequest[] = [];
  const merchant: Server = createServer((req, res) => {
    const path = req.url ?? "";
    merchantRequests.push({ path, headers: req.headers });
    const frame = path.startsWith("/frame?")
      ? `<iframe id="embed" src="${decodeURIComponent(path.slice(7))}"></iframe>`
      : "";
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><title>Merchant</title><h1>Merchant page</h1><p id="path">${path.replace(/[<>&"]/g, "")}</p>${frame}`,
    );
  });
  await new Promise<void>((resolve) => merchant.listen(0, "127.0.0.1", resolve));
  const merchantUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  afterAll(() => new Promise<void>((resolve) => merchant.close(() => resolve())));
  return {
    ctx,
    baseUrl,
    merchantUrl,
    merchantRequests,
    newPage: async (options = {}) => (await browser.newContext(options)).newPage(),
    screenshot: async (page, name) => {
      await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
    },
    shootWidths: async (page, name) => {
      for (const width of [1280, 390]) {
        const fits = await fitsWidth(page, width);
        if (fits !== true) throw new Error(`${name} at ${width} px sticks out sideways: ${fits}`);
        await page.screenshot({ path: `${ARTIFACTS}/${name}-${width}.png`, fullPage: true });
      }
      await page.setViewportSize({ width: 1280, height: 900 });
    },
  };
}

/** Fills the hosted form the way a customer would: by label, then the pay button. */
export async function payWithCard(page: Page, card: string, buyer: { email?: string; name?: string } = {}) {
  if (buyer.email !== undefined) await page.getByLabel("Email").fill(buyer.email);
  if (buyer.name !== undefined) await page.getByLabel("Full name").fill(buyer.name);
  await page.getByLabel("Card number").fill(card);
  await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
  await page.getByLabel("Security code").fill("123");
  await page.locator("form[data-checkout] button[type=submit]").click();
}
