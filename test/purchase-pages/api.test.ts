import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { checkoutSessions } from "../../src/db/schema/index.js";
import { type CatalogFixture, catalogFixture, sessionRow } from "../support/index.js";
import { serveGladeWithStripe } from "../support/stripe.js";

// Live sessions need a live processor: this file's Glade talks to a fake Stripe account with live keys.
const world = await serveGladeWithStripe("live");
const { ctx } = world;
const BASE = ctx.deps.config.publicUrl;

let ipCounter = 0;
/** Each call gets its own documentation-range address unless a test pins one: the rate limit is per client. */
const freshIp = () => `198.51.100.${(ipCounter++ % 250) + 1}`;

type PageResponse = { status: number; text: string; headers: Headers };

/** The same Glade, built to believe X-Forwarded-For from a loopback proxy (GLADE_TRUSTED_PROXIES=127.0.0.1). */
const behindProxy = createApp({ ...ctx.deps, config: { ...ctx.deps.config, trustedProxies: ["127.0.0.1"] } });

async function send(
  method: string,
  path: string,
  options: {
    form?: Record<string, string>;
    ip?: string;
    cookie?: string;
    headers?: Record<string, string>;
    app?: typeof behindProxy;
  } = {},
): Promise<PageResponse> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.cookie) headers.cookie = options.cookie;
  let body: string | undefined;
  if (options.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(options.form).toString();
  }
  // The node adapter's connection info, as @hono/node-server passes it: the rate limiter keys on it.
  const env = { incoming: { socket: { remoteAddress: options.ip ?? freshIp() } } };
  const res = await (options.app ?? ctx.app).request(
    path,
    { method, headers, ...(body !== undefined ? { body } : {}) },
    env,
  );
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const visit = (path: string, options: { ip?: string } = {}) => send("GET", path, options);

async function start(
  priceId: string,
  form: Record<string, string> = { quantity: "1" },
  options: { ip?: string; cookie?: string; headers?: Record<string, string>; app?: typeof behindProxy } = {},
) {
  const res = await send("POST", `/price/${priceId}/purchase`, { form, ...options });
  const location = res.headers.get("location") ?? "";
  const sessionId = /^\/checkout\/(chckt_session_[0-9A-Za-z]+)$/.exec(location)?.[1];
  const setCookie = res.headers.get("set-cookie") ?? "";
  const cookie = setCookie.split(";")[0] ?? "";
  return { res, sessionId, setCookie, cookie };
}

async function sessionsOf(organizationId: string): Promise<number> {
  const [row] = await ctx.deps.db
    .select({ n: count() })
    .from(checkoutSessions)
    .where(eq(checkoutSessions.organizationId, organizationId));
  return row?.n ?? 0;
}

async function updatePrice(f: CatalogFixture, priceId: string, price: Record<string, unknown>) {
  const res = await ctx.api("PUT", `/api/v1/prices/${priceId}`, { key: f.merchant.testKey, body: { price } });
  expect(res.status).toBe(200);
  return res.body.price;
}

async function updateProduct(f: CatalogFixture, product: Record<string, unknown>) {
  const res = await ctx.api("PUT", `/api/v1/products/${f.productId}`, {
    key: f.merchant.testKey,
    body: { product: { id: f.productId, ...product } },
  });
  expect(res.status).toBe(200);
  return res.body.product;
}

describe("purchase link landing page (GET)", () => {
  it("shows the product, price, quantity and a POST form, and writes nothing", async () => {
    const f = await catalogFixture(ctx);
    const res = await visit(`/price/${f.oneTimePriceId}/purchase?quantity=3`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.text).toContain("Glade Pro");
    expect(res.text).toContain("Everything, forever.");
    expect(res.text).toContain("$19.99");
    expect(res.text).toContain("Total for 3: $59.97");
    expect(res.text).toContain('name="quantity"');
    expect(res.text).toMatch(/name="quantity"[^>]*value="3"/);
    expect(res.text).toContain(`<form method="post" action="/price/${f.oneTimePriceId}/purchase"`);
    expect(res.text).toContain("Continue to checkout");
    expect(res.text).toContain("Test mode");
    expect(res.text).toContain('name="robots" content="noindex,nofollow"');
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toContain("form-action 'self'");
    expect(res.headers.get("set-cookie")).toBeNull();

    // A crawler or link preview fetching the link any number of times creates nothing.
    for (let i = 0; i < 5; i++) {
      expect((await visit(`/price/${f.oneTimePriceId}/purchase`)).status).toBe(200);
      expect((await send("HEAD", `/price/${f.oneTimePriceId}/purchase`)).status).toBe(200);
    }
    expect(await sessionsOf(f.merchant.organizationId)).toBe(0);
  });

  it("describes subscriptions with their interval and trial", async () => {
    const f = await catalogFixture(ctx);
    const res = await visit(`/price/${f.trialPriceId}/purchase?quantity=2`);
    expect(res.status).toBe(200);
    expect(res.text).toContain("$15.00 every month");
    expect(res.text).toContain("Total for 2: $30.00 every month");
    expect(res.text).toContain("14-day free trial");
  });

  it("opens the product's default price from the product link", async () => {
    const f = await catalogFixture(ctx);
    const res = await visit(`/product/${f.productId}/purchase`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`action="/price/${f.oneTimePriceId}/purchase"`);
    await updatePrice(f, f.monthlyPriceId, { isDefault: true });
    const after = await visit(`/product/${f.productId}/purchase`);
    expect(after.text).toContain(`action="/price/${f.monthlyPriceId}/purchase"`);
    expect(after.text).toContain("$9.00 every month");
  });

  it("prefills a valid email and refuses an invalid one with a page", async () => {
    const f = await catalogFixture(ctx);
    const ok = await visit(
      `/price/${f.oneTimePriceId}/purchase?email=${encodeURIComponent(" Ada@Example.com ")}`,
    );
    expect(ok.status).toBe(200);
    expect(ok.text).toContain("Checking out as ada@example.com");
    expect(ok.text).toContain('type="hidden" name="email" value="ada@example.com"');
    const bad = await visit(`/price/${f.oneTimePriceId}/purchase?email=not-an-email`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("text/html");
    expect(bad.text).toContain("Invalid email address");
  });

  it("refuses a quantity outside 1..100 with a clear 400 page instead of clamping", async () => {
    const f = await catalogFixture(ctx);
    for (const quantity of ["0", "101", "-1", "1.5", "abc", "1e2", "99999"]) {
      const res = await visit(`/price/${f.oneTimePriceId}/purchase?quantity=${encodeURIComponent(quantity)}`);
      expect(res.status, quantity).toBe(400);
      expect(res.text).toContain("Invalid quantity");
      expect(res.text).toContain("a whole number from 1 to 100");
      expect(res.text).not.toContain("<form");
    }
    const max = await visit(`/price/${f.oneTimePriceId}/purchase?quantity=100`);
    expect(max.status).toBe(200);
    expect(max.text).toContain("Total for 100: $1,999.00");
  });

  it("escapes merchant text on the landing page", async () => {
    const xss = `<script>alert("x")</script>`;
    const f = await catalogFixture(ctx, { productName: xss });
    const res = await visit(`/price/${f.oneTimePriceId}/purchase`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain("<script>alert");
    expect(res.text).toContain("&lt;script&gt;");
  });
});

describe("unavailable links show a page, not an error dump", () => {
  it("answers unknown and malformed ids with a 404 page", async () => {
    for (const path of [
      "/price/price_AAAAAAAAAAAAAAAAAAAAAA/purchase",
      "/product/prod_AAAAAAAAAAAAAAAAAAAAAA/purchase",
      "/price/%3Cscript%3E/purchase",
      "/o/org_AAAAAAAAAAAAAAAAAAAAAA/price/anything/purchase",
    ]) {
      const res = await visit(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(res.text).toContain("Purchase link not found");
    }
    const post = await start("price_AAAAAAAAAAAAAAAAAAAAAA");
    expect(post.res.status).toBe(404);
  });

  it("honours purchasePageEnabled on the price and on the product", async () => {
    const f = await catalogFixture(ctx);
    const off = await updatePrice(f, f.oneTimePriceId, { purchasePageEnabled: false });
    expect(off.purchasePageEnabled).toBe(false);
    const page = await visit(`/price/${f.oneTimePriceId}/purchase`);
    expect(page.status).toBe(404);
    expect(page.text).toContain("The seller has turned off this purchase link.");
    expect((await visit(`/product/${f.productId}/purchase`)).status).toBe(404);
    expect((await start(f.oneTimePriceId)).res.status).toBe(404);
    // Other prices of the product still sell.
    expect((await visit(`/price/${f.monthlyPriceId}/purchase`)).status).toBe(200);

    await updatePrice(f, f.oneTimePriceId, { purchasePageEnabled: true });
    await updateProduct(f, { purchasePageEnabled: false });
    for (const path of [`/price/${f.monthlyPriceId}/purchase`, `/product/${f.productId}/purchase`]) {
      const res = await visit(path);
      expect(res.status, path).toBe(404);
      expect(res.text).toContain("turned off");
    }
    expect((await start(f.monthlyPriceId)).res.status).toBe(404);
    expect(await sessionsOf(f.merchant.organizationId)).toBe(0);

    await updateProduct(f, { purchasePageEnabled: true });
    expect((await visit(`/price/${f.monthlyPriceId}/purchase`)).status).toBe(200);
    expect((await start(f.monthlyPriceId)).res.status).toBe(303);
  });

  it("refuses inactive prices and products", async () => {
    const f = await catalogFixture(ctx);
    await updatePrice(f, f.monthlyPriceId, { active: false });
    const res = await visit(`/price/${f.monthlyPriceId}/purchase`);
    expect(res.status).toBe(404);
    expect(res.text).toContain("no longer for sale");
    expect((await start(f.monthlyPriceId)).res.status).toBe(404);
    await updateProduct(f, { active: false });
    expect((await visit(`/price/${f.oneTimePriceId}/purchase`)).text).toContain("no longer for sale");
    expect((await visit(`/product/${f.productId}/purchase`)).status).toBe(404);
    expect(await sessionsOf(f.merchant.organizationId)).toBe(0);
  });
});

describe("starting a checkout from a purchase link (POST)", () => {
  it("creates an anonymous purchase-page session and redirects to the hosted page", async () => {
    const f = await catalogFixture(ctx);
    const { res, sessionId, setCookie } = await start(f.oneTimePriceId, {
      quantity: "2",
      email: "buyer@example.com",
    });
    expect(res.status).toBe(303);
    expect(sessionId).toBeDefined();
    expect(setCookie).toContain(`glade_purchase_${f.oneTimePriceId}=${sessionId}`);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    expect(setCookie).toContain(`Path=/price/${f.oneTimePriceId}/purchase`);
    expect(setCookie).not.toContain("Secure");

    const row = await sessionRow(ctx, sessionId as string);
    expect(row).toMatchObject({
      organizationId: f.merchant.organizationId,
      livemode: false,
      type: "product",
      status: "open",
      source: "purchase_page",
      anonymous: true,
      priceId: f.oneTimePriceId,
      quantity: 2,
      unitAmount: 1999,
      customerId: null,
      customerEmail: "buyer@example.com",
      successUrl: `${BASE}/checkout/{CHECKOUT_SESSION_ID}/success`,
      cancelUrl: `${BASE}/price/${f.oneTimePriceId}/purchase?quantity=2`,
    });

    const hosted = await ctx.api("GET", `/checkout/${sessionId}`);
    expect(hosted.status).toBe(200);
    expect(hosted.text).toContain("Pay $39.98");
    expect(hosted.text).toContain('value="buyer@example.com"');

    // The merchant sees it through the API in the price's mode, and nobody else does.
    const own = await ctx.api("GET", `/api/v1/checkout-sessions/${sessionId}`, { key: f.merchant.testKey });
    expect(own.status).toBe(200);
    expect(own.body.checkoutSession).toMatchObject({
      priceId: f.oneTimePriceId,
      quantity: 2,
      livemode: false,
    });
    expect(
      (await ctx.api("GET", `/api/v1/checkout-sessions/${sessionId}`, { key: f.merchant.liveKey })).status,
    ).toBe(404);
    const other = await ctx.merchant("Other");
    const foreign = await ctx.api("GET", `/api/v1/checkout-sessions/${sessionId}`, { key: other.testKey });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe("NOT_FOUND");
  });

  it("reuses the browser's open session for the same price and quantity", async () => {
    const f = await catalogFixture(ctx);
    const first = await start(f.oneTimePriceId, { quantity: "1" });
    expect(first.res.status).toBe(303);
    const again = await start(f.oneTimePriceId, { quantity: "1" }, { cookie: first.cookie });
    expect(again.res.status).toBe(303);
    expect(again.sessionId).toBe(first.sessionId);
    expect(await sessionsOf(f.merchant.organizationId)).toBe(1);

    // Another quantity is another order.
    const three = await start(f.oneTimePriceId, { quantity: "3" }, { cookie: first.cookie });
    expect(three.sessionId).not.toBe(first.sessionId);
    expect(await sessionsOf(f.merchant.organizationId)).toBe(2);

    // A browser without the cookie gets its own session.
    const stranger = await start(f.oneTimePriceId, { quantity: "3" });
    expect(stranger.sessionId).not.toBe(three.sessionId);
    expect(await sessionsOf(f.merchant.organizationId)).toBe(3);
  });

  it("does not reuse a session that is closed, about to expire, or for another price", async () => {
    const f = await catalogFixture(ctx);
    const first = await start(f.oneTimePriceId);
    const expired = await ctx.api("POST", `/api/v1/checkout-sessions/${first.sessionId}/expire`, {
      key: f.merchant.testKey,
      body: {},
    });
    expect(expired.status).toBe(200);
    const afterExpiry = await start(f.oneTimePriceId, { quantity: "1" }, { cookie: first.cookie });
    expect(afterExpiry.sessionId).toBeDefined();
    expect(afterExpiry.sessionId).not.toBe(first.sessionId);

    // Nearly expired: the buyer would be cut off, so a fresh session is made.
    await ctx.deps.db
      .update(checkoutSessions)
      .set({ expiresAt: new Date(Date.now() + 60_000) })
      .where(eq(checkoutSessions.id, afterExpiry.sessionId as string));
    const nearlyExpired = await start(f.oneTimePriceId, { quantity: "1" }, { cookie: afterExpiry.cookie });
    expect(nearlyExpired.sessionId).not.toBe(afterExpiry.sessionId);

    // A cookie naming a session of another price (forged under this price's cookie name) is ignored.
    const monthly = await start(f.monthlyPriceId);
    const forged = `glade_purchase_${f.oneTimePriceId}=${monthly.sessionId}`;
    const withForged = await start(f.oneTimePriceId, { quantity: "1" }, { cookie: forged });
    expect(withForged.sessionId).not.toBe(monthly.sessionId);
    expect((await sessionRow(ctx, withForged.sessionId as string)).priceId).toBe(f.oneTimePriceId);

    // A session of another organization named in the cookie is never found, let alone reused.
    const g = await catalogFixture(ctx);
    const theirs = await start(g.oneTimePriceId);
    const crossOrg = await start(
      f.oneTimePriceId,
      { quantity: "1" },
      {
        cookie: `glade_purchase_${f.oneTimePriceId}=${theirs.sessionId}`,
      },
    );
    expect(crossOrg.sessionId).not.toBe(theirs.sessionId);
    expect((await sessionRow(ctx, crossOrg.sessionId as string)).organizationId).toBe(
      f.merchant.organizationId,
    );
  });

  it("rejects bad form input with a page and creates nothing", async () => {
    const f = await catalogFixture(ctx);
    for (const quantity of ["0", "101", "two"]) {
      const res = await start(f.oneTimePriceId, { quantity });
      expect(res.res.status, quantity).toBe(400);
      expect(res.res.text).toContain("Invalid quantity");
    }
    const badEmail = await start(f.oneTimePriceId, { quantity: "1", email: "nope" });
    expect(badEmail.res.status).toBe(400);
    expect(badEmail.res.text).toContain("Invalid email address");
    expect(await sessionsOf(f.merchant.organizationId)).toBe(0);
  });

  it("refuses a form posted from another site", async () => {
    const f = await catalogFixture(ctx);
    const res = await start(
      f.oneTimePriceId,
      { quantity: "1" },
      { headers: { origin: "https://evil.example" } },
    );
    expect(res.res.status).toBe(403);
    expect(res.res.text).toContain("Open the purchase link itself");
    expect(await sessionsOf(f.merchant.organizationId)).toBe(0);
    const same = await start(f.oneTimePriceId, { quantity: "1" }, { headers: { origin: BASE } });
    expect(same.res.status).toBe(303);
  });
});

describe("slug links and modes", () => {
  it("finds prices and products by slug in the mode the link names, never crossing modes", async () => {
    const f = await catalogFixture(ctx);
    const org = f.merchant.organizationId;
    const test = await visit(`/o/${org}/price/${f.slugs.monthly}/purchase?mode=test`);
    expect(test.status).toBe(200);
    expect(test.text).toContain(`action="/price/${f.monthlyPriceId}/purchase"`);
    expect(test.text).toContain("Test mode");

    // The default mode is live; this org has no live catalog, so the slug does not exist there.
    const live = await visit(`/o/${org}/price/${f.slugs.monthly}/purchase`);
    expect(live.status).toBe(404);
    expect(live.text).toContain("Purchase link not found");

    const bad = await visit(`/o/${org}/price/${f.slugs.monthly}/purchase?mode=staging`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("must be &quot;live&quot; or &quot;test&quot;");

    await updateProduct(f, { slug: "glade-pro" });
    const product = await visit(`/o/${org}/product/glade-pro/purchase?mode=test&quantity=2`);
    expect(product.status).toBe(200);
    expect(product.text).toContain(`action="/price/${f.oneTimePriceId}/purchase"`);
    expect(product.text).toContain("Total for 2: $39.98");

    // Another organization's id in the URL does not reach this catalog.
    const other = await ctx.merchant("Other");
    expect(
      (await visit(`/o/${other.organizationId}/price/${f.slugs.monthly}/purchase?mode=test`)).status,
    ).toBe(404);
    expect(await sessionsOf(org)).toBe(0);
  });

  it("starts live sessions from live prices, invisible to the test key", async () => {
    const m = await ctx.merchant("Live Shop");
    await world.connect(m);
    const pm = await ctx.api("POST", "/api/v1/pricing-models", {
      key: m.liveKey,
      body: { pricingModel: { name: "Live", isDefault: true } },
    });
    const product = await ctx.api("POST", "/api/v1/products", {
      key: m.liveKey,
      body: {
        product: { name: "Live Thing", pricingModelId: pm.body.pricingModel.id, slug: "thing" },
        price: { type: "single_payment", unitPrice: 500, currency: "USD", slug: "thing-once" },
      },
    });
    expect(product.status).toBe(200);
    const productId = product.body.product.id;
    const priceId = (await ctx.api("GET", `/api/v1/products/${productId}`, { key: m.liveKey })).body
      .defaultPrice.id;

    const page = await visit(`/o/${m.organizationId}/price/thing-once/purchase`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("Test mode");
    expect((await visit(`/o/${m.organizationId}/price/thing-once/purchase?mode=test`)).status).toBe(404);

    const { sessionId } = await start(priceId);
    expect((await sessionRow(ctx, sessionId as string)).livemode).toBe(true);
    expect((await ctx.api("GET", `/api/v1/checkout-sessions/${sessionId}`, { key: m.liveKey })).status).toBe(
      200,
    );
    expect((await ctx.api("GET", `/api/v1/checkout-sessions/${sessionId}`, { key: m.testKey })).status).toBe(
      404,
    );
  });
});

describe("rate limiting session creation per client", () => {
  it("allows 20 new sessions per address per window, then answers 429 without writing", async () => {
    const f = await catalogFixture(ctx);
    const ip = "203.0.113.77";
    let lastCookie = "";
    for (let i = 0; i < 20; i++) {
      const r = await start(f.oneTimePriceId, { quantity: String((i % 5) + 1) }, { ip });
      expect(r.res.status, `attempt ${i + 1}`).toBe(303);
      lastCookie = r.cookie;
    }
    expect(await sessionsOf(f.merchant.organizationId)).toBe(20);
    const limited = await start(f.oneTimePriceId, { quantity: "7" }, { ip });
    expect(limited.res.status).toBe(429);
    expect(limited.res.text).toContain("Too many checkouts");
    const retryAfter = Number(limited.res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(await sessionsOf(f.merchant.organizationId)).toBe(20);

    // Resuming the browser's own open session is not a new session and still works.
    const resumed = await start(f.oneTimePriceId, { quantity: "5" }, { ip, cookie: lastCookie });
    expect(resumed.res.status).toBe(303);
    // Other clients are unaffected, and GETs are never limited.
    expect((await start(f.oneTimePriceId, { quantity: "1" }, { ip: "203.0.113.78" })).res.status).toBe(303);
    expect((await visit(`/price/${f.oneTimePriceId}/purchase`, { ip })).status).toBe(200);
  });

  it("believes X-Forwarded-For only from the operator's trusted proxies", async () => {
    const f = await catalogFixture(ctx);
    // Directly exposed: a client rotating X-Forwarded-For is still one client.
    const direct = "203.0.113.90";
    const rotating = (ip: string, i: number) =>
      start(f.oneTimePriceId, { quantity: "1" }, { ip, headers: { "x-forwarded-for": `192.0.2.${i}` } });
    for (let i = 0; i < 20; i++) expect((await rotating(direct, i)).res.status).toBe(303);
    expect((await rotating(direct, 200)).res.status).toBe(429);
    // Nor is a loopback or private peer believed unless configured (the audit's 30 spoofed posts from 127.0.0.1).
    for (let i = 0; i < 20; i++) expect((await rotating("127.0.0.1", i)).res.status).toBe(303);
    expect((await rotating("127.0.0.1", 201)).res.status).toBe(429);

    // Behind a trusted loopback proxy: the last entry (the one the proxy appended) identifies the client;
    // what the client wrote to the left of it does not.
    const viaProxy = (client: string, spoof = "10.9.9.9") =>
      start(
        f.oneTimePriceId,
        { quantity: "1" },
        { ip: "127.0.0.1", app: behindProxy, headers: { "x-forwarded-for": `${spoof}, ${client}` } },
      );
    for (let i = 0; i < 20; i++) expect((await viaProxy("203.0.113.91", `10.0.0.${i}`)).res.status).toBe(303);
    expect((await viaProxy("203.0.113.91")).res.status).toBe(429);
    expect((await viaProxy("203.0.113.92")).res.status).toBe(303);
  });
});

describe("purchase URLs in the merchant API", () => {
  it("returns purchaseUrl on prices and products wherever they are read", async () => {
    const f = await catalogFixture(ctx);
    const key = f.merchant.testKey;
    const priceUrl = `${BASE}/price/${f.oneTimePriceId}/purchase`;
    const productUrl = `${BASE}/product/${f.productId}/purchase`;

    const price = await ctx.api("GET", `/api/v1/prices/${f.oneTimePriceId}`, { key });
    expect(price.body.price.purchaseUrl).toBe(priceUrl);
    const prices = await ctx.api("GET", "/api/v1/prices", { key });
    expect(prices.body.data.find((p: any) => p.id === f.monthlyPriceId).purchaseUrl).toBe(
      `${BASE}/price/${f.monthlyPriceId}/purchase`,
    );
    const product = await ctx.api("GET", `/api/v1/products/${f.productId}`, { key });
    expect(product.body.purchaseUrl).toBe(productUrl);
    expect(product.body.defaultPrice.purchaseUrl).toBe(priceUrl);
    const products = await ctx.api("GET", "/api/v1/products", { key });
    expect(products.body.data[0].purchaseUrl).toBe(productUrl);
    const details = await ctx.api("GET", `/api/v1/pricing-models/${f.pricingModelId}`, { key });
    expect(details.body.pricingModel.products[0].purchaseUrl).toBe(productUrl);
    const updated = await updatePrice(f, f.oneTimePriceId, { purchasePageEnabled: false });
    expect(updated).toMatchObject({ purchasePageEnabled: false, purchaseUrl: priceUrl });

    // The URL a merchant copies from the API is the one that works.
    await updatePrice(f, f.oneTimePriceId, { purchasePageEnabled: true });
    expect((await visit(new URL(priceUrl).pathname)).status).toBe(200);
    expect((await visit(new URL(productUrl).pathname)).status).toBe(200);
  });
});
