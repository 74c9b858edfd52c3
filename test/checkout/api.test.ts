import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sweepExpiredSessions } from "../../src/checkout/index.js";
import { checkoutSessions, events } from "../../src/db/schema/index.js";
import { setAllowedRedirectDomains } from "../../src/organizations/index.js";
import {
  anonymousSession,
  catalogFixture,
  createCustomer,
  createSession,
  testContext,
  URLS,
} from "../support/index.js";

const ctx = await testContext();

describe("POST /api/v1/checkout-sessions", () => {
  it("creates an identified product session in the Flowglad shape", async () => {
    const f = await catalogFixture(ctx);
    await createCustomer(ctx, f.merchant.testKey, "user_1");
    const res = await createSession(ctx, f.merchant.testKey, {
      type: "product",
      customerExternalId: "user_1",
      priceSlug: f.slugs.oneTime,
      quantity: 3,
      outputMetadata: { plan: "pro", seats: 3, gift: false },
      outputName: "Pro for Ada",
    });
    expect(res.status).toBe(200);
    const s = res.body.checkoutSession;
    expect(res.body.url).toBe(`http://glade.test/checkout/${s.id}`);
    expect(s).toMatchObject({
      type: "product",
      status: "open",
      priceId: f.oneTimePriceId,
      quantity: 3,
      livemode: false,
      organizationId: f.merchant.organizationId,
      pricingModelId: f.pricingModelId,
      outputMetadata: { plan: "pro", seats: 3, gift: false },
      outputName: "Pro for Ada",
      customerEmail: "user_1@example.com",
      amountTotal: 5997,
      currency: "USD",
      successUrl: URLS.successUrl,
      cancelUrl: URLS.cancelUrl,
      discountId: null,
    });
    expect(s.id).toMatch(/^chckt_session_[0-9A-Za-z]{22}$/);
    expect(typeof s.createdAt).toBe("number");
    expect(s.expires - s.createdAt).toBe(24 * 60 * 60 * 1000);

    const got = await ctx.api("GET", `/api/v1/checkout-sessions/${s.id}`, { key: f.merchant.testKey });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it("creates anonymous sessions and resolves slugs in the default pricing model", async () => {
    const f = await catalogFixture(ctx);
    const res = await createSession(ctx, f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceSlug: f.slugs.monthly,
    });
    expect(res.status).toBe(200);
    expect(res.body.checkoutSession).toMatchObject({
      anonymous: true,
      customerId: null,
      priceId: f.monthlyPriceId,
    });
  });

  it.each([
    [
      "both priceId and priceSlug",
      (f: any) => ({
        type: "product",
        anonymous: true,
        priceId: f.oneTimePriceId,
        priceSlug: f.slugs.oneTime,
      }),
    ],
    ["neither priceId nor priceSlug", () => ({ type: "product", anonymous: true })],
    [
      "quantity 0",
      (f: any) => ({ type: "product", anonymous: true, priceId: f.oneTimePriceId, quantity: 0 }),
    ],
    [
      "quantity 10001",
      (f: any) => ({ type: "product", anonymous: true, priceId: f.oneTimePriceId, quantity: 10001 }),
    ],
    [
      "fractional quantity",
      (f: any) => ({ type: "product", anonymous: true, priceId: f.oneTimePriceId, quantity: 1.5 }),
    ],
    [
      "javascript: success URL",
      (f: any) => ({
        type: "product",
        anonymous: true,
        priceId: f.oneTimePriceId,
        successUrl: "javascript:alert(1)",
      }),
    ],
    [
      "relative cancel URL",
      (f: any) => ({ type: "product", anonymous: true, priceId: f.oneTimePriceId, cancelUrl: "/cart" }),
    ],
    [
      "data: URL",
      (f: any) => ({
        type: "product",
        anonymous: true,
        priceId: f.oneTimePriceId,
        successUrl: "data:text/html,hi",
      }),
    ],
    [
      "anonymous with a customer",
      (f: any) => ({ type: "product", anonymous: true, customerExternalId: "x", priceId: f.oneTimePriceId }),
    ],
    ["no customer and not anonymous", (f: any) => ({ type: "product", priceId: f.oneTimePriceId })],
    [
      "unknown field",
      (f: any) => ({ type: "product", anonymous: true, priceId: f.oneTimePriceId, amount: 1 }),
    ],
    ["unknown type", (f: any) => ({ type: "purchase", anonymous: true, priceId: f.oneTimePriceId })],
    [
      "expiry too soon",
      (f: any) => ({
        type: "product",
        anonymous: true,
        priceId: f.oneTimePriceId,
        expiresAt: Date.now() + 60_000,
      }),
    ],
    [
      "expiry too late",
      (f: any) => ({
        type: "product",
        anonymous: true,
        priceId: f.oneTimePriceId,
        expiresAt: Date.now() + 25 * 3600_000,
      }),
    ],
    [
      "metadata value too long",
      (f: any) => ({
        type: "product",
        anonymous: true,
        priceId: f.oneTimePriceId,
        outputMetadata: { a: "x".repeat(501) },
      }),
    ],
  ])("rejects %s with BAD_REQUEST", async (_name, build) => {
    const f = await catalogFixture(ctx);
    const res = await createSession(ctx, f.merchant.testKey, build(f));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("BAD_REQUEST");
    expect(res.headers.get("x-should-retry")).toBe("false");
  });

  it("rejects malformed JSON and a missing wrapper", async () => {
    const f = await catalogFixture(ctx);
    const bad = await ctx.api("POST", "/api/v1/checkout-sessions", {
      key: f.merchant.testKey,
      rawBody: "{not json",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("BAD_REQUEST");
    const unwrapped = await ctx.api("POST", "/api/v1/checkout-sessions", {
      key: f.merchant.testKey,
      body: { type: "product", anonymous: true, priceId: f.oneTimePriceId, ...URLS },
    });
    expect(unwrapped.status).toBe(400);
  });

  it("answers unknown prices and customers with NOT_FOUND", async () => {
    const f = await catalogFixture(ctx);
    expect(
      (
        await createSession(ctx, f.merchant.testKey, {
          type: "product",
          anonymous: true,
          priceId: "price_nope",
        })
      ).body.code,
    ).toBe("NOT_FOUND");
    expect(
      (await createSession(ctx, f.merchant.testKey, { type: "product", anonymous: true, priceSlug: "nope" }))
        .status,
    ).toBe(404);
    const missing = await createSession(ctx, f.merchant.testKey, {
      type: "product",
      customerExternalId: "ghost",
      priceId: f.oneTimePriceId,
    });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("NOT_FOUND");
  });

  it("refuses inactive prices", async () => {
    const f = await catalogFixture(ctx);
    const off = await ctx.api("PUT", `/api/v1/prices/${f.monthlyPriceId}`, {
      key: f.merchant.testKey,
      body: { price: { active: false } },
    });
    expect(off.status).toBe(200);
    const res = await createSession(ctx, f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.monthlyPriceId,
    });
    expect(res.status).toBe(400);
  });

  it("enforces the organization's allowed redirect domains", async () => {
    const f = await catalogFixture(ctx);
    await setAllowedRedirectDomains(
      ctx.deps.db,
      f.merchant.organizationId,
      ["merchant.example"],
      ctx.deps.now(),
    );
    const okRes = await createSession(ctx, f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
      successUrl: "https://shop.merchant.example/ok",
    });
    expect(okRes.status).toBe(200);
    const evil = await createSession(ctx, f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
      successUrl: "https://evil.example/merchant.example",
    });
    expect(evil.status).toBe(400);
    // Glade's own success page is always allowed: purchase links end there.
    const own = await createSession(ctx, f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
      successUrl: "http://glade.test/checkout/{CHECKOUT_SESSION_ID}/success",
    });
    expect(own.status).toBe(200);
  });

  it("keeps organizations and modes apart", async () => {
    const f = await catalogFixture(ctx);
    const other = await ctx.merchant("Other");
    const res = await createSession(ctx, f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
    });
    const id = res.body.checkoutSession.id;
    for (const key of [other.testKey, f.merchant.liveKey]) {
      expect((await ctx.api("GET", `/api/v1/checkout-sessions/${id}`, { key })).status).toBe(404);
      expect((await ctx.api("POST", `/api/v1/checkout-sessions/${id}/expire`, { key })).status).toBe(404);
      const list = await ctx.api("GET", "/api/v1/checkout-sessions", { key });
      expect(list.body.data.map((s: any) => s.id)).not.toContain(id);
    }
    // Another org's price cannot be sold through this org's key, by id or by slug.
    expect(
      (
        await createSession(ctx, other.testKey, {
          type: "product",
          anonymous: true,
          priceId: f.oneTimePriceId,
        })
      ).status,
    ).toBe(404);
    // Live mode is refused before any price is looked at while it has no processor (and with one, a
    // test-mode price is not found: test/processors/live-mode.test.ts).
    expect(
      (
        await createSession(ctx, f.merchant.liveKey, {
          type: "product",
          anonymous: true,
          priceId: f.oneTimePriceId,
        })
      ).status,
    ).toBe(422);
  });

  it("lists sessions with cursor pagination", async () => {
    const f = await catalogFixture(ctx);
    for (let i = 0; i < 5; i++)
      await createSession(ctx, f.merchant.testKey, {
        type: "product",
        anonymous: true,
        priceId: f.oneTimePriceId,
      });
    const first = await ctx.api("GET", "/api/v1/checkout-sessions?limit=3", { key: f.merchant.testKey });
    expect(first.body).toMatchObject({ hasMore: true, total: 5 });
    expect(first.body.data).toHaveLength(3);
    const second = await ctx.api("GET", `/api/v1/checkout-sessions?limit=3&cursor=${first.body.nextCursor}`, {
      key: f.merchant.testKey,
    });
    expect(second.body).toMatchObject({ hasMore: false, total: 5 });
    expect(second.body.data).toHaveLength(2);
    const ids = new Set([...first.body.data, ...second.body.data].map((s: any) => s.id));
    expect(ids.size).toBe(5);
    expect(
      (await ctx.api("GET", "/api/v1/checkout-sessions?cursor=garbage", { key: f.merchant.testKey })).status,
    ).toBe(400);
  });
});

describe("Idempotency-Key", () => {
  it("replays the first response for the same key and body, refuses a different body", async () => {
    const f = await catalogFixture(ctx);
    const body = { type: "product", anonymous: true, priceId: f.oneTimePriceId };
    const headers = { "idempotency-key": `key-${Math.random()}` };
    const a = await createSession(ctx, f.merchant.testKey, body, headers);
    const b = await createSession(ctx, f.merchant.testKey, body, headers);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.checkoutSession.id).toBe(a.body.checkoutSession.id);
    expect(b.headers.get("idempotent-replayed")).toBe("true");
    const c = await createSession(ctx, f.merchant.testKey, { ...body, quantity: 2 }, headers);
    expect(c.status).toBe(422);
    expect(c.body.code).toBe("UNPROCESSABLE_CONTENT");
    const list = await ctx.api("GET", "/api/v1/checkout-sessions", { key: f.merchant.testKey });
    expect(list.body.total).toBe(1);
  });

  it("creates one session when the same key arrives concurrently", async () => {
    const f = await catalogFixture(ctx);
    const headers = { "idempotency-key": `race-${Math.random()}` };
    const body = { type: "product", anonymous: true, priceId: f.oneTimePriceId };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => createSession(ctx, f.merchant.testKey, body, headers)),
    );
    const created = results.filter((r) => r.status === 200);
    expect(created.length).toBeGreaterThan(0);
    for (const r of results) expect([200, 409]).toContain(r.status);
    expect(new Set(created.map((r) => r.body.checkoutSession.id)).size).toBe(1);
    const list = await ctx.api("GET", "/api/v1/checkout-sessions", { key: f.merchant.testKey });
    expect(list.body.total).toBe(1);
  });

  it("scopes keys per organization", async () => {
    const a = await catalogFixture(ctx);
    const b = await catalogFixture(ctx);
    const headers = { "idempotency-key": "shared-key" };
    const ra = await createSession(
      ctx,
      a.merchant.testKey,
      { type: "product", anonymous: true, priceId: a.oneTimePriceId },
      headers,
    );
    const rb = await createSession(
      ctx,
      b.merchant.testKey,
      { type: "product", anonymous: true, priceId: b.oneTimePriceId },
      headers,
    );
    expect(ra.status).toBe(200);
    expect(rb.status).toBe(200);
    expect(rb.body.checkoutSession.id).not.toBe(ra.body.checkoutSession.id);
  });
});

describe("expiry", () => {
  it("expires on request, once, and writes the event", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f);
    const res = await ctx.api("POST", `/api/v1/checkout-sessions/${id}/expire`, { key: f.merchant.testKey });
    expect(res.status).toBe(200);
    expect(res.body.checkoutSession.status).toBe("expired");
    const again = await ctx.api("POST", `/api/v1/checkout-sessions/${id}/expire`, {
      key: f.merchant.testKey,
    });
    expect(again.status).toBe(200);
    const evts = await ctx.deps.db.select().from(events).where(eq(events.objectId, id));
    expect(evts.map((e) => e.type)).toEqual(["checkout_session.expired"]);
  });

  it("persists expiry when a past-due session is read, and the sweeper catches the rest", async () => {
    const f = await catalogFixture(ctx);
    const mk = async () => await anonymousSession(ctx, f);
    const readId = await mk();
    const sweptId = await mk();
    const past = new Date(Date.now() - 1000);
    await ctx.deps.db
      .update(checkoutSessions)
      .set({ expiresAt: past })
      .where(eq(checkoutSessions.id, readId));
    await ctx.deps.db
      .update(checkoutSessions)
      .set({ expiresAt: past })
      .where(eq(checkoutSessions.id, sweptId));
    const got = await ctx.api("GET", `/api/v1/checkout-sessions/${readId}`, { key: f.merchant.testKey });
    expect(got.body.checkoutSession.status).toBe("expired");
    const [row] = await ctx.deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, readId));
    expect(row?.status).toBe("expired");
    expect(await sweepExpiredSessions(ctx.deps)).toBeGreaterThanOrEqual(1);
    const [swept] = await ctx.deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, sweptId));
    expect(swept?.status).toBe("expired");
  });
});
