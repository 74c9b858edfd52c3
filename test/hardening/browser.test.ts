import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { organizations } from "../../src/db/schema/index.js";
import { type BrowserContext, browserContext, payWithCard } from "../support/browser.js";
import { CARDS, catalogFixture, createCustomer, openSession } from "../support/index.js";

/**
 * Item 3 of issue #7, in a real browser: text from merchants and buyers never runs on any hosted page,
 * the security headers do what they claim in Chromium, and nothing leaks through the Referer.
 */
const b: BrowserContext = await browserContext();
const { ctx } = b;

/** Each payload announces itself through `alert` and a global; the tests watch for both. */
const PAYLOADS = {
  productName: `<img src=x onerror="window.__xss='productName';alert('productName')">`,
  description: `<script>window.__xss='description';alert('description')</script>`,
  orgName: `</title><script>window.__xss='orgName'</script><svg onload="alert('orgName')">`,
  customerName: `"><img src=x onerror="alert('customerName')">`,
  outputName: `'><iframe srcdoc="<script>parent.alert('outputName')</script>"></iframe>`,
  metadataKey: `<svg/onload=alert('metaKey')>`,
  metadataValue: `"><script>alert('metaValue')</script>`,
  buyerName: `"autofocus onfocus="alert('buyerName')`,
  priceName: `<a href="javascript:alert('priceName')">click</a>`,
};

/** The harness's merchant site records what each request carried, Referer included. */
const seen = b.merchantRequests;
const MERCHANT = b.merchantUrl;

type Watched = { page: Page; dialogs: string[]; cspConsole: string[] };

async function watchedPage(): Promise<Watched> {
  const page = await b.newPage();
  const dialogs: string[] = [];
  const cspConsole: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("console", (msg) => {
    if (/Content Security Policy/i.test(msg.text())) cspConsole.push(msg.text());
  });
  // Runs before any page script, outside the page's CSP: records what the CSP had to block.
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { page, dialogs, cspConsole };
}

/**
 * Nothing ran, and nothing even tried to: no dialog, no global, no injected element or handler in the
 * DOM, no CSP violation (a violation would mean markup got through and only the CSP stopped it).
 */
async function expectInert(w: Watched, where: string) {
  await w.page.waitForLoadState("load");
  const state = await w.page.evaluate(() => {
    const all = [...document.querySelectorAll("*")];
    return {
      xss: (window as unknown as { __xss?: string }).__xss ?? null,
      violations: (window as unknown as { __violations?: string[] }).__violations ?? [],
      injected: document.querySelectorAll(
        "img, svg, iframe, object, embed, script:not([src]), base, meta[http-equiv]",
      ).length,
      handlers: all.flatMap((el) =>
        [...el.attributes].filter((a) => a.name.startsWith("on")).map((a) => a.name),
      ),
      jsLinks: all
        .map((el) => el.getAttribute("href") ?? el.getAttribute("action") ?? el.getAttribute("src") ?? "")
        .filter((v) => /^\s*javascript:/i.test(v)),
      autofocus: document.querySelectorAll("[autofocus]").length,
    };
  });
  expect({ ...state, dialogs: w.dialogs, cspConsole: w.cspConsole }, where).toEqual({
    xss: null,
    violations: [],
    injected: 0,
    handlers: [],
    jsLinks: [],
    autofocus: 0,
    dialogs: [],
    cspConsole: [],
  });
}

async function bodyText(page: Page): Promise<string> {
  return (await page.locator("body").textContent()) ?? "";
}

async function hostileMerchant() {
  const f = await catalogFixture(ctx, { productName: PAYLOADS.productName });
  const key = f.merchant.testKey;
  await ctx.deps.db
    .update(organizations)
    .set({ name: PAYLOADS.orgName })
    .where(eq(organizations.id, f.merchant.organizationId));
  const updated = await ctx.api("PUT", `/api/v1/products/${f.productId}`, {
    key,
    body: { product: { description: PAYLOADS.description } },
  });
  expect(updated.status).toBe(200);
  await createCustomer(ctx, key, "hostile", { email: "hostile@example.com", name: PAYLOADS.customerName });
  return f;
}

const session = (key: string, fields: Record<string, unknown>) =>
  openSession(ctx, key, {
    successUrl: `${MERCHANT}/thanks?cs={CHECKOUT_SESSION_ID}&q="><script>alert('successUrl')</script>`,
    cancelUrl: `${MERCHANT}/cart?q='><img src=x onerror=alert('cancelUrl')>`,
    outputName: PAYLOADS.outputName,
    outputMetadata: { [PAYLOADS.metadataKey]: PAYLOADS.metadataValue },
    ...fields,
  });

describe("hostile merchant and buyer text in Chromium", () => {
  it("never runs on the checkout page, its decline re-render, the challenge page or the receipt", async () => {
    const f = await hostileMerchant();
    const s = await session(f.merchant.testKey, {
      type: "product",
      customerExternalId: "hostile",
      priceId: f.oneTimePriceId,
      quantity: 2,
    });
    const w = await watchedPage();
    await w.page.goto(s.url);
    await expectInert(w, "checkout page");
    // Shown as text, not dropped: the escaping is what made it harmless.
    const text = await bodyText(w.page);
    expect(text).toContain(PAYLOADS.productName);
    expect(text).toContain(PAYLOADS.orgName);
    expect(text).toContain(PAYLOADS.description);
    expect(text).toContain(PAYLOADS.customerName);

    await payWithCard(w.page, CARDS.decline);
    await w.page.getByRole("alert").waitFor();
    await expectInert(w, "decline re-render");

    await payWithCard(w.page, CARDS.challenge);
    await w.page.waitForURL(/\/challenge$/);
    await expectInert(w, "challenge page");
    expect(await bodyText(w.page)).toContain(PAYLOADS.orgName);

    await w.page.getByRole("button", { name: "Complete authentication" }).click();
    await w.page.waitForURL(/\/thanks/);
    await expectInert(w, "merchant success page");

    await w.page.goto(`${b.baseUrl}/checkout/${s.checkoutSession.id}`);
    await expectInert(w, "finished checkout page");
    await w.page.goto(`${b.baseUrl}/checkout/${s.checkoutSession.id}/success`);
    await expectInert(w, "receipt page");
    const receipt = await bodyText(w.page);
    expect(receipt).toContain(PAYLOADS.outputName);
    expect(receipt).toContain(PAYLOADS.orgName);
    await b.screenshot(w.page, "hardening-xss-receipt");
  });

  it("never runs what an anonymous buyer types, nor a subscription's hostile names", async () => {
    const f = await hostileMerchant();
    const priced = await ctx.api("PUT", `/api/v1/prices/${f.monthlyPriceId}`, {
      key: f.merchant.testKey,
      body: { price: { name: PAYLOADS.priceName } },
    });
    expect(priced.status).toBe(200);
    const s = await session(f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.monthlyPriceId,
    });
    const w = await watchedPage();
    await w.page.goto(s.url);
    await payWithCard(w.page, CARDS.decline, { email: "typed@example.com", name: PAYLOADS.buyerName });
    await w.page.getByRole("alert").waitFor();
    await expectInert(w, "anonymous decline re-render");
    // The typed name comes back as the field's value, intact, not as markup.
    expect(await w.page.getByLabel("Full name").inputValue()).toBe(PAYLOADS.buyerName);

    await payWithCard(w.page, CARDS.ok);
    await w.page.waitForURL(/\/thanks/);
    await w.page.goto(`${b.baseUrl}/checkout/${s.checkoutSession.id}/success`);
    await expectInert(w, "subscription receipt");
    expect(await bodyText(w.page)).toContain(PAYLOADS.outputName);
  });

  it("never runs on the purchase link's landing page", async () => {
    const f = await hostileMerchant();
    const price = (await ctx.api("GET", `/api/v1/prices/${f.oneTimePriceId}`, { key: f.merchant.testKey }))
      .body.price;
    expect(price.purchaseUrl).toEqual(expect.any(String));
    const w = await watchedPage();
    await w.page.goto(`${b.baseUrl}${new URL(price.purchaseUrl).pathname}`);
    await expectInert(w, "purchase landing page");
    expect(await bodyText(w.page)).toContain(PAYLOADS.productName);
  });
});

describe("security headers, as Chromium enforces them", () => {
  it("the checkout page cannot be framed by another site", async () => {
    const f = await catalogFixture(ctx);
    const s = await session(f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
    });
    const inFrame = async (url: string) => {
      const w = await watchedPage();
      await w.page.goto(`${MERCHANT}/frame?${encodeURIComponent(url)}`);
      await w.page.waitForLoadState("load");
      const frame = w.page.frames().find((fr) => fr !== w.page.mainFrame());
      if (!frame) throw new Error("no iframe on the framing page");
      await frame.waitForLoadState("load").catch(() => undefined);
      return frame.evaluate(() => ({
        heading: document.querySelector("h1")?.textContent?.trim() ?? null,
        checkoutForm: document.querySelector("form[data-checkout]") !== null,
      }));
    };
    // Control: the same framing page shows an ordinary page inside its iframe.
    expect(await inFrame(`${MERCHANT}/plain`)).toEqual({ heading: "Merchant page", checkoutForm: false });
    // The checkout never renders inside it: the browser shows its own "blocked" page instead.
    const framed = await inFrame(s.url);
    expect(framed.checkoutForm).toBe(false);
    expect(framed.heading).not.toBe("Glade Pro");
  });

  it("no inline script, data: script or string-eval can run on the page, even when a script tries", async () => {
    const f = await catalogFixture(ctx);
    const s = await session(f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
    });
    const w = await watchedPage();
    await w.page.goto(s.url);
    await w.page.evaluate(() => {
      const inline = document.createElement("script");
      inline.textContent = "window.__inline = 'inline'";
      document.body.appendChild(inline);
      const fromData = document.createElement("script");
      fromData.src = "data:text/javascript,window.__inline='data'";
      document.body.appendChild(fromData);
      const img = document.createElement("img");
      img.setAttribute("onerror", "window.__inline = 'handler'");
      img.src = "/nope.png";
      document.body.appendChild(img);
      // String timers are eval: they run later, in the page's own context, under its CSP.
      (setTimeout as unknown as (code: string, ms: number) => void)("window.__inline = 'eval'", 0);
    });
    await w.page.waitForTimeout(300);
    expect(
      await w.page.evaluate(() => (window as unknown as { __inline?: string }).__inline),
    ).toBeUndefined();
    // And it was the CSP that stopped each of them.
    const violations = await w.page.evaluate(
      () => (window as unknown as { __violations: string[] }).__violations,
    );
    expect(violations.length).toBeGreaterThanOrEqual(3);
    expect(violations.every((v) => v.startsWith("script-src"))).toBe(true);
  });

  it("sends no Referer to the merchant when the buyer cancels or finishes", async () => {
    const f = await catalogFixture(ctx);
    const s = await session(f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
    });
    const w = await watchedPage();
    await w.page.goto(s.url);
    await w.page.getByRole("link", { name: /Cancel and return/ }).click();
    await w.page.waitForURL(/\/cart/);
    const cancel = seen.filter((r) => r.path.startsWith("/cart")).at(-1);
    expect(cancel?.headers.referer).toBeUndefined();

    await w.page.goto(s.url);
    await payWithCard(w.page, CARDS.ok, { email: "ref@example.com", name: "Ref" });
    await w.page.waitForURL(/\/thanks/);
    const thanks = seen.filter((r) => r.path.startsWith("/thanks")).at(-1);
    expect(thanks?.path).toContain(s.checkoutSession.id);
    expect(thanks?.headers.referer).toBeUndefined();
  });

  it("every hosted page and redirect carries the headers, with a CSP that allows no inline script", async () => {
    const f = await catalogFixture(ctx);
    const key = f.merchant.testKey;
    await createCustomer(ctx, key, "headers");
    const paid = await session(key, {
      type: "product",
      customerExternalId: "headers",
      priceId: f.oneTimePriceId,
    });
    const waiting = await session(key, { type: "product", anonymous: true, priceId: f.oneTimePriceId });
    const expired = await session(key, { type: "product", anonymous: true, priceId: f.oneTimePriceId });
    await ctx.api("POST", `/api/v1/checkout-sessions/${expired.checkoutSession.id}/expire`, { key });
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const pay = (id: string, card: string) =>
      ctx.api("POST", `/checkout/${id}/confirm`, {
        rawBody: new URLSearchParams({
          email: "h@example.com",
          name: "H",
          country: "US",
          cardNumber: card,
          cardExpiry: "12 / 34",
          cardCvc: "123",
        }).toString(),
        headers: form,
      });
    const declined = await pay(paid.checkoutSession.id, CARDS.decline);
    const paidRedirect = await pay(paid.checkoutSession.id, CARDS.ok);
    const challengeRedirect = await pay(waiting.checkoutSession.id, CARDS.challenge);
    const price = (await ctx.api("GET", `/api/v1/prices/${f.oneTimePriceId}`, { key })).body.price;
    const responses: [string, Awaited<ReturnType<typeof ctx.api>>, number][] = [
      ["not-found page", await ctx.api("GET", `/checkout/chckt_session_${"Q".repeat(22)}`), 404],
      ["decline redirect", declined, 303],
      ["redirect to success URL", paidRedirect, 303],
      ["redirect to challenge", challengeRedirect, 303],
      ["challenge page", await ctx.api("GET", `/checkout/${waiting.checkoutSession.id}/challenge`), 200],
      ["finished page", await ctx.api("GET", `/checkout/${paid.checkoutSession.id}`), 200],
      ["receipt", await ctx.api("GET", `/checkout/${paid.checkoutSession.id}/success`), 200],
      ["expired page", await ctx.api("GET", `/checkout/${expired.checkoutSession.id}`), 200],
      ["purchase landing", await ctx.api("GET", new URL(price.purchaseUrl).pathname), 200],
    ];
    for (const [what, res, status] of responses) {
      expect(res.status, what).toBe(status);
      expect(res.headers.get("referrer-policy"), what).toBe("same-origin");
      expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
      expect(res.headers.get("cache-control") ?? "", what).toContain("no-store");
      if (status === 303) continue;
      const csp = new Map(
        (res.headers.get("content-security-policy") ?? "")
          .split(";")
          .map((d) => d.trim().split(/\s+/))
          .filter((parts) => parts[0])
          .map(([name, ...values]) => [name, values] as const),
      );
      expect(csp.get("default-src"), what).toEqual(["'none'"]);
      expect(csp.get("script-src"), what).toEqual(["'self'"]);
      expect(csp.get("frame-ancestors"), what).toEqual(["'none'"]);
      expect(csp.get("base-uri"), what).toEqual(["'none'"]);
      expect(
        csp.has("unsafe-inline") || [...csp.values()].flat().some((v) => /unsafe|\*|data:.*script/.test(v)),
        what,
      ).toBe(false);
      for (const target of csp.get("form-action") ?? []) {
        expect(["'self'", MERCHANT], `${what} form-action ${target}`).toContain(target);
      }
      expect(res.headers.get("x-frame-options"), what).toBe("DENY");
    }
  });
});
