import { describe, expect, it } from "vitest";
import {
  eventsOf,
  newTransactionId,
  ok,
  postUsageEvent,
  postUsageEvents,
  subscribeWithoutCharge,
  testContext,
  totalsOf,
  usageFixture,
} from "../support/index.js";

/** POST /usage-events/bulk: all or nothing, in input order, each transactionId counted once. */
const ctx = await testContext();

describe("a batch of usage events", () => {
  it("records every event, answers in input order, and totals them per key", async () => {
    const f = await usageFixture(ctx);
    const second = await subscribeWithoutCharge(ctx, f);
    const subs = [f.subscriptionId, second.id as string];
    const events = Array.from({ length: 120 }, (_, i) => {
      const subscriptionId = subs[i % 2] as string;
      const base = { amount: i + 1, subscriptionId, transactionId: newTransactionId() };
      if (i % 3 === 0) return { ...base, usageMeterId: f.sum.id };
      if (i % 3 === 1) return { ...base, priceSlug: f.sum.priceSlug };
      return { ...base, usageMeterSlug: f.distinct.slug, properties: { user: `u${i % 7}` } };
    });
    const answer = await ok(postUsageEvents(ctx, f.key, events), "bulk");
    expect(answer.usageEvents).toHaveLength(events.length);
    for (const [i, event] of events.entries()) {
      expect(answer.usageEvents[i]).toMatchObject({
        transactionId: event.transactionId,
        amount: event.amount,
        subscriptionId: event.subscriptionId,
        customerId: f.customerId,
        pricingModelId: f.pricingModelId,
        usageMeterId: "usageMeterSlug" in event ? f.distinct.id : f.sum.id,
      });
    }
    const expected = new Map<string, [number, number]>();
    const seen = new Set<string>();
    for (const event of events) {
      const distinct = "usageMeterSlug" in event;
      const key = `${event.subscriptionId} ${distinct ? "distinct" : "sum"}`;
      const [total, count] = expected.get(key) ?? [0, 0];
      const value = `${key} ${JSON.stringify("properties" in event ? event.properties : null)}`;
      const add = distinct ? (seen.has(value) ? 0 : 1) : event.amount;
      seen.add(value);
      expected.set(key, [total + add, count + 1]);
    }
    for (const subscriptionId of subs) {
      const totals = await totalsOf(ctx, subscriptionId);
      expect(totals).toHaveLength(2);
      for (const [, meter, price, total, count] of totals) {
        const distinct = meter === f.distinct.id;
        expect(price).toBe(distinct ? f.distinct.priceId : f.sum.priceId);
        expect([total, count]).toEqual(expected.get(`${subscriptionId} ${distinct ? "distinct" : "sum"}`));
      }
    }
    // The answer is what was stored.
    for (const event of answer.usageEvents.slice(0, 5)) {
      expect(await ok(ctx.api("GET", `/api/v1/usage-events/${event.id}`, { key: f.key }))).toEqual({
        usageEvent: event,
      });
    }
  });

  it("counts a transactionId repeated within the batch once, answering each repeat with the first event", async () => {
    const f = await usageFixture(ctx);
    const [a, b] = [newTransactionId(), newTransactionId()];
    const base = { subscriptionId: f.subscriptionId, usageMeterId: f.sum.id };
    const answer = await ok(
      postUsageEvents(ctx, f.key, [
        { ...base, amount: 1, transactionId: a },
        { ...base, amount: 10, transactionId: b },
        { ...base, amount: 100, transactionId: a },
        { ...base, amount: 1000, transactionId: b },
      ]),
    );
    const [first, second, third, fourth] = answer.usageEvents;
    expect(third).toEqual(first);
    expect(fourth).toEqual(second);
    expect(first.amount).toBe(1);
    expect(second.amount).toBe(10);
    expect((await eventsOf(ctx, f.subscriptionId)).events).toHaveLength(2);
    expect(await totalsOf(ctx, f.subscriptionId)).toEqual([
      [f.billingPeriodId, f.sum.id, f.sum.priceId, 11, 2],
    ]);
  });

  it("answers transactionIds recorded before with their first events and counts only the new ones", async () => {
    const f = await usageFixture(ctx);
    const base = { subscriptionId: f.subscriptionId, usageMeterId: f.sum.id };
    const single = await ok(
      postUsageEvent(ctx, f.key, { ...base, amount: 5, transactionId: newTransactionId() }),
    );
    const batch = [
      { ...base, amount: 7, transactionId: newTransactionId() },
      { ...base, amount: 9, transactionId: single.usageEvent.transactionId },
    ];
    const first = await ok(postUsageEvents(ctx, f.key, batch));
    expect(first.usageEvents[1]).toEqual(single.usageEvent);
    const again = await ok(postUsageEvents(ctx, f.key, batch));
    expect(again).toEqual(first);
    expect(await totalsOf(ctx, f.subscriptionId)).toEqual([
      [f.billingPeriodId, f.sum.id, f.sum.priceId, 12, 2],
    ]);
  });

  it("counts a distinct value once, toward the first event in the batch that carried it", async () => {
    const f = await usageFixture(ctx);
    const other = await ok(
      ctx.api("POST", "/api/v1/prices", {
        key: f.key,
        body: {
          price: {
            type: "usage",
            pricingModelId: f.pricingModelId,
            usageMeterId: f.distinct.id,
            unitPrice: 9,
            currency: "USD",
            usageEventsPerUnit: 1,
          },
        },
      }),
    );
    await ok(
      postUsageEvent(ctx, f.key, {
        amount: 1,
        subscriptionId: f.subscriptionId,
        transactionId: newTransactionId(),
        usageMeterId: f.distinct.id,
        properties: { user: "old" },
      }),
    );
    const base = { amount: 1, subscriptionId: f.subscriptionId };
    await ok(
      postUsageEvents(ctx, f.key, [
        {
          ...base,
          transactionId: newTransactionId(),
          priceId: other.price.id,
          properties: { user: "new", n: 1 },
        },
        {
          ...base,
          transactionId: newTransactionId(),
          priceId: f.distinct.priceId,
          properties: { n: 1, user: "new" },
        },
        {
          ...base,
          transactionId: newTransactionId(),
          priceId: f.distinct.priceId,
          properties: { user: "old" },
        },
        {
          ...base,
          transactionId: newTransactionId(),
          priceId: f.distinct.priceId,
          properties: { user: "two" },
        },
      ]),
    );
    const totals = await totalsOf(ctx, f.subscriptionId);
    expect(totals).toHaveLength(2);
    expect(totals).toContainEqual([f.billingPeriodId, f.distinct.id, other.price.id, 1, 1]);
    expect(totals).toContainEqual([f.billingPeriodId, f.distinct.id, f.distinct.priceId, 2, 4]);
  });

  it("concurrent batches sharing transactionIds (in other orders) record each event once, without deadlocks", async () => {
    const f = await usageFixture(ctx);
    const events = Array.from({ length: 60 }, (_, i) => ({
      amount: i + 1,
      subscriptionId: f.subscriptionId,
      transactionId: newTransactionId(),
      ...(i % 2 ? { usageMeterId: f.sum.id } : { usageMeterId: f.distinct.id, properties: { k: i % 5 } }),
    }));
    const shuffled = (seed: number) =>
      [...events].sort((a, b) => ((a.amount * seed) % 61) - ((b.amount * seed) % 61));
    const results = await Promise.all(
      [1, 7, 13, 29, 31, 47].map((seed) => postUsageEvents(ctx, f.key, shuffled(seed))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    const idOf = new Map<string, string>();
    for (const r of results) {
      for (const e of r.body.usageEvents) {
        expect(idOf.get(e.transactionId) ?? e.id).toBe(e.id);
        idOf.set(e.transactionId, e.id);
      }
    }
    expect(idOf.size).toBe(60);
    expect((await eventsOf(ctx, f.subscriptionId)).events).toHaveLength(60);
    const sumOfOdd = events.filter((_, i) => i % 2).reduce((s, e) => s + e.amount, 0);
    expect(await totalsOf(ctx, f.subscriptionId)).toEqual(
      [
        [f.billingPeriodId, f.sum.id, f.sum.priceId, sumOfOdd, 30],
        [f.billingPeriodId, f.distinct.id, f.distinct.priceId, 5, 30],
      ].sort((a, b) => `${a[0]}${a[1]}${a[2]}`.localeCompare(`${b[0]}${b[1]}${b[2]}`)),
    );
  });
});

describe("a batch with an event that cannot be recorded", () => {
  it("is refused whole, naming the event's index, when the event names another tenant's subscription", async () => {
    const f = await usageFixture(ctx);
    const other = await usageFixture(ctx);
    const good = () => ({
      amount: 1,
      subscriptionId: f.subscriptionId,
      transactionId: newTransactionId(),
      usageMeterId: f.sum.id,
    });
    const res = await postUsageEvents(ctx, f.key, [
      good(),
      good(),
      good(),
      { ...good(), subscriptionId: other.subscriptionId },
      good(),
    ]);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringMatching(/^usageEvents\[3\]: Subscription/),
    });
    expect(res.body.issues[0].path).toEqual(["usageEvents", 3]);
    expect((await eventsOf(ctx, f.subscriptionId)).events).toEqual([]);
    expect(await totalsOf(ctx, f.subscriptionId)).toEqual([]);
  });

  it("is refused whole when an event's meter counts distinct properties and it has none", async () => {
    const f = await usageFixture(ctx);
    const res = await postUsageEvents(ctx, f.key, [
      {
        amount: 1,
        subscriptionId: f.subscriptionId,
        transactionId: newTransactionId(),
        usageMeterId: f.sum.id,
      },
      {
        amount: 1,
        subscriptionId: f.subscriptionId,
        transactionId: newTransactionId(),
        usageMeterId: f.distinct.id,
      },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^usageEvents\[1\]: .*counts distinct properties/);
    expect(res.body.issues[0].path).toEqual(["usageEvents", 1, "properties"]);
    expect(await totalsOf(ctx, f.subscriptionId)).toEqual([]);
  });

  it("is refused by the schema, naming the index, for a malformed event", async () => {
    const f = await usageFixture(ctx);
    const res = await postUsageEvents(ctx, f.key, [
      {
        amount: 1,
        subscriptionId: f.subscriptionId,
        transactionId: newTransactionId(),
        usageMeterId: f.sum.id,
      },
      {
        amount: 1,
        subscriptionId: f.subscriptionId,
        transactionId: newTransactionId(),
        usageMeterId: f.sum.id,
      },
      {
        amount: 0,
        subscriptionId: f.subscriptionId,
        transactionId: newTransactionId(),
        usageMeterId: f.sum.id,
      },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toEqual(["usageEvents", 2, "amount"]);
    expect(await totalsOf(ctx, f.subscriptionId)).toEqual([]);
  });

  it("refuses an empty batch and one of more than 1000 events", async () => {
    const f = await usageFixture(ctx);
    const event = { amount: 1, subscriptionId: f.subscriptionId, usageMeterId: f.sum.id };
    expect((await postUsageEvents(ctx, f.key, [])).status).toBe(400);
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ ...event, transactionId: `t${i}` }));
    const res = await postUsageEvents(ctx, f.key, tooMany);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("BAD_REQUEST");
    const most = await ok(postUsageEvents(ctx, f.key, tooMany.slice(0, 1000)));
    expect(most.usageEvents).toHaveLength(1000);
    expect(await totalsOf(ctx, f.subscriptionId)).toEqual([
      [f.billingPeriodId, f.sum.id, f.sum.priceId, 1000, 1000],
    ]);
  });
});
