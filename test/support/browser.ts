import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll } from "vitest";
import { type TestContext, testContext } from "./app.js";

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

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export type BrowserContext = {
  ctx: TestContext;
  baseUrl: string;
  /** A stand-in merchant site: every path answers 200 with its own path in the body. */
  merchantUrl: string;
  newPage: () => Promise<Page>;
  screenshot: (page: Page, name: string) => Promise<void>;
};

export async function browserContext(): Promise<BrowserContext> {
  const port = await freePort();
  const base = await testContext();
  const baseUrl = `http://127.0.0.1:${port}`;
  const ctx = await testContext({ config: { ...base.deps.config, publicUrl: baseUrl } });
  const server = serve({ fetch: ctx.app.fetch, port, hostname: "127.0.0.1" });
  const merchant: Server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><title>Merchant</title><h1>Merchant page</h1><p id="path">${(req.url ?? "").replace(/[<>&"]/g, "")}</p>`,
    );
  });
  await new Promise<void>((resolve) => merchant.listen(0, "127.0.0.1", resolve));
  const merchantUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}`;
  const browser: Browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  afterAll(async () => {
    await browser.close();
    await new Promise<void>((resolve) => merchant.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    ctx,
    baseUrl,
    merchantUrl,
    newPage: async () => (await browser.newContext()).newPage(),
    screenshot: async (page, name) => {
      await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
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
