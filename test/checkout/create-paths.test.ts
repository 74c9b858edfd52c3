import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { insertPricedSession } from "../../src/checkout/insert-priced-session.js";
import { checkoutSessions, prices, products } from "../../src/db/schema/index.js";
import { catalogFixture, createCustomer, createSession, testContext } from "../support/index.js";

/**
 * A price id is sold through one statement that snapshots the price as it inserts; a slug goes the
 * general way (look up, check, insert). Both must write the same session and refuse the same things.
 */
const ctx = await testContext();

async function stored(id: string) {
  const [row] = await ctx.deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, id));
  if (!row) throw new Error(`session ${id} not stored`);
  const { id: _id, position: _p, createdAt, updatedAt, expiresAt, ...rest } = row;
  expect(createdAt).toBeInstanceOf(Date);
  expect(updatedAt).toEqual(createdAt);
  expect(expiresAt.getTime() - createdAt.getTime()).toBe(24 * 60 * 60 * 1000);
  return rest;
}

describe("creating a product session by price id and by slug", () => {
  it("takes the one-statement path for a sellable price id, and yields nothing for an unsellable one", async () => {
    const f = await catalogFixture(ctx);
    const now = new Date();
    const values = (priceId: string, quantity = 1) => ({
      id: `chckt_session_direct_${Math.random().toString(36).slice(2)}`,
      organizationId: f.merchant.organizationId,
      livemode: false,
      priceId,
      source: "api" as const,
      anonymous: true,
      quantity,
      customerId: null,
      customerEmail: null,
      customerName: null,
      successUrl: "https://shop.example.com/ok",
      cancelUrl: "https://shop.example.com/cancel",
      outputMetadata: { a: 1 },
      outputName: null,
      discountId: null,
      preserveBillingCycleAnchor: false,
      expiresAt: new Date(now.getTime() + 3_600_000),
      createdAt: now,
      updatedAt: now,
    });
    const row = await insertPricedSession(ctx.deps.db, values(f.oneTimePriceId, 2));
    expect(row).toMatchObject({ unitAmount: 1999, currency: "USD", quantity: 2, outputMetadata: { a: 1 } });
    expect(row?.expiresAt).toBeInstanceOf(Date);
    expect(row?.position).toEqual(expect.any(Number));
    // Only what the statement decided comes back from Postgres; the rest is the caller's values. Together
    // they are exactly the stored row.
    const [storedRow] = await ctx.deps.db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.id, row?.id ?? ""));
    expect(row).toEqual(storedRow);
    // Inside a transaction too (the statement is run on whatever executor it is handed).
    const inTx = await ctx.deps.db.transaction((tx) => insertPricedSession(tx, values(f.monthlyPriceId)));
    expect(inTx?.unitAmount).toBe(900);
    const other = await catalogFixture(ctx);
    expect(await insertPricedSession(ctx.deps.db, values(other.oneTimePriceId))).toBeUndefined();
    expect(await insertPricedSession(ctx.deps.db, values("price_missing"))).toBeUndefined();
  });

  it("writes identical sessions, anonymous and for a named customer", async () => {
    const f = await catalogFixture(ctx);
    await createCustomer(ctx, f.merchant.testKey, "user_paths");
    const extras = {
      quantity: 3,
      outputName: "Team plan",
      outputMetadata: { seats: 3, tier: "pro", trial: false },
      preserveBillingCycleAnchor: true,
    };
    for (const who of [{ anonymous: true }, { customerExternalId: "user_paths" }]) {
      const byId = await createSession(ctx, f.merchant.testKey, {
        type: "product",
        priceId: f.monthlyPriceId,
        ...who,
        ...extras,
      });
      const bySlug = await createSession(ctx, f.merchant.testKey, {
        type: "product",
        priceSlug: f.slugs.monthly,
        ...who,
        ...extras,
      });
      expect(byId.status).toBe(200);
      expect(bySlug.status).toBe(200);
      const a = await stored(byId.body.checkoutSession.id);
      expect(a).toEqual(await stored(bySlug.body.checkoutSession.id));
      expect(a).toMatchObject({ priceId: f.monthlyPriceId, unitAmount: 900, currency: "USD", quantity: 3 });
      expect(a.pricingModelId).toBe(f.pricingModelId);
      // The API answer is the stored row, not the request echoed back.
      const { id: _i, createdAt: _c, updatedAt: _u, expires: _e, ...wire } = byId.body.checkoutSession;
      const { id: _i2, createdAt: _c2, updatedAt: _u2, expires: _e2, ...wire2 } = bySlug.body.checkoutSession;
      expect(wire).toEqual(wire2);
    }
  });

  it("refuses by id exactly what it refuses by slug, and writes nothing", async () => {
    const f = await catalogFixture(ctx);
    const before = await ctx.deps.db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.organizationId, f.merchant.organizationId));
    const attempt = (body: Record<string, unknown>) =>
      createSession(ctx, f.merchant.testKey, { type: "product", anonymous: true, ...body });

    // A total that cannot be represented exactly.
    const huge = await attempt({ priceId: f.oneTimePriceId, quantity: 10_000 });
    expect(huge.status).toBe(200);
    await ctx.deps.db
      .update(prices)
      .set({ unitPrice: Number.MAX_SAFE_INTEGER - 1 })
      .where(eq(prices.id, f.oneTimePriceId));
    for (const body of [{ priceId: f.oneTimePriceId }, { priceSlug: f.slugs.oneTime }]) {
      const res = await attempt({ ...body, quantity: 2 });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    // An inactive product makes its prices unsellable.
    await ctx.deps.db.update(products).set({ active: false }).where(eq(products.id, f.productId));
    for (const body of [{ priceId: f.monthlyPriceId }, { priceSlug: f.slugs.monthly }]) {
      const res = await attempt(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toContain("not active");
    }
    // Another merchant's price does not exist for this one.
    const other = await catalogFixture(ctx);
    const foreign = await attempt({ priceId: other.oneTimePriceId });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe("NOT_FOUND");
    const after = await ctx.deps.db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.organizationId, f.merchant.organizationId));
    expect(after.length).toBe(before.length + 1);
  });
});
