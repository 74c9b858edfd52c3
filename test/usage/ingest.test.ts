import { describe, expect, it } from "vitest";
import {
  createUsageMeter,
  eventsOf,
  meterWithPrice,
  newTransactionId,
  ok,
  postUsageEvent,
  recordUsageEvent,
  testContext,
  totalsOf,
  type UsageFixture,
  usageFixture,
} from "../support/index.js";

/** Recording usage: what each event counts toward, and the running totals its statement keeps. */
const ctx = await testContext();

const record = (f: UsageFixture, event: Record<string, unknown>) => recordUsageEvent(ctx, f, event);

describe("a sum meter", () => {
  it("totals the exact amounts in the subscription's current billing period, whichever way the event names it", async () => {
    const f = await usageFixture(ctx);
    const amounts = [1, 7, 1_000_000, 2 ** 40 + 3];
    const targets = [
      { usageMeterId: f.sum.id },
      { usageMeterSlug: f.sum.slug },
      { priceId: f.sum.priceId },
      { priceSlug: f.sum.priceSlug },
    ];
    const events = [];
    for (const [i, target] of targets.entries())
      events.push(await record(f, { amount: amounts[i], ...target }));
    for (const [i, event] of events.entries()) {
      expect(event).toMatchObject({
        amount: amounts[i],
        subscriptionId: f.subscriptionId,
        customerId: f.customerId,
        pricingModelId: f.pricingModelId,
        usageMeterId: f.sum.id,
        priceId: f.sum.priceId,
        billingPeriodId: f.billingPeriodId,
        livemode: false,
        properties: null,
      });
    }
    const total = amounts.reduce((a, b) => a + b, 0);
    expect(await totalsOf(ctx, f.subscriptionId)).toEqual([
      [f.billingPeriodId, f.sum.id, f.sum.priceId, total, 4],
    ]);
  });

  it("keeps a total per usage price: an explicit price other than the meter's default counts apart", async () => {
    const f = await usageFixture(ctx);
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
      "second usage price",
    );
    await record(f, { amount: 2, usageMeterId: f.sum.id });
    await record(f, { amount: 5, priceId: other.price.id });
    await record(f, { amount: 4, priceId: other.price.id });
    const totals = await totalsOf(ctx, f.subscriptionId);
    expect(totals).toHaveLength(2);
    expect(totals).toContainEqual([f.billingPeriodId, f.sum.id, f.sum.priceId, 2, 1]);
    expect(totals).toContainEqual([f.billingPeriodId, f.sum.id, other.price.id, 9, 2]);
  });
});

describe("a count_distinct_properties meter", () => {
  it("counts each distinct properties value once per period, whatever the order of its keys", async () => {
    const f = await usageFixture(ctx);
    const properties = [
      { user: "ada" },
      { user: "bob" },
      { user: "ada" },
      { user: "ada", plan: "pro" },
      { plan: "pro", user: "ada" },
      { org: { b: 1, a: [1, { y: 2, x: 1 }] } },
      { org: { a: [1, { x: 1, y: 2 }], b: 1 } },
      { org: { a: [{ x: 1, y: 2 }, 1], b: 1 } },
    ];
    for (const p of properties) await record(f, { amount: 3, usageMeterId: f.distinct.id, properties: p });
    // ada, bob, ada on pro, the org object, and the org object with its array in another order.
    expect(await totalsOf(ctx, f.subscriptionId)).toEqual([
      [f.billingPeriodId, f.distinct.id, f.distinct.priceId, 5, properties.length],
    ]);
    expect((await eventsOf(ctx, f.subscriptionId)).distinctValues).toBe(5);
  });

  it("keeps the properties as sent on the event", async () => {
    const f = await usageFixture(ctx);
    const event = await record(f, {
      amount: 1,
      usageMeterSlug: f.distinct.slug,
      properties: { z: 1, a: "x" },
    });
    expect(event.properties).toEqual({ z: 1, a: "x" });
    const read = await ok(ctx.api("GET", `/api/v1/usage-events/${event.id}`, { key: f.key }), "retrieve");
    expect(read.usageEvent.properties).toEqual({ z: 1, a: "x" });
  });

  it("keeps keys such as constructor and __proto__ as plain keys of the properties", async () => {
    const f = await usageFixture(ctx);
    const rawBody = (transactionId: string, properties: string) =>
      `{"usageEvent":{"amount":1,"subscriptionId":"${f.subscriptionId}","transactionId":"${transactionId}",` +
      `"usageMeterId":"${f.distinct.id}","properties":${properties}}}`;
    const odd = '{"constructor":null,"__proto__":{"admin":true},"toString":1}';
    const first = await ok(
      ctx.api("POST", "/api/v1/usage-events", { key: f.key, rawBody: rawBody(newTransactionId(), odd) }),
    );
    expect(first.usageEvent.properties).toEqual(JSON.parse(odd));
    const read = await ok(ctx.api("GET", `/api/v1/usage-events/${first.usageEvent.id}`, { key: f.key }));
    expect(read.usageEvent.properties).toEqual(JSON.parse(odd));
    // The same keys in another order are the same value; without __proto__ another one.
    const reordered = '{"toString":1,"__proto__":{"admin":true},"constructor":null}';
    await ok(
      ctx.api("POST", "/api/v1/usage-events", {
        key: f.key,
        rawBody: rawBody(newTransactionId(), reordered),
      }),
    );
    const fewer = '{"constructor":null,"toString":1}';
    await ok(
      ctx.api("POST", "/api/v1/usage-events", { key: f.key, rawBody: rawBody(newTransactionId(), fewer) }),
    );
    expect(await totalsOf(ctx, f.subscriptionId)).toEqual([
      [f.billingPeriodId, f.distinct.id, f.distinct.priceId, 2, 3],
    ]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it("counts a value concurrently sent by many events once", async () => {
    const f = await usageFixture(ctx);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        postUsageEvent(ctx, f.key, {
          amount: 1,
          subscriptionId: f.subscriptionId,
          transactionId: newTransactionId(),
          usageMeterId: f.distinct.id,
          properties: { user: "same" },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await totalsOf(ctx, f.subscriptionId)).toEqual([
      [f.billingPeriodId, f.distinct.id, f.distinct.priceId, 1, 20],
    ]);
  });
});

describe("what a meter's events are priced by", () => {
  it("the meter's flagged default usage price, else its oldest active one, else none", async () => {
    const f = await usageFixture(ctx);
    const first = f.sum.priceId;
    const second = await ok(
      ctx.api("POST", "/api/v1/prices", {
        key: f.key,
        body: {
          price: {
            type: "usage",
            pricingModelId: f.pricingModelId,
            usageMeterId: f.sum.id,
            unitPrice: 7,
            currency: "USD",
            usageEventsPerUnit: 1,
            isDefault: true,
          },
        },
      }),
      "flagged usage price",
    );
    expect((await record(f, { amount: 1, usageMeterId: f.sum.id })).priceId).toBe(second.price.id);
    await ok(
      ctx.api("PUT", `/api/v1/prices/${second.price.id}`, { key: f.key, body: { price: { active: false } } }),
      "deactivate",
    );
    expect((await record(f, { amount: 1, usageMeterId: f.sum.id })).priceId).toBe(first);

    const unpriced = await createUsageMeter(
      ctx,
      f.m,
      f.pricingModelId,
      { name: "Unpriced" },
      undefined,
      f.key,
    );
    const event = await record(f, { amount: 4, usageMeterSlug: unpriced.slug });
    expect(event).toMatchObject({ usageMeterId: unpriced.id, priceId: null });
    expect(await totalsOf(ctx, f.subscriptionId)).toContainEqual([f.billingPeriodId, unpriced.id, "", 4, 1]);
  });

  it("a meter of the subscription's pricing model resolves by slug there, not in another model", async () => {
    const f = await usageFixture(ctx);
    const model = await ok(
      ctx.api("POST", "/api/v1/pricing-models", { key: f.key, body: { pricingModel: { name: "Other" } } }),
      "other model",
    );
    // The same slug in another pricing model does not compete with the subscription's.
    await meterWithPrice(ctx, f, { slug: f.sum.slug, name: "Twin" }, { unitPrice: 1 }, model.pricingModel.id);
    expect((await record(f, { amount: 1, usageMeterSlug: f.sum.slug })).usageMeterId).toBe(f.sum.id);
  });
});

describe("idempotency by transactionId", () => {
  it("answers a repeated transactionId with the first event and counts it once", async () => {
    const f = await usageFixture(ctx);
    const transactionId = newTransactionId();
    const body = { amount: 5, subscriptionId: f.subscriptionId, transactionId, usageMeterId: f.sum.id };
    const first = await ok(postUsageEvent(ctx, f.key, body), "first");
    const again = await ok(postUsageEvent(ctx, f.key, body), "again");
    const changed = await ok(
      postUsageEvent(ctx, f.key, { ...body, amount: 99, priceSlug: undefined }),
      "changed",
    );
    expect(again).toEqual(first);
    expect(changed).toEqual(first);
    expect(await totalsOf(ctx, f.subscriptionId)).toEqual([
      [f.billingPeriodId, f.sum.id, f.sum.priceId, 5, 1],
    ]);
    expect((await eventsOf(ctx, f.subscriptionId)).events).toHaveLength(1);
  });

  it("20 concurrent posts of one transactionId record one event, counted once", async () => {
    const f = await usageFixture(ctx);
    const body = {
      amount: 7,
      subscriptionId: f.subscriptionId,
      transactionId: newTransactionId(),
      usageMeterId: f.distinct.id,
      properties: { user: "ada" },
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => postUsageEvent(ctx, f.key, body)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const ids = new Set(results.map((r) => r.body.usageEvent.id));
    expect(ids.size).toBe(1);
    expect((await eventsOf(ctx, f.subscriptionId)).events).toHaveLength(1);
    expect(await totalsOf(ctx, f.subscriptionId)).toEqual([
      [f.billingPeriodId, f.distinct.id, f.distinct.priceId, 1, 1],
    ]);
  });

  it("concurrent events with their own transactionIds are all counted", async () => {
    const f = await usageFixture(ctx);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        postUsageEvent(ctx, f.key, {
          amount: i + 1,
          subscriptionId: f.subscriptionId,
          transactionId: newTransactionId(),
          priceId: f.sum.priceId,
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(await totalsOf(ctx, f.subscriptionId)).toEqual([
      [f.billingPeriodId, f.sum.id, f.sum.priceId, 465, 30],
    ]);
  });

  it("a transactionId is per organization and mode: another tenant's same id is its own event", async () => {
    const f = await usageFixture(ctx);
    const g = await usageFixture(ctx);
    const transactionId = newTransactionId();
    const a = await ok(
      postUsageEvent(ctx, f.key, {
        amount: 1,
        subscriptionId: f.subscriptionId,
        transactionId,
        usageMeterId: f.sum.id,
      }),
    );
    const b = await ok(
      postUsageEvent(ctx, g.key, {
        amount: 2,
        subscriptionId: g.subscriptionId,
        transactionId,
        usageMeterId: g.sum.id,
      }),
    );
    expect(b.usageEvent.id).not.toBe(a.usageEvent.id);
    expect(b.usageEvent.amount).toBe(2);
  });
});
