import type { Hono } from "hono";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { createMerchantApp } from "../../examples/merchant-app/server.js";
import { type BrowserContext, browserContext, payWithCard } from "../support/browser.js";
import { CARDS, createPricingModel, createProduct, listen, ok, type TestMerchant } from "../support/index.js";

const b: BrowserContext = await browserContext();
const { ctx } = b;

type Store = { url: string; key: string; app: Hono };

/** A merchant with two products in its default pricing model, made through Glade's API. */
async function merchantCatalog(m: TestMerchant) {
  const pm = await createPricingModel(ctx, m, { name: "Store", isDefault: true });
  const product = (name: string, slug: string, price: Record<string, unknown>) =>
    createProduct(
      ctx,
      m,
      pm.id,
      { name, slug, active: true, description: `${name}!` },
      { currency: "USD", isDefault: true, ...price },
    );
  await product("Glade Pro", "glade-pro", { type: "single_payment", unitPrice: 1999, slug: "pro-lifetime" });
  const team = await product("Glade Team", "glade-team", {
    type: "subscription",
    unitPrice: 900,
    intervalUnit: "month",
    intervalCount: 1,
    slug: "team-monthly",
  });
  // The Team plan unlocks the workspace and comes with 3 reports a period; more cost $0.25 each.
  const post = async (path: string, body: unknown) => ok(ctx.api("POST", path, { key: m.testKey, body }));
  const { usageMeter } = await post("/api/v1/usage-meters", {
    usageMeter: { name: "Reports", slug: "reports", pricingModelId: pm.id },
    price: { type: "usage", unitPrice: 25, usageEventsPerUnit: 1 },
  });
  const workspace = await post("/api/v1/features", {
    feature: { type: "toggle", name: "Team workspace", slug: "team-workspace", pricingModelId: pm.id },
  });
  const reports = await post("/api/v1/features", {
    feature: {
      type: "usage_credit_grant",
      name: "3 reports a month",
      slug: "monthly-reports",
      pricingModelId: pm.id,
      amount: 3,
      renewalFrequency: "every_billing_period",
      usageMeterId: usageMeter.id,
    },
  });
  for (const feature of [workspace.feature, reports.feature]) {
    await post("/api/v1/product-features", { productFeature: { productId: team.id, featureId: feature.id } });
  }
  // A launch code customers type on the hosted page.
  await post("/api/v1/discounts", {
    discount: { name: "Launch", code: "LAUNCH", amountType: "percent", amount: 50, duration: "once" },
  });
}

/** The example app on its own loopback port, talking to Glade over HTTP with the merchant's key. */
async function startStore(key: string): Promise<Store> {
  let app: Hono | undefined;
  const { url } = await listen((req) => (app ? app.fetch(req) : new Response("starting", { status: 503 })));
  app = await createMerchantApp({ gladeBaseUrl: b.baseUrl, gladeSecretKey: key, publicUrl: url });
  return { url, key, app };
}

async function signIn(store: Store, name: string, email: string): Promise<Page> {
  const page = await b.newPage();
  await page.goto(store.url);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Your purchases" }).waitFor();
  return page;
}

/** Calls the store's Flowglad route from inside the page, with that user's cookie, as the SDK does. */
async function flowgladAction(page: Page, action: string, body: unknown) {
  return page.evaluate(
    async ([path, payload]) => {
      const res = await fetch(`/api/flowglad/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
      });
      return { status: res.status, json: await res.json() };
    },
    [action, body] as const,
  ) as Promise<{ status: number; json: any }>;
}

async function gladeCustomerByEmail(key: string, email: string) {
  const list = await ok(ctx.api("GET", "/api/v1/customers?limit=100", { key }));
  return (list.data as { id: string; externalId: string; email: string }[]).find((c) => c.email === email);
}

let store: Store;
let alicePage: Page;

beforeAll(async () => {
  const merchant = await ctx.merchant("Example Store");
  await merchantCatalog(merchant);
  store = await startStore(merchant.testKey);
});

describe("example merchant app in Chromium", () => {
  it("a signed-in user buys on the hosted page and sees the purchase through useBilling", async () => {
    alicePage = await signIn(store, "Alice Example", "alice@example.com");
    const page = alicePage;
    await expect.poll(() => page.getByText("No purchases yet.").isVisible()).toBe(true);
    const pro = page.locator('article[data-product="glade-pro"]');
    expect(await pro.locator(".owned").count()).toBe(0);
    await b.screenshot(page, "example-store-before");

    // First visit created the Glade customer for this user, with the details the app gave.
    const customer = await gladeCustomerByEmail(store.key, "alice@example.com");
    expect(customer?.externalId).toMatch(/^user_/);

    await pro.getByRole("button", { name: /Buy Glade Pro · \$19\.99/ }).click();
    await page.waitForURL(`${b.baseUrl}/checkout/**`);
    const sessionId = new URL(page.url()).pathname.split("/").pop() as string;
    const session = (await ok(ctx.api("GET", `/api/v1/checkout-sessions/${sessionId}`, { key: store.key })))
      .checkoutSession;
    expect(session).toMatchObject({ customerId: customer?.id, status: "open", quantity: 1 });

    await payWithCard(page, CARDS.ok);
    await page.waitForURL(`${store.url}/?checkout=done`);
    await page.getByRole("status").waitFor();
    await expect
      .poll(() => page.locator("[data-purchase]").allTextContents())
      .toEqual(["Glade Pro (paid) · $19.99"]);
    expect(await pro.locator(".owned").textContent()).toBe("✓ Purchased");
    expect(await page.locator('article[data-product="glade-team"] .owned').count()).toBe(0);
    await b.screenshot(page, "example-store-after");

    const billing = await ok(
      ctx.api("GET", `/api/v1/customers/${customer?.externalId}/billing`, { key: store.key }),
    );
    expect(billing.purchases).toHaveLength(1);
    expect(billing.purchases[0]).toMatchObject({ customerId: customer?.id, status: "paid" });
  });

  it("a user buys with a discount code typed on the hosted page and the store shows what was paid", async () => {
    const page = await signIn(store, "Dora Discount", "dora@example.com");
    await expect.poll(() => page.getByText("No purchases yet.").isVisible()).toBe(true);
    await page
      .locator('article[data-product="glade-pro"]')
      .getByRole("button", { name: /Buy Glade Pro/ })
      .click();
    await page.waitForURL(`${b.baseUrl}/checkout/**`);
    await page.getByLabel("Discount code").fill("launch");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText("LAUNCH applied.").waitFor();
    expect(await page.getByLabel("Total due today").textContent()).toBe("$9.99"); // 50 % of 19.99 = 9.995 → 10.00 off
    await payWithCard(page, CARDS.ok);
    await page.waitForURL(`${store.url}/?checkout=done`);
    await expect
      .poll(() => page.locator("[data-purchase]").allTextContents())
      .toEqual(["Glade Pro (paid) · $9.99"]);
    await b.screenshot(page, "example-store-discount");
    const customer = await gladeCustomerByEmail(store.key, "dora@example.com");
    const billing = await ok(
      ctx.api("GET", `/api/v1/customers/${customer?.externalId}/billing`, { key: store.key }),
    );
    expect(billing.invoices[0].invoice).toMatchObject({ subtotal: 1999, discountAmount: 1000, total: 999 });
  });

  it("another user cannot read the first user's billing or open a session for them", async () => {
    const alice = await gladeCustomerByEmail(store.key, "alice@example.com");
    expect(alice).toBeDefined();
    const page = await signIn(store, "Bob Example", "bob@example.com");
    await expect.poll(() => page.getByText("No purchases yet.").isVisible()).toBe(true);
    expect(await page.locator(".owned").count()).toBe(0);
    const bob = await gladeCustomerByEmail(store.key, "bob@example.com");
    expect(bob?.id).not.toBe(alice?.id);

    // Naming Alice in the body changes nothing: the customer comes from the session cookie.
    const billing = await flowgladAction(page, "customers/billing", { externalId: alice?.externalId });
    expect(billing.status).toBe(200);
    expect(billing.json.data.customer.id).toBe(bob?.id);
    expect(billing.json.data.purchases).toEqual([]);

    const created = await flowgladAction(page, "checkout-sessions/create", {
      priceSlug: "pro-lifetime",
      customerExternalId: alice?.externalId,
      successUrl: `${store.url}/`,
      cancelUrl: `${store.url}/`,
    });
    expect(created.status).toBe(200);
    expect(created.json.data.checkoutSession.customerId).toBe(bob?.id);

    // Alice's page still shows only her own purchase.
    await alicePage.reload();
    await expect
      .poll(() => alicePage.locator("[data-purchase]").allTextContents())
      .toEqual(["Glade Pro (paid) · $19.99"]);
  });

  it("opens the customer's billing portal from Manage billing, and comes back", async () => {
    const page = alicePage;
    await page.getByRole("button", { name: "Manage billing" }).click();
    await page.waitForURL(`${b.baseUrl}/billing`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Billing");
    expect(await page.getByText("alice@example.com").count()).toBe(1);
    const alice = await gladeCustomerByEmail(store.key, "alice@example.com");
    const billing = await ok(
      ctx.api("GET", `/api/v1/customers/${alice?.externalId}/billing`, { key: store.key }),
    );
    const number = billing.invoices[0].invoice.invoiceNumber;
    expect(await page.getByRole("link", { name: `Invoice ${number} (PDF)` }).count()).toBe(1);
    await b.screenshot(page, "example-store-billing-portal");
    await page.getByRole("link", { name: "← Back to Example Store" }).click();
    await page.waitForURL(`${store.url}/`);
    await page.getByRole("heading", { name: "Your purchases" }).waitFor();
  });

  it("refuses requests without a session, with a forged one, or from another origin", async () => {
    const call = (headers: Record<string, string>) =>
      fetch(`${store.url}/api/flowglad/customers/billing`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: store.url, ...headers },
        body: "{}",
      });
    const anonymous = await call({});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { message: "Sign in first" } });
    expect((await call({ cookie: "merchant_session=forged" })).status).toBe(401);
    const create = await fetch(`${store.url}/api/flowglad/checkout-sessions/create`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: store.url },
      body: JSON.stringify({ priceSlug: "pro-lifetime", successUrl: store.url, cancelUrl: store.url }),
    });
    expect(create.status).toBe(401);

    const cookies = await alicePage.context().cookies(store.url);
    const session = cookies.find((c) => c.name === "merchant_session");
    expect(session?.httpOnly).toBe(true);
    const crossSite = await call({
      cookie: `merchant_session=${session?.value}`,
      origin: "https://evil.example",
    });
    expect(crossSite.status).toBe(403);
    const sameSite = await call({ cookie: `merchant_session=${session?.value}` });
    expect(sameSite.status).toBe(200);
  });

  it("links a checkout to a user who signed up a moment ago, before any billing load", async () => {
    const login = await fetch(`${store.url}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: store.url },
      body: new URLSearchParams({ name: "Fay", email: "fay@example.com" }).toString(),
      redirect: "manual",
    });
    expect(login.status).toBe(303);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
    expect(cookie).toMatch(/^merchant_session=[\w-]{43}$/);
    const res = await fetch(`${store.url}/api/flowglad/checkout-sessions/create`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: store.url, cookie },
      body: JSON.stringify({
        priceSlug: "team-monthly",
        successUrl: `${store.url}/`,
        cancelUrl: `${store.url}/`,
      }),
    });
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { checkoutSession: { customerId: string }; url: string } };
    const fay = await gladeCustomerByEmail(store.key, "fay@example.com");
    expect(fay).toMatchObject({ name: "Fay", externalId: expect.stringMatching(/^user_/) });
    expect(data.checkoutSession.customerId).toBe(fay?.id);
    expect(data.url).toContain(`${b.baseUrl}/checkout/`);
  });

  it("unlocks the team workspace with the subscription and meters reports against its credits", async () => {
    const page = await signIn(store, "Cleo Example", "cleo@example.com");
    await page.getByText("Subscribe to Glade Team to unlock the team workspace.").waitFor();
    expect(await page.locator("[data-workspace]").count()).toBe(0);

    const team = page.locator('article[data-product="glade-team"]');
    await team.getByRole("button", { name: /Buy Glade Team · \$9\.00 \/ month/ }).click();
    await page.waitForURL(`${b.baseUrl}/checkout/**`);
    await payWithCard(page, CARDS.ok);
    await page.waitForURL(`${store.url}/?checkout=done`);

    // useBilling().checkFeatureAccess("team-workspace") is now true, and the credits show as the balance.
    const workspace = page.locator('[data-workspace="unlocked"]');
    await workspace.waitFor();
    await expect
      .poll(() => workspace.locator("[data-reports-left]").getAttribute("data-reports-left"))
      .toBe("3");
    await b.screenshot(page, "example-store-workspace");

    for (const left of ["2", "1"]) {
      await workspace.getByRole("button", { name: "Generate report" }).click();
      await expect
        .poll(() => workspace.locator("[data-reports-left]").getAttribute("data-reports-left"))
        .toBe(left);
    }
    // Two usage events reached Glade, on Cleo's subscription, through the store's backend.
    const cleo = await gladeCustomerByEmail(store.key, "cleo@example.com");
    const billing = await ok(
      ctx.api("GET", `/api/v1/customers/${cleo?.externalId}/billing`, { key: store.key }),
    );
    const subscription = billing.currentSubscription;
    expect(subscription.experimental.featureItems.map((f: { slug: string }) => f.slug).sort()).toEqual([
      "monthly-reports",
      "team-workspace",
    ]);
    expect(subscription.experimental.usageMeterBalances).toEqual([
      expect.objectContaining({ slug: "reports", availableBalance: 1, subscriptionId: subscription.id }),
    ]);
    const events = await ok(ctx.api("GET", "/api/v1/usage-events?limit=100", { key: store.key }));
    expect(
      events.data.filter((e: { subscriptionId: string }) => e.subscriptionId === subscription.id),
    ).toHaveLength(2);
  });

  it("rejects a sign-in without a valid email", async () => {
    const res = await fetch(`${store.url}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: store.url },
      body: new URLSearchParams({ name: "Eve", email: "not-an-email" }).toString(),
      redirect: "manual",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("set-cookie")).toBeNull();
  });
});
