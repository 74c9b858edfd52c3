import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { paymentMethods, payments, subscriptions } from "../../src/db/schema/index.js";
import { ARTIFACTS, launchChromium, thanksSite } from "../support/browser.js";
import {
  type CatalogFixture,
  catalogFixture,
  createCustomer,
  eventCount,
  openSession,
  sessionRow,
} from "../support/index.js";
import { serveGladeWithStripe } from "../support/stripe.js";

/**
 * The Stripe-mode hosted page in Chromium, against the fake Stripe and its fake Stripe.js: the card is typed
 * into the (fake) Payment Element, Stripe.js confirms, and the buyer lands where Glade settles.
 */
const world = await serveGladeWithStripe();
const { ctx, fake } = world;
const gladeOrigin = new URL(world.baseUrl).origin;
const fakeOrigin = new URL(fake.stripeJsUrl).origin;

// The merchant's site, where success and cancel URLs point.
const MERCHANT = await thanksSite();

const CARD = {
  ok: "4242424242424242",
  declined: "4000000000000002",
  threeDSecure: "4000002500003155",
};

const browser = await launchChromium();

/** A buyer's tab, with everything it sent to Glade and every policy violation or script error it met. */
type Tab = { page: Page; toGlade: string[]; cspViolations: string[]; scriptErrors: string[] };

async function openTab(url: string, width = 1280): Promise<Tab & { csp: string }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const tab: Tab = { page, toGlade: [], cspViolations: [], scriptErrors: [] };
  page.on("request", (request) => {
    if (new URL(request.url()).origin === gladeOrigin) {
      const headers = JSON.stringify(request.headers());
      tab.toGlade.push(`${request.method()} ${request.url()} ${request.postData() ?? ""} ${headers}`);
    }
  });
  page.on("console", (message) => {
    if (/Content.Security.Policy/i.test(message.text())) tab.cspViolations.push(message.text());
  });
  page.on("pageerror", (err) => tab.scriptErrors.push(err.message));
  const response = await page.goto(url);
  return { ...tab, csp: response?.headers()["content-security-policy"] ?? "" };
}

/** The directive's sources, from a Content-Security-Policy header. */
function sources(csp: string, directive: string): string[] {
  const found = csp
    .split(";")
    .map((d) => d.trim().split(/\s+/))
    .find(([name]) => name === directive);
  return found?.slice(1) ?? [];
}

async function typeCardAndPay(page: Page, card: string, buyer?: { email: string; name: string }) {
  if (buyer) {
    await page.getByLabel("Email").fill(buyer.email);
    await page.getByLabel("Full name").fill(buyer.name);
  }
  await page.getByLabel("Card number").fill(card);
  await page.locator("form[data-stripe] button[type=submit]").click();
}

/** The tab never sent a card number to Glade, and the record is real: it holds the pay button's post. */
function expectNoCardSentToGlade(tab: Tab, ...cards: string[]) {
  const sent = tab.toGlade.join("\n");
  expect(sent).toMatch(/POST \S+\/intent \S*email=/);
  for (const card of cards) {
    expect(sent).not.toContain(card);
    expect(sent).not.toContain(card.slice(-8));
  }
}

function expectCleanRun(tab: Tab) {
  expect(tab.cspViolations).toEqual([]);
  expect(tab.scriptErrors).toEqual([]);
}

async function stripeMerchant(): Promise<CatalogFixture> {
  const f = await catalogFixture(ctx);
  await world.connect(f.merchant);
  return f;
}

async function newSession(f: CatalogFixture, fields: Record<string, unknown>) {
  const s = await openSession(ctx, f.merchant.testKey, {
    successUrl: `${MERCHANT}/thanks?cs={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${MERCHANT}/cart`,
    ...fields,
  });
  return { id: s.checkoutSession.id, url: s.url, success: `${MERCHANT}/thanks?cs=${s.checkoutSession.id}` };
}

const paymentsOf = (sessionId: string) =>
  ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, sessionId));

const buyer = { email: "ada@example.com", name: "Ada Buyer" };

describe("the Stripe-mode hosted page in Chromium", () => {
  it("admits the fake Stripe's origin in its policy, mounts the Payment Element, and fits 1280 and 390 px", async () => {
    const f = await stripeMerchant();
    const s = await newSession(f, { type: "product", anonymous: true, priceId: f.oneTimePriceId });
    for (const width of [1280, 390]) {
      const tab = await openTab(s.url, width);
      for (const directive of ["script-src", "frame-src", "connect-src"]) {
        expect(sources(tab.csp, directive), directive).toContain(fakeOrigin);
      }
      expect(sources(tab.csp, "default-src")).toEqual(["'none'"]);
      const element = tab.page.locator("#payment-element [data-fake-stripe=payment-element]");
      await element.waitFor();
      expect(await element.getAttribute("name")).toBeNull();
      // Nothing wider than the screen: the phone layout does not scroll sideways.
      expect(await tab.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await tab.page.screenshot({ path: `${ARTIFACTS}/stripe-page-${width}.png`, fullPage: true });
      expectCleanRun(tab);
    }
  });

  it("reports a policy violation when there is one (the check above can fail)", async () => {
    const f = await stripeMerchant();
    const s = await newSession(f, { type: "product", anonymous: true, priceId: f.oneTimePriceId });
    const tab = await openTab(s.url);
    await tab.page.evaluate(() => fetch("http://127.0.0.1:9/not-allowed").catch(() => undefined));
    await expect.poll(() => tab.cspViolations.length).toBeGreaterThan(0);
    expect(tab.cspViolations.join("\n")).toContain("connect-src");
  });

  it("pays with 4242… and lands on the success URL: one payment, one success event", async () => {
    const f = await stripeMerchant();
    const s = await newSession(f, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
      quantity: 2,
    });
    const tab = await openTab(s.url);
    await typeCardAndPay(tab.page, CARD.ok, buyer);
    await tab.page.waitForURL(s.success);
    const session = await sessionRow(ctx, s.id);
    expect(session).toMatchObject({ status: "succeeded", customerEmail: buyer.email, processor: "stripe" });
    const recorded = await paymentsOf(s.id);
    expect(recorded.map((p) => [p.status, p.amount, p.processor, p.processorIntentId])).toEqual([
      ["succeeded", 3998, "stripe", session.processorIntentId],
    ]);
    expect(fake.intent(session.processorIntentId ?? "")?.status).toBe("succeeded");
    expect(await eventCount(ctx, f.merchant.organizationId, "checkout_session.succeeded", s.id)).toBe(1);
    expectNoCardSentToGlade(tab, CARD.ok);
    expectCleanRun(tab);
  });

  it("shows a decline on the page with the session open, then pays with 4242… on the same page", async () => {
    const f = await stripeMerchant();
    const s = await newSession(f, { type: "product", anonymous: true, priceId: f.oneTimePriceId });
    const tab = await openTab(s.url);
    await typeCardAndPay(tab.page, CARD.declined, buyer);
    await tab.page.getByRole("alert").filter({ hasText: "Your card was declined." }).waitFor();
    expect(tab.page.url()).toBe(s.url);
    const reopened = await sessionRow(ctx, s.id);
    expect(reopened).toMatchObject({ status: "open", lastError: "Your card was declined." });
    const declined = await paymentsOf(s.id);
    expect(declined.map((p) => p.status)).toEqual(["failed"]);
    // The declined intent can never be confirmed again by a page holding its secret.
    expect(fake.intent(declined[0]?.processorIntentId ?? "")?.status).toBe("canceled");
    await tab.page.screenshot({ path: `${ARTIFACTS}/stripe-declined.png`, fullPage: true });
    // The buyer's details survive the decline; only the card is typed again.
    expect(await tab.page.getByLabel("Email").inputValue()).toBe(buyer.email);

    await typeCardAndPay(tab.page, CARD.ok);
    await tab.page.waitForURL(s.success);
    expect((await sessionRow(ctx, s.id)).status).toBe("succeeded");
    expect((await paymentsOf(s.id)).map((p) => p.status).sort()).toEqual(["failed", "succeeded"]);
    expect(await eventCount(ctx, f.merchant.organizationId, "checkout_session.succeeded", s.id)).toBe(1);
    expectNoCardSentToGlade(tab, CARD.declined, CARD.ok);
    expectCleanRun(tab);
  });

  it("a failed 3-D Secure comes back to the page with the session open", async () => {
    const f = await stripeMerchant();
    const s = await newSession(f, { type: "product", anonymous: true, priceId: f.oneTimePriceId });
    const tab = await openTab(s.url);
    await typeCardAndPay(tab.page, CARD.threeDSecure, buyer);
    await tab.page.waitForURL(`${fakeOrigin}/authenticate/**`);
    await tab.page.getByRole("button", { name: "Fail" }).click();
    await tab.page.getByRole("alert").filter({ hasText: "Authentication with your bank failed" }).waitFor();
    expect(tab.page.url()).toBe(s.url);
    const reopened = await sessionRow(ctx, s.id);
    expect(reopened.status).toBe("open");
    expect(fake.intent(reopened.processorIntentId ?? "")?.status).toBe("canceled");
    expectNoCardSentToGlade(tab, CARD.threeDSecure);
    expectCleanRun(tab);
  });

  it("a number Stripe.js refuses is shown on the page without asking Glade for an intent", async () => {
    const f = await stripeMerchant();
    const s = await newSession(f, { type: "product", anonymous: true, priceId: f.oneTimePriceId });
    const tab = await openTab(s.url);
    await typeCardAndPay(tab.page, "4242424242424241", buyer);
    await tab.page.getByRole("alert").filter({ hasText: "Your card number is invalid." }).waitFor();
    const button = tab.page.locator("form[data-stripe] button[type=submit]");
    expect(await button.isEnabled()).toBe(true);
    expect(tab.toGlade.filter((r) => r.startsWith("POST"))).toEqual([]);
    expect((await sessionRow(ctx, s.id)).attempt).toBe(0);
    // The same page then pays.
    await typeCardAndPay(tab.page, CARD.ok);
    await tab.page.waitForURL(s.success);
    expectNoCardSentToGlade(tab, "4242424242424241", CARD.ok);
    expectCleanRun(tab);
  });

  it("takes a 3-D Secure card through the authentication page and back to success", async () => {
    const f = await stripeMerchant();
    const s = await newSession(f, { type: "product", anonymous: true, priceId: f.monthlyPriceId });
    const tab = await openTab(s.url);
    await typeCardAndPay(tab.page, CARD.threeDSecure, buyer);
    await tab.page.waitForURL(`${fakeOrigin}/authenticate/**`);
    const waiting = await sessionRow(ctx, s.id);
    expect(waiting.status).toBe("pending");
    expect(fake.intent(waiting.processorIntentId ?? "")?.status).toBe("requires_action");
    await tab.page.getByRole("button", { name: "Complete" }).click();
    await tab.page.waitForURL(s.success);
    const session = await sessionRow(ctx, s.id);
    expect(session.status).toBe("succeeded");
    expect(session.subscriptionId).toMatch(/^sub_/);
    expect((await paymentsOf(s.id)).map((p) => [p.status, p.processorIntentId])).toEqual([
      ["succeeded", waiting.processorIntentId],
    ]);
    expectNoCardSentToGlade(tab, CARD.threeDSecure);
    expectCleanRun(tab);
  });

  it("saves a card on an add_payment_method session: stored as Stripe's, nothing charged", async () => {
    const f = await stripeMerchant();
    await createCustomer(ctx, f.merchant.testKey, "saver");
    const s = await newSession(f, { type: "add_payment_method", customerExternalId: "saver" });
    const tab = await openTab(s.url);
    expect(await tab.page.getByRole("heading", { level: 1 }).textContent()).toBe("Add a payment method");
    await typeCardAndPay(tab.page, CARD.ok);
    await tab.page.waitForURL(s.success);
    const session = await sessionRow(ctx, s.id);
    expect(session.status).toBe("succeeded");
    expect(session.processorIntentId).toMatch(/^seti_/);
    const [card] = await ctx.deps.db
      .select()
      .from(paymentMethods)
      .where(eq(paymentMethods.id, session.paymentMethodId ?? ""));
    expect(card).toMatchObject({ processor: "stripe", brand: "visa", last4: "4242" });
    expect(card?.processorCustomerId).toBe(fake.intent(session.processorIntentId ?? "")?.customer);
    expect(await paymentsOf(s.id)).toEqual([]);
    expectNoCardSentToGlade(tab, CARD.ok);
    expectCleanRun(tab);
  });

  it("starts a trial with a SetupIntent: a trialing subscription on the saved Stripe card", async () => {
    const f = await stripeMerchant();
    await createCustomer(ctx, f.merchant.testKey, "trialer");
    const s = await newSession(f, {
      type: "product",
      customerExternalId: "trialer",
      priceId: f.trialPriceId,
    });
    const tab = await openTab(s.url);
    await typeCardAndPay(tab.page, CARD.ok);
    await tab.page.waitForURL(s.success);
    const session = await sessionRow(ctx, s.id);
    expect(session.status).toBe("succeeded");
    expect(session.processorIntentId).toMatch(/^seti_/);
    const [subscription] = await ctx.deps.db
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.id, session.subscriptionId ?? ""));
    expect(subscription?.status).toBe("trialing");
    const [card] = await ctx.deps.db
      .select()
      .from(paymentMethods)
      .where(eq(paymentMethods.id, subscription?.defaultPaymentMethodId ?? ""));
    expect(card).toMatchObject({ processor: "stripe", last4: "4242" });
    expect(await paymentsOf(s.id)).toEqual([]);
    expectNoCardSentToGlade(tab, CARD.ok);
    expectCleanRun(tab);
  });
});
