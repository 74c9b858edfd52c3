import { describe, expect, it } from "vitest";
import { renewSubscription } from "../../src/subscriptions/index.js";
import {
  newTransactionId,
  ok,
  postUsageEvent,
  testContext,
  totalsOf,
  usageFixture,
} from "../support/index.js";

/** Which billing period an event counts toward, and the one clock its instants come from. */
const DAY = 86_400_000;
const clock = { now: Date.parse("2026-03-10T08:00:00Z") };
const ctx = await testContext({ now: () => new Date(clock.now) });

describe("the billing period an event counts toward", () => {
  it("is the subscription's current one when the event arrives: after a renewal, the next", async () => {
    clock.now = Date.parse("2026-03-10T08:00:00Z");
    const f = await usageFixture(ctx);
    const post = async (amount: number) =>
      (
        await ok(
          postUsageEvent(ctx, f.key, {
            amount,
            subscriptionId: f.subscriptionId,
            transactionId: newTransactionId(),
            usageMeterId: f.sum.id,
          }),
        )
      ).usageEvent;
    const before = await post(5);
    expect(before.billingPeriodId).toBe(f.billingPeriodId);

    clock.now += 32 * DAY;
    expect(await renewSubscription(ctx.deps, f.merchant, f.subscriptionId)).not.toBeNull();
    const after = await post(3);
    expect(after.billingPeriodId).not.toBe(f.billingPeriodId);
    const subscription = await ok(
      ctx.api("GET", `/api/v1/subscriptions/${f.subscriptionId}`, { key: f.key }),
    );
    expect(subscription.subscription.currentBillingPeriodStart).toBeGreaterThan(before.createdAt);

    const totals = await totalsOf(ctx, f.subscriptionId);
    expect(totals).toHaveLength(2);
    expect(totals).toContainEqual([f.billingPeriodId, f.sum.id, f.sum.priceId, 5, 1]);
    expect(totals).toContainEqual([after.billingPeriodId, f.sum.id, f.sum.priceId, 3, 1]);
  });

  it("stamps the event with the app clock, and takes it as usageDate when none is sent", async () => {
    clock.now = Date.parse("2026-05-01T10:00:00Z");
    const f = await usageFixture(ctx);
    clock.now += 3_600_000;
    const event = (
      await ok(
        postUsageEvent(ctx, f.key, {
          amount: 1,
          subscriptionId: f.subscriptionId,
          transactionId: newTransactionId(),
          usageMeterId: f.sum.id,
        }),
      )
    ).usageEvent;
    expect(event).toMatchObject({ createdAt: clock.now, updatedAt: clock.now, usageDate: clock.now });
    const bulk = await ok(
      ctx.api("POST", "/api/v1/usage-events/bulk", {
        key: f.key,
        body: {
          usageEvents: [
            {
              amount: 1,
              subscriptionId: f.subscriptionId,
              transactionId: newTransactionId(),
              usageMeterId: f.sum.id,
            },
          ],
        },
      }),
    );
    expect(bulk.usageEvents[0]).toMatchObject({
      createdAt: clock.now,
      updatedAt: clock.now,
      usageDate: clock.now,
    });
    const stored = await ok(ctx.api("GET", `/api/v1/usage-events/${event.id}`, { key: f.key }));
    expect(stored.usageEvent).toEqual(event);
  });
});
