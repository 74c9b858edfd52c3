import { like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sandboxIntents } from "../../src/db/schema/index.js";
import { applyScheduledAdjustments } from "../../src/subscriptions/index.js";
import { renewSubscription } from "../../src/subscriptions/renew-subscriptions.js";
import {
  addItems,
  adjust,
  cancelScheduledAdjustment,
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

/** Everything a preview must leave alone: items, events, money, processor calls. */
async function snapshot(subscriptionId: string) {
  return {
    items: await itemsOf(ctx, subscriptionId),
    events: await eventsFor(ctx, subscriptionId),
    money: await moneyOf(ctx, subscriptionId),
    // This subscription's charges only: other files running at the same time make intents of their own.
    intents: (
      await ctx.deps.db
        .select()
        .from(sandboxIntents)
        .where(like(sandboxIntents.idempotencyKey, `subscription_adjust:${subscriptionId}:%`))
    ).length,
    subscription: await subscriptionRow(ctx, subscriptionId),
  };
}

describe("POST /subscriptions/{id}/preview-adjust", () => {
  it("answers what adjust then charges: an upgrade, a downgrade and a change of several items with quantities", async () => {
    clock.now = PERIOD_START + 9 * DAY;
    const f = await multiItemFixture(ctx);
    const upgrade = (await subscribe(ctx, f)).subscription;
    const downgrade = (await subscribe(ctx, f, { price: f.premium, quantity: 2 })).subscription;
    const several = (await subscribe(ctx, f, { price: f.premium })).subscription;
    await addItems(ctx, f, several.id, [{ price: f.storage, quantity: 4 }]);
    const cases: [string, string, unknown][] = [
      [
        "upgrade",
        upgrade.id,
        { timing: "auto", newSubscriptionItems: [{ priceId: f.premium.id, quantity: 2 }] },
      ],
      [
        "downgrade",
        downgrade.id,
        { timing: "immediately", newSubscriptionItems: [{ priceId: f.monthly.id }] },
      ],
      [
        "several items",
        several.id,
        {
          timing: "immediately",
          newSubscriptionItems: [
            { priceId: f.premium.id },
            { priceId: f.storage.id, quantity: 6 },
            { priceSlug: "addon-support", quantity: 3 },
          ],
        },
      ],
    ];
    const charged: Record<string, number> = {};
    for (const [what, id, adjustment] of cases) {
      const before = await snapshot(id);
      const preview = await previewAdjust(ctx, f.key, id, adjustment);
      expect(preview.status, `${what}: ${JSON.stringify(preview.body)}`).toBe(200);
      // Preview writes nothing at all.
      expect(await snapshot(id), what).toEqual(before);

      const res = await adjust(ctx, f.key, id, adjustment);
      expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(200);
      const paid = (await moneyOf(ctx, id)).payments.reduce((sum, p) => sum + p.amount, 0);
      expect(preview.body.prorationAmount, what).toBe(paid);
      expect(
        preview.body.lineItems.reduce((sum: number, l: { amount: number }) => sum + l.amount, 0),
        what,
      ).toBe(paid);
      expect(preview.body, what).toMatchObject({
        isUpgrade: res.body.isUpgrade,
        resolvedTiming: res.body.resolvedTiming,
        effectiveDate: clock.now,
        currency: "USD",
      });
      expect(
        preview.body.newSubscriptionItems.map((i: WireItem) => [i.priceId, i.quantity, i.unitPrice]),
        what,
      ).toEqual(res.body.subscriptionItems.map((i: WireItem) => [i.priceId, i.quantity, i.unitPrice]));
      charged[what] = paid;
    }
    // 22 days of 31 left. Upgrade: 2 × 49.99 − 19.99. Downgrade: nothing (no credit). Several: premium stays,
    // storage 4 → 6, support × 3 added: (6 × 5.00 + 3 × 10.00) − 4 × 5.00.
    expect(charged).toEqual({
      upgrade: Math.floor(((2 * 4999 - 1999) * 22) / 31),
      downgrade: 0,
      "several items": Math.floor(((6 * 500 + 3 * 1000 - 4 * 500) * 22) / 31),
    });
  });

  it("refuses what adjust refuses, with the same answer, and hides other tenants' subscriptions", async () => {
    clock.now = PERIOD_START + 2 * DAY;
    const f = await multiItemFixture(ctx);
    const { subscription } = await subscribe(ctx, f);
    const bad = [
      { timing: "immediately", newSubscriptionItems: [{ priceId: f.storage.id }, { priceId: f.storage.id }] },
      { timing: "immediately", newSubscriptionItems: [{ priceId: f.storage.id }, { priceId: f.yearly.id }] },
      { timing: "immediately", newSubscriptionItems: [] },
      { timing: "immediately", newSubscriptionItems: [{ priceSlug: "no-such-price" }] },
    ];
    for (const adjustment of bad) {
      const preview = await previewAdjust(ctx, f.key, subscription.id, adjustment);
      const real = await adjust(ctx, f.key, subscription.id, adjustment);
      expect([preview.status, preview.body.code, preview.body.message]).toEqual([
        real.status,
        real.body.code,
        real.body.message,
      ]);
      expect(preview.status).toBeGreaterThanOrEqual(400);
      expect(preview.status).toBeLessThan(500);
    }
    const outsider = await ctx.merchant();
    const good = { timing: "auto", newSubscriptionItems: [{ priceId: f.premium.id }] };
    for (const key of [outsider.testKey, f.m.liveKey]) {
      expect((await previewAdjust(ctx, key, subscription.id, good)).status).toBe(404);
    }
  });
});

describe("POST /subscriptions/{id}/cancel-scheduled-adjustment", () => {
  it("takes back a scheduled change: its items never start and the current set runs on and renews", async () => {
    clock.now = PERIOD_START + 5 * DAY;
    const f = await multiItemFixture(ctx);
    const { subscription } = await subscribe(ctx, f, { price: f.premium });
    await addItems(ctx, f, subscription.id, [{ price: f.storage, quantity: 2 }]);
    const scheduled = await adjust(ctx, f.key, subscription.id, {
      timing: "at_end_of_current_billing_period",
      newSubscriptionItems: [{ priceId: f.monthly.id }],
    });
    expect(scheduled.body.subscriptionItems.map((i: WireItem) => i.expiredAt)).toEqual([
      PERIOD_END,
      PERIOD_END,
    ]);

    const res = await cancelScheduledAdjustment(ctx, f.key, subscription.id, { "Idempotency-Key": "undo-1" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.subscription).toMatchObject({
      id: subscription.id,
      priceId: f.premium.id,
      status: "active",
    });
    expect(res.body.subscriptionItems.map((i: WireItem) => [i.priceId, i.quantity, i.expiredAt])).toEqual([
      [f.premium.id, 1, null],
      [f.storage.id, 2, null],
    ]);
    const pending = (await itemsOf(ctx, subscription.id)).find((i) => i.priceId === f.monthly.id);
    expect(pending?.expiredAt?.getTime()).toBe(clock.now);
    const events = await eventsFor(ctx, subscription.id);
    expect(events.map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.updated",
      "subscription.updated",
    ]);

    // Replayed with its key; without it there is nothing left to take back.
    const replay = await cancelScheduledAdjustment(ctx, f.key, subscription.id, {
      "Idempotency-Key": "undo-1",
    });
    expect(replay.body).toEqual(res.body);
    const again = await cancelScheduledAdjustment(ctx, f.key, subscription.id);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("CONFLICT");
    expect(again.body.message).toMatch(/no scheduled adjustment/);
    expect(await eventsFor(ctx, subscription.id)).toHaveLength(3);

    clock.now = PERIOD_END + 1000;
    await applyScheduledAdjustments(ctx.deps);
    expect((await subscriptionRow(ctx, subscription.id)).priceId).toBe(f.premium.id);
    await renewSubscription(ctx.deps, f.merchant, subscription.id);
    const money = await moneyOf(ctx, subscription.id);
    expect(money.lines.map((l) => [l.priceId, l.quantity])).toEqual([
      [f.premium.id, 1],
      [f.storage.id, 2],
    ]);
    expect(money.payments).toEqual([expect.objectContaining({ amount: 4999 + 1000, status: "succeeded" })]);
  });

  it("takes turns under the row lock, and finds nothing to take back once the change has started", async () => {
    clock.now = PERIOD_START + 5 * DAY;
    const f = await multiItemFixture(ctx);
    const { subscription } = await subscribe(ctx, f, { price: f.premium });
    const schedule = () =>
      adjust(ctx, f.key, subscription.id, {
        timing: "at_end_of_current_billing_period",
        newSubscriptionItems: [{ priceId: f.monthly.id }, { priceId: f.support.id }],
      });
    expect((await schedule()).status).toBe(200);
    const racing = await Promise.all(
      [1, 2, 3].map(() => cancelScheduledAdjustment(ctx, f.key, subscription.id)),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect(
      (await itemsOf(ctx, subscription.id)).filter((i) => i.expiredAt === null).map((i) => i.priceId),
    ).toEqual([f.premium.id]);

    // Scheduled again; the period ends before anyone takes it back, even before the sweep runs.
    expect((await schedule()).status).toBe(200);
    clock.now = PERIOD_END;
    const late = await cancelScheduledAdjustment(ctx, f.key, subscription.id);
    expect(late.status).toBe(409);
    await applyScheduledAdjustments(ctx.deps);
    expect((await subscriptionRow(ctx, subscription.id)).priceId).toBe(f.monthly.id);
  });

  it("refuses a subscription with nothing scheduled, another tenant's and an unknown one", async () => {
    clock.now = PERIOD_START + 5 * DAY;
    const f = await multiItemFixture(ctx);
    const { subscription } = await subscribe(ctx, f);
    const none = await cancelScheduledAdjustment(ctx, f.key, subscription.id);
    expect(none.status).toBe(409);
    expect(none.headers.get("x-should-retry")).toBe("false");
    await adjust(ctx, f.key, subscription.id, {
      timing: "at_end_of_current_billing_period",
      newSubscriptionItems: [{ priceId: f.free.id }],
    });
    const outsider = await ctx.merchant();
    for (const key of [outsider.testKey, f.m.liveKey]) {
      expect((await cancelScheduledAdjustment(ctx, key, subscription.id)).status).toBe(404);
    }
    expect((await cancelScheduledAdjustment(ctx, f.key, "sub_nope")).status).toBe(404);
    // Still scheduled: the refused calls changed nothing.
    expect((await itemsOf(ctx, subscription.id)).map((i) => i.expiredAt?.getTime() ?? null)).toEqual([
      PERIOD_END,
      null,
    ]);
  });
});
