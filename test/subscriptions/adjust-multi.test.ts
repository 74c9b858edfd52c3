import { like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sandboxIntents } from "../../src/db/schema/index.js";
import { applyScheduledAdjustments } from "../../src/subscriptions/index.js";
import { renewSubscription } from "../../src/subscriptions/renew-subscriptions.js";
import {
  addItems,
  adjust,
  clock,
  DAY,
  eventsFor,
  itemsOf,
  moneyOf,
  multiItemFixture,
  PERIOD_END,
  PERIOD_START,
  previewAdjust,
  subscribe,
  subscriptionRow,
  testContext,
} from "../support/index.js";

const ctx = await testContext({ now: () => new Date(clock.now) });

type WireItem = {
  id: string;
  priceId: string;
  quantity: number;
  unitPrice: number;
  expiredAt: number | null;
};

const adjustIntents = (subscriptionId: string) =>
  ctx.deps.db
    .select()
    .from(sandboxIntents)
    .where(like(sandboxIntents.idempotencyKey, `subscription_adjust:${subscriptionId}:%`));

const inForceNow = async (subscriptionId: string) =>
  (await itemsOf(ctx, subscriptionId)).filter(
    (i) => i.addedDate.getTime() <= clock.now && (i.expiredAt === null || i.expiredAt.getTime() > clock.now),
  );

describe("adjust with several items", () => {
  it("moves a base plan to a new plan with an add-on now, charging the whole set's prorated difference once", async () => {
    clock.now = PERIOD_START + 15 * DAY;
    const f = await multiItemFixture(ctx);
    const { subscription, card } = await subscribe(ctx, f);
    const body = {
      timing: "immediately",
      newSubscriptionItems: [{ priceSlug: "pro-premium" }, { priceId: f.storage.id, quantity: 3 }],
    };

    // 16 of January's 31 days are left: (49.99 + 3 × 5.00 − 19.99) for that share, rounded down once.
    const expected = Math.floor(((4999 + 3 * 500 - 1999) * 16) / 31);
    const preview = await previewAdjust(ctx, f.key, subscription.id, body);
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toMatchObject({
      resolvedTiming: "immediately",
      isUpgrade: true,
      prorationAmount: expected,
      currency: "USD",
      effectiveDate: clock.now,
      currentSubscriptionItems: [expect.objectContaining({ priceId: f.monthly.id, quantity: 1 })],
      newSubscriptionItems: [
        { priceId: f.premium.id, name: "Pro", quantity: 1, unitPrice: 4999, subscriptionItemId: null },
        { priceId: f.storage.id, name: "Storage", quantity: 3, unitPrice: 500, subscriptionItemId: null },
      ],
    });
    // Credit for the unused 16/31 of the old plan, the rest of the period of each new item, rounded on the
    // running sum so the lines add up to the charge exactly.
    expect(preview.body.lineItems).toEqual([
      { description: "Unused time on Pro", quantity: 1, unitPrice: -1032, amount: -1032 },
      { description: "Remaining time on Pro", quantity: 1, unitPrice: 2580, amount: 2580 },
      { description: "Remaining time on Storage × 3", quantity: 1, unitPrice: 774, amount: 774 },
    ]);
    expect(preview.body.lineItems.reduce((sum: number, l: { amount: number }) => sum + l.amount, 0)).toBe(
      expected,
    );

    const res = await adjust(ctx, f.key, subscription.id, body, { "Idempotency-Key": "multi-1" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      isUpgrade: true,
      resolvedTiming: "immediately",
      subscription: { id: subscription.id, priceId: f.premium.id, isFreePlan: false },
    });
    const items: WireItem[] = res.body.subscriptionItems;
    expect(items.map((i) => [i.priceId, i.quantity, i.unitPrice, i.expiredAt])).toEqual([
      [f.premium.id, 1, 4999, null],
      [f.storage.id, 3, 500, null],
    ]);

    const money = await moneyOf(ctx, subscription.id);
    expect(money.payments).toEqual([
      expect.objectContaining({ amount: expected, status: "succeeded", paymentMethodId: card?.id }),
    ]);
    expect(money.invoices).toEqual([expect.objectContaining({ status: "paid", total: expected })]);
    expect(money.lines).toEqual([
      expect.objectContaining({
        description: "Proration: Pro, Storage × 3",
        quantity: 1,
        amount: expected,
        priceId: f.premium.id,
      }),
    ]);
    const intents = await adjustIntents(subscription.id);
    expect(intents).toEqual([
      expect.objectContaining({
        idempotencyKey: `subscription_adjust:${subscription.id}:${items[0]?.id}`,
        amount: expected,
      }),
    ]);

    // Replayed with its key; repeated without it the set is in force: nothing owed, nothing moves.
    const replay = await adjust(ctx, f.key, subscription.id, body, { "Idempotency-Key": "multi-1" });
    expect(replay.body).toEqual(res.body);
    clock.now += 60_000;
    const again = await previewAdjust(ctx, f.key, subscription.id, body);
    expect(again.body).toMatchObject({ isUpgrade: false, prorationAmount: 0, lineItems: [] });
    expect(
      again.body.newSubscriptionItems.map((i: { subscriptionItemId: string }) => i.subscriptionItemId),
    ).toEqual(items.map((i) => i.id));
    const repeat = await adjust(ctx, f.key, subscription.id, body);
    expect(repeat.body.subscriptionItems.map((i: WireItem) => i.id)).toEqual(items.map((i) => i.id));
    expect((await moneyOf(ctx, subscription.id)).payments).toHaveLength(1);
    expect(await adjustIntents(subscription.id)).toHaveLength(1);
    expect(await itemsOf(ctx, subscription.id)).toHaveLength(3);
    expect((await eventsFor(ctx, subscription.id)).map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.updated",
    ]);
  });

  it("keeps the base item when only add-ons change: only they are prorated, and removing one is not credited", async () => {
    clock.now = PERIOD_START + 10 * DAY;
    const f = await multiItemFixture(ctx);
    const { subscription } = await subscribe(ctx, f);
    const [base] = await itemsOf(ctx, subscription.id);
    const withSupport = {
      timing: "auto",
      newSubscriptionItems: [{ priceId: f.monthly.id }, { priceSlug: "addon-support", quantity: 2 }],
    };
    // 21 days left of 31: two support seats at 10.00 each for that share.
    const expected = Math.floor((2 * 1000 * 21) / 31);
    const preview = await previewAdjust(ctx, f.key, subscription.id, withSupport);
    expect(preview.body).toMatchObject({
      resolvedTiming: "immediately",
      isUpgrade: true,
      prorationAmount: expected,
      lineItems: [{ description: "Remaining time on Support × 2", amount: expected }],
    });
    expect(preview.body.newSubscriptionItems[0]).toMatchObject({
      priceId: f.monthly.id,
      subscriptionItemId: base?.id,
    });

    const res = await adjust(ctx, f.key, subscription.id, withSupport);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.subscription.priceId).toBe(f.monthly.id);
    expect(
      res.body.subscriptionItems.map((i: WireItem) => [i.id === base?.id, i.priceId, i.quantity]),
    ).toEqual([
      [true, f.monthly.id, 1],
      [false, f.support.id, 2],
    ]);
    expect((await moneyOf(ctx, subscription.id)).payments.map((p) => p.amount)).toEqual([expected]);

    // Dropping the add-on now is a downgrade: applied at once when asked, never credited.
    clock.now += DAY;
    const baseOnly = { timing: "immediately", newSubscriptionItems: [{ priceId: f.monthly.id }] };
    const down = await previewAdjust(ctx, f.key, subscription.id, baseOnly);
    expect(down.body).toMatchObject({
      isUpgrade: false,
      resolvedTiming: "immediately",
      prorationAmount: 0,
      lineItems: [],
    });
    const applied = await adjust(ctx, f.key, subscription.id, baseOnly);
    expect(applied.body.subscriptionItems.map((i: WireItem) => i.id)).toEqual([base?.id]);
    expect((await moneyOf(ctx, subscription.id)).payments).toHaveLength(1);
    const support = (await itemsOf(ctx, subscription.id)).find((i) => i.priceId === f.support.id);
    expect(support?.expiredAt?.getTime()).toBe(clock.now);
  });

  it("gives priceId to the first new item when the current price leaves the set, and keeps it while it stays", async () => {
    clock.now = PERIOD_START + 3 * DAY;
    const f = await multiItemFixture(ctx);
    const { subscription } = await subscribe(ctx, f, { card: null });
    const first = await adjust(ctx, f.key, subscription.id, {
      timing: "immediately",
      newSubscriptionItems: [{ priceId: f.support.id }, { priceId: f.premium.id, quantity: 2 }],
    });
    expect(first.body.subscription.priceId).toBe(f.support.id);
    // Without a card nothing is charged, as for a single item.
    expect((await moneyOf(ctx, subscription.id)).payments).toEqual([]);
    clock.now += DAY;
    const second = await adjust(ctx, f.key, subscription.id, {
      timing: "immediately",
      newSubscriptionItems: [{ priceId: f.storage.id }, { priceId: f.support.id }],
    });
    expect(second.body.subscription.priceId).toBe(f.support.id);
    expect((await subscriptionRow(ctx, subscription.id)).priceId).toBe(f.support.id);
    expect((await inForceNow(subscription.id)).map((i) => i.priceId)).toEqual([f.support.id, f.storage.id]);
  });

  it("schedules a new set for the period end; the sweep moves priceId and the renewal bills every item exactly", async () => {
    clock.now = PERIOD_START + 20 * DAY;
    const f = await multiItemFixture(ctx);
    const { subscription } = await subscribe(ctx, f, { price: f.premium });
    await addItems(ctx, f, subscription.id, [{ price: f.storage, quantity: 2 }]);
    const [premium, storage] = await itemsOf(ctx, subscription.id);
    const body = {
      timing: "auto",
      newSubscriptionItems: [{ priceId: f.storage.id, quantity: 2 }, { priceId: f.monthly.id }],
    };
    const preview = await previewAdjust(ctx, f.key, subscription.id, body);
    expect(preview.body).toMatchObject({
      resolvedTiming: "at_end_of_current_billing_period",
      isUpgrade: false,
      prorationAmount: 0,
      effectiveDate: PERIOD_END,
      lineItems: [],
    });
    const res = await adjust(ctx, f.key, subscription.id, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      resolvedTiming: "at_end_of_current_billing_period",
      subscription: { priceId: f.premium.id },
    });
    // Until then: the premium item ends with the period, the storage item runs on, the new item waits.
    expect(res.body.subscriptionItems.map((i: WireItem) => [i.id, i.expiredAt])).toEqual([
      [premium?.id, PERIOD_END],
      [storage?.id, null],
    ]);
    const rows = await itemsOf(ctx, subscription.id);
    expect(rows[2]).toMatchObject({ priceId: f.monthly.id, quantity: 1, addedDate: new Date(PERIOD_END) });
    const repeat = await adjust(ctx, f.key, subscription.id, body);
    expect(repeat.status).toBe(200);
    expect(await itemsOf(ctx, subscription.id)).toHaveLength(3);
    expect(await eventsFor(ctx, subscription.id)).toHaveLength(2);

    await applyScheduledAdjustments(ctx.deps);
    expect((await subscriptionRow(ctx, subscription.id)).priceId).toBe(f.premium.id);
    clock.now = PERIOD_END + 1000;
    expect(await applyScheduledAdjustments(ctx.deps)).toBeGreaterThanOrEqual(1);
    // The premium price left the set: the first (only) new item carries priceId now.
    expect(await subscriptionRow(ctx, subscription.id)).toMatchObject({
      priceId: f.monthly.id,
      isFreePlan: false,
    });
    expect(await applyScheduledAdjustments(ctx.deps)).toBe(0);
    expect((await eventsFor(ctx, subscription.id)).map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.updated",
      "subscription.updated",
    ]);

    const renewed = await renewSubscription(ctx.deps, f.merchant, subscription.id);
    expect(renewed).toMatchObject({ status: "active", priceId: f.monthly.id });
    const money = await moneyOf(ctx, subscription.id);
    expect(money.lines.map((l) => [l.priceId, l.description, l.quantity, l.unitPrice, l.amount])).toEqual([
      [f.storage.id, "Storage", 2, 500, 1000],
      [f.monthly.id, "Pro", 1, 1999, 1999],
    ]);
    expect(money.invoices).toEqual([
      expect.objectContaining({ status: "paid", total: 2999, amountPaid: 2999 }),
    ]);
    expect(money.payments).toEqual([expect.objectContaining({ amount: 2999, status: "succeeded" })]);
  });

  it("renews a subscription of several items with quantities: one line each, the total their exact sum", async () => {
    clock.now = PERIOD_START + 2 * DAY;
    const f = await multiItemFixture(ctx);
    const { subscription } = await subscribe(ctx, f, { price: f.premium, quantity: 3 });
    await addItems(ctx, f, subscription.id, [
      { price: f.storage, quantity: 7 },
      { price: f.support, quantity: 2 },
    ]);
    clock.now = PERIOD_END + 1000;
    await renewSubscription(ctx.deps, f.merchant, subscription.id);
    const money = await moneyOf(ctx, subscription.id);
    expect(money.lines.map((l) => [l.priceId, l.quantity, l.unitPrice, l.amount])).toEqual([
      [f.premium.id, 3, 4999, 14997],
      [f.storage.id, 7, 500, 3500],
      [f.support.id, 2, 1000, 2000],
    ]);
    const total = 14997 + 3500 + 2000;
    expect(money.invoices).toEqual([expect.objectContaining({ total, amountPaid: total, status: "paid" })]);
    expect(money.payments).toEqual([expect.objectContaining({ amount: total, status: "succeeded" })]);
    // The period after bills the same set again, nothing more.
    clock.now = Date.parse("2030-03-01T00:00:00Z") + 1000;
    await renewSubscription(ctx.deps, f.merchant, subscription.id);
    expect((await moneyOf(ctx, subscription.id)).payments.map((p) => p.amount)).toEqual([total, total]);
  });
});
