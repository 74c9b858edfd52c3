import { describe, expect, it } from "vitest";
import {
  applyScheduledAdjustments,
  listSubscriptionDetailsForCustomer,
} from "../../src/subscriptions/index.js";
import { renewSubscription } from "../../src/subscriptions/renew-subscriptions.js";
import {
  adjust,
  adjustFixture,
  clock,
  DAY,
  eventsFor,
  itemsOf,
  moneyOf,
  PERIOD_END,
  PERIOD_START,
  subscribe,
  subscriptionRow,
  testContext,
} from "../support/index.js";

const ctx = await testContext({ now: () => new Date(clock.now) });

describe("POST /subscriptions/{id}/adjust at the period end", () => {
  it("schedules a downgrade (auto) and applyScheduledAdjustments switches the price once it starts", async () => {
    clock.now = PERIOD_START + 20 * DAY;
    const f = await adjustFixture(ctx);
    const { subscription } = await subscribe(ctx, f, { price: f.premium, quantity: 2 });
    const body = { timing: "auto", newSubscriptionItems: [{ priceId: f.monthly.id, quantity: 3 }] };
    const res = await adjust(ctx, f.key, subscription.id, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      isUpgrade: false,
      resolvedTiming: "at_end_of_current_billing_period",
      subscription: { priceId: f.premium.id, currentBillingPeriodEnd: PERIOD_END },
    });
    // Only the item in force is shown; it now ends with the period.
    expect(res.body.subscriptionItems).toEqual([
      expect.objectContaining({ priceId: f.premium.id, quantity: 2, expiredAt: PERIOD_END }),
    ]);
    const items = await itemsOf(ctx, subscription.id);
    expect(items).toHaveLength(2);
    expect(items[1]).toMatchObject({
      priceId: f.monthly.id,
      quantity: 3,
      unitPrice: 1999,
      addedDate: new Date(PERIOD_END),
      expiredAt: null,
    });
    expect((await moneyOf(ctx, subscription.id)).payments).toEqual([]);

    // The same request again changes nothing and announces nothing.
    const repeat = await adjust(ctx, f.key, subscription.id, body);
    expect(repeat.status).toBe(200);
    expect(await itemsOf(ctx, subscription.id)).toHaveLength(2);
    expect((await eventsFor(ctx, subscription.id)).map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.updated",
    ]);

    // Before the period ends the sweep leaves it alone.
    await applyScheduledAdjustments(ctx.deps);
    expect((await subscriptionRow(ctx, subscription.id)).priceId).toBe(f.premium.id);
    const before = await listSubscriptionDetailsForCustomer(
      ctx.deps.db,
      f.merchant,
      f.customerId,
      new Date(clock.now),
    );
    expect(before[0]?.subscriptionItems.map((i) => i.priceId)).toEqual([f.premium.id]);

    clock.now = PERIOD_END + 1000;
    expect(await applyScheduledAdjustments(ctx.deps)).toBeGreaterThanOrEqual(1);
    const after = await subscriptionRow(ctx, subscription.id);
    expect(after).toMatchObject({ priceId: f.monthly.id, isFreePlan: false });
    const details = await listSubscriptionDetailsForCustomer(
      ctx.deps.db,
      f.merchant,
      f.customerId,
      new Date(clock.now),
    );
    expect(details[0]?.subscriptionItems).toEqual([
      expect.objectContaining({
        priceId: f.monthly.id,
        quantity: 3,
        price: expect.objectContaining({ id: f.monthly.id }),
      }),
    ]);
    const events = await eventsFor(ctx, subscription.id);
    expect(events.map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.updated",
      "subscription.updated",
    ]);
    expect(events[2]?.payload.data).toMatchObject({ priceId: f.monthly.id });

    // A second run finds nothing left to do for it.
    await applyScheduledAdjustments(ctx.deps);
    expect(await eventsFor(ctx, subscription.id)).toHaveLength(3);

    // The renewal bills the new plan: 3 × 19.99 on the card on file.
    const renewed = await renewSubscription(ctx.deps, f.merchant, subscription.id);
    expect(renewed).toMatchObject({ status: "active", priceId: f.monthly.id });
    const money = await moneyOf(ctx, subscription.id);
    expect(money.lines).toEqual([
      expect.objectContaining({ priceId: f.monthly.id, quantity: 3, unitPrice: 1999 }),
    ]);
    expect(money.payments).toEqual([expect.objectContaining({ amount: 3 * 1999, status: "succeeded" })]);
  });

  it("replaces a pending change with a new one, and asking for the current plan takes it back", async () => {
    clock.now = PERIOD_START + 3 * DAY;
    const f = await adjustFixture(ctx);
    const { subscription } = await subscribe(ctx, f);
    const atEnd = (priceId: string) => ({
      timing: "at_end_of_current_billing_period",
      newSubscriptionItems: [{ priceId }],
    });
    // Even an upgrade waits, uncharged, when the period end is asked for explicitly.
    const first = await adjust(ctx, f.key, subscription.id, atEnd(f.premium.id));
    expect(first.body).toMatchObject({ isUpgrade: true, resolvedTiming: "at_end_of_current_billing_period" });
    expect((await moneyOf(ctx, subscription.id)).payments).toEqual([]);
    const second = await adjust(ctx, f.key, subscription.id, atEnd(f.free.id));
    expect(second.status).toBe(200);
    let items = await itemsOf(ctx, subscription.id);
    const pending = items.filter(
      (i) => i.addedDate.getTime() > clock.now && (i.expiredAt ?? Infinity) > i.addedDate,
    );
    expect(pending.map((i) => i.priceId)).toEqual([f.free.id]);

    const back = await adjust(ctx, f.key, subscription.id, {
      timing: "auto",
      newSubscriptionItems: [{ priceId: f.monthly.id }],
    });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ isUpgrade: false, subscription: { priceId: f.monthly.id } });
    expect(back.body.subscriptionItems).toEqual([
      expect.objectContaining({ priceId: f.monthly.id, expiredAt: null }),
    ]);
    items = await itemsOf(ctx, subscription.id);
    expect(items.filter((i) => i.expiredAt === null).map((i) => i.priceId)).toEqual([f.monthly.id]);

    clock.now = PERIOD_END + 1000;
    await applyScheduledAdjustments(ctx.deps);
    expect((await subscriptionRow(ctx, subscription.id)).priceId).toBe(f.monthly.id);
    expect((await eventsFor(ctx, subscription.id)).map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.updated",
      "subscription.updated",
      "subscription.updated",
    ]);
  });

  it("applies a requested period-end change now when there is no running period", async () => {
    // The period ended and has not been renewed yet: there is no end left to wait for.
    clock.now = PERIOD_END + 2 * DAY;
    const f = await adjustFixture(ctx);
    const { subscription } = await subscribe(ctx, f, { price: f.premium });
    const res = await adjust(ctx, f.key, subscription.id, {
      timing: "at_end_of_current_billing_period",
      newSubscriptionItems: [{ priceId: f.monthly.id }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      resolvedTiming: "immediately",
      subscription: { priceId: f.monthly.id },
    });
    expect(res.body.subscriptionItems).toEqual([
      expect.objectContaining({ priceId: f.monthly.id, addedDate: clock.now }),
    ]);
  });
});
