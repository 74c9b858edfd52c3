import { describe, expect, it } from "vitest";
import { currentPeriodUsage } from "../../src/usage/index.js";
import {
  newTransactionId,
  ok,
  postUsageEvent,
  recordUsageEvent,
  testContext,
  type UsageFixture,
  usageFixture,
} from "../support/index.js";

/** Reading what was recorded: the events themselves, and the usage counted toward a period. */
const ctx = await testContext();

const record = (f: UsageFixture, event: Record<string, unknown>) => recordUsageEvent(ctx, f, event);

describe("currentPeriodUsage", () => {
  it("sums each meter's usage over its prices in the given periods, each period once", async () => {
    const f = await usageFixture(ctx);
    const g = await usageFixture(ctx);
    const other = await ok(
      ctx.api("POST", "/api/v1/prices", {
        key: f.key,
        body: {
          price: {
            type: "usage",
            pricingModelId: f.pricingModelId,
            usageMeterId: f.sum.id,
            unitPrice: 3,
            currency: "USD",
            usageEventsPerUnit: 1,
          },
        },
      }),
    );
    await record(f, { amount: 4, usageMeterId: f.sum.id });
    await record(f, { amount: 6, priceId: other.price.id });
    await record(f, { amount: 1, usageMeterId: f.distinct.id, properties: { u: 1 } });
    await record(f, { amount: 1, usageMeterId: f.distinct.id, properties: { u: 2 } });
    await ok(
      postUsageEvent(ctx, g.key, {
        amount: 9,
        subscriptionId: g.subscriptionId,
        transactionId: newTransactionId(),
        usageMeterId: g.sum.id,
      }),
    );
    const period = { subscriptionId: f.subscriptionId, billingPeriodId: f.billingPeriodId };
    const usage = await currentPeriodUsage(ctx.deps.db, f.merchant, [period, period]);
    expect([...usage.keys()]).toEqual([f.subscriptionId]);
    expect(usage.get(f.subscriptionId)).toEqual(
      new Map([
        [f.sum.id, 10],
        [f.distinct.id, 2],
      ]),
    );
    // Another tenant's period is not the merchant's to read; a period without usage has none.
    const foreign = { subscriptionId: g.subscriptionId, billingPeriodId: g.billingPeriodId };
    expect((await currentPeriodUsage(ctx.deps.db, f.merchant, [foreign])).size).toBe(0);
    expect((await currentPeriodUsage(ctx.deps.db, g.merchant, [foreign])).get(g.subscriptionId)).toEqual(
      new Map([[g.sum.id, 9]]),
    );
    expect(
      (await currentPeriodUsage(ctx.deps.db, f.merchant, [{ ...period, billingPeriodId: null }])).size,
    ).toBe(0);
  });
});

describe("reading events", () => {
  it("retrieves and lists the merchant's events, newest first; another tenant's are not found", async () => {
    const f = await usageFixture(ctx);
    const older = await record(f, { amount: 1, usageMeterId: f.sum.id });
    const newer = await record(f, { amount: 2, usageMeterId: f.sum.id });
    expect(await ok(ctx.api("GET", `/api/v1/usage-events/${older.id}`, { key: f.key }))).toEqual({
      usageEvent: older,
    });
    const page = await ok(ctx.api("GET", "/api/v1/usage-events?limit=1", { key: f.key }));
    expect(page).toMatchObject({ data: [newer], hasMore: true, total: 2 });
    const next = await ok(
      ctx.api("GET", `/api/v1/usage-events?limit=1&cursor=${page.nextCursor}`, { key: f.key }),
    );
    expect(next).toMatchObject({ data: [older], hasMore: false });
    const other = await ctx.merchant();
    for (const key of [other.testKey, f.m.liveKey]) {
      const res = await ctx.api("GET", `/api/v1/usage-events/${older.id}`, { key });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
      expect((await ok(ctx.api("GET", "/api/v1/usage-events", { key }))).data).toEqual([]);
    }
  });

  it("records usageDate as sent (epoch ms)", async () => {
    const f = await usageFixture(ctx);
    const usageDate = Date.parse("2025-06-01T12:34:56.789Z");
    const event = await record(f, { amount: 1, usageMeterId: f.sum.id, usageDate });
    expect(event.usageDate).toBe(usageDate);
    expect(event.createdAt).toBeGreaterThan(usageDate);
  });
});
