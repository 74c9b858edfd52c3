import { like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sandboxIntents } from "../../src/db/schema/index.js";
import {
  adjust,
  adjustFixture,
  clock,
  DAY,
  eventsFor,
  itemsOf,
  moneyOf,
  PERIOD_START,
  subscribe,
  subscriptionRow,
  testContext,
} from "../support/index.js";

const ctx = await testContext({ now: () => new Date(clock.now) });

async function adjustIntents(subscriptionId: string) {
  return ctx.deps.db
    .select()
    .from(sandboxIntents)
    .where(like(sandboxIntents.idempotencyKey, `subscription_adjust:${subscriptionId}:%`));
}

describe("POST /subscriptions/{id}/adjust immediately", () => {
  it("upgrades now and charges the prorated difference exactly once", async () => {
    clock.now = PERIOD_START + 15 * DAY;
    const f = await adjustFixture(ctx);
    const { subscription, card } = await subscribe(ctx, f);
    const body = { timing: "immediately", newSubscriptionItems: [{ priceId: f.premium.id }] };

    const res = await adjust(ctx, f.key, subscription.id, body, { "Idempotency-Key": "upgrade-1" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      isUpgrade: true,
      resolvedTiming: "immediately",
      subscription: { id: subscription.id, priceId: f.premium.id, status: "active" },
    });
    expect(res.body.subscriptionItems).toHaveLength(1);
    const newItem = res.body.subscriptionItems[0];
    expect(newItem).toMatchObject({
      subscriptionId: subscription.id,
      priceId: f.premium.id,
      quantity: 1,
      unitPrice: 4999,
      addedDate: clock.now,
      expiredAt: null,
      type: "static",
      price: { id: f.premium.id, unitPrice: 4999 },
    });

    // 16 of January's 31 days are left: that share of the 30.00 difference, rounded down.
    const expected = Math.floor(((4999 - 1999) * 16) / 31);
    const money = await moneyOf(ctx, subscription.id);
    expect(money.payments).toHaveLength(1);
    expect(money.payments[0]).toMatchObject({
      amount: expected,
      status: "succeeded",
      paymentMethodId: card?.id,
      invoiceId: money.invoices[0]?.id,
    });
    expect(money.invoices).toHaveLength(1);
    expect(money.invoices[0]).toMatchObject({ status: "paid", total: expected, amountPaid: expected });
    expect(money.lines).toEqual([
      expect.objectContaining({
        description: `Proration: ${f.premium.name ?? "Pro"}`,
        quantity: 1,
        unitPrice: expected,
        amount: expected,
        priceId: f.premium.id,
      }),
    ]);

    // The processor charge is keyed on the subscription and the item the change added.
    const intents = await adjustIntents(subscription.id);
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({
      idempotencyKey: `subscription_adjust:${subscription.id}:${newItem.id}`,
      amount: expected,
      status: "succeeded",
    });
    expect(money.payments[0]?.processorIntentId).toBe(intents[0]?.id);

    const items = await itemsOf(ctx, subscription.id);
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ priceId: f.monthly.id, expiredAt: new Date(clock.now) });

    // The same request with the same Idempotency-Key replays the first answer.
    const replay = await adjust(ctx, f.key, subscription.id, body, { "Idempotency-Key": "upgrade-1" });
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(res.body);

    // Without the header the plan is already in force: nothing is owed and nothing moves.
    clock.now += 60_000;
    const again = await adjust(ctx, f.key, subscription.id, body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ isUpgrade: false, resolvedTiming: "immediately" });
    expect(again.body.subscriptionItems.map((i: { id: string }) => i.id)).toEqual([newItem.id]);
    expect((await moneyOf(ctx, subscription.id)).payments).toHaveLength(1);
    expect(await adjustIntents(subscription.id)).toHaveLength(1);
    expect(await itemsOf(ctx, subscription.id)).toHaveLength(2);

    const events = await eventsFor(ctx, subscription.id);
    expect(events.map((e) => e.type)).toEqual(["subscription.created", "subscription.updated"]);
    expect(events[1]?.payload.data).toMatchObject({ id: subscription.id, priceId: f.premium.id });
    expect((await eventsFor(ctx, money.invoices[0]?.id as string)).map((e) => e.type)).toEqual([
      "invoice.paid",
    ]);
    expect((await eventsFor(ctx, money.payments[0]?.id as string)).map((e) => e.type)).toEqual([
      "payment.succeeded",
    ]);
  });

  it("answers a declined proration with 402 and changes nothing", async () => {
    clock.now = PERIOD_START + 10 * DAY;
    const f = await adjustFixture(ctx);
    // Saves fine, declines every charge.
    const { subscription } = await subscribe(ctx, f, { card: "4000000000000341" });
    const res = await adjust(ctx, f.key, subscription.id, {
      timing: "auto",
      newSubscriptionItems: [{ priceSlug: "pro-premium", quantity: 2 }],
    });
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ code: "PAYMENT_REQUIRED" });
    expect(res.body.message).toMatch(/not changed/);

    expect(await subscriptionRow(ctx, subscription.id)).toMatchObject({
      priceId: f.monthly.id,
      status: "active",
    });
    const items = await itemsOf(ctx, subscription.id);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ priceId: f.monthly.id, expiredAt: null });
    const money = await moneyOf(ctx, subscription.id);
    expect(money.payments).toEqual([]);
    expect(money.invoices).toEqual([]);
    expect((await eventsFor(ctx, subscription.id)).map((e) => e.type)).toEqual(["subscription.created"]);
  });

  it("swaps without a charge when proration is off, on a trial, or without a saved card", async () => {
    clock.now = PERIOD_START + 5 * DAY;
    const f = await adjustFixture(ctx);
    const noProration = (await subscribe(ctx, f)).subscription;
    const trial = (
      await subscribe(ctx, f, { status: "trialing", trialEnd: new Date(PERIOD_START + 14 * DAY) })
    ).subscription;
    const noCard = (await subscribe(ctx, f, { card: null })).subscription;
    for (const [subscription, prorate] of [
      [noProration, false],
      [trial, undefined],
      [noCard, undefined],
    ] as const) {
      const res = await adjust(ctx, f.key, subscription.id, {
        timing: "immediately",
        newSubscriptionItems: [{ priceId: f.premium.id, quantity: 3 }],
        ...(prorate === undefined ? {} : { prorateCurrentBillingPeriod: prorate }),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({
        isUpgrade: true,
        resolvedTiming: "immediately",
        subscription: { priceId: f.premium.id, status: subscription.status },
      });
      expect(res.body.subscriptionItems).toEqual([
        expect.objectContaining({ priceId: f.premium.id, quantity: 3 }),
      ]);
      expect((await moneyOf(ctx, subscription.id)).payments).toEqual([]);
      expect(await adjustIntents(subscription.id)).toEqual([]);
    }
  });

  it("keeps no charge for an upgrade that lost a race: each one is recorded or refunded", async () => {
    clock.now = PERIOD_START + 15 * DAY;
    const f = await adjustFixture(ctx);
    const { subscription } = await subscribe(ctx, f);
    const results = await Promise.all(
      [1, 2, 3].map((quantity) =>
        adjust(ctx, f.key, subscription.id, {
          timing: "immediately",
          newSubscriptionItems: [{ priceId: f.premium.id, quantity }],
        }),
      ),
    );
    for (const res of results) expect([200, 409], JSON.stringify(res.body)).toContain(res.status);
    expect(results.some((res) => res.status === 200)).toBe(true);

    const money = await moneyOf(ctx, subscription.id);
    const intents = await adjustIntents(subscription.id);
    expect(intents.length).toBeGreaterThanOrEqual(1);
    for (const intent of intents) {
      const recorded = money.payments.filter((p) => p.processorIntentId === intent.id);
      if (recorded.length === 0) expect(intent.refundedAmount).toBe(intent.amount);
      else expect(recorded).toHaveLength(1);
    }
    expect(money.payments.length).toBe(intents.filter((i) => i.refundedAmount === 0).length);
    // Exactly one item in force, and the subscription shows its price.
    const inForce = (await itemsOf(ctx, subscription.id)).filter(
      (i) =>
        i.addedDate.getTime() <= clock.now && (i.expiredAt === null || i.expiredAt.getTime() > clock.now),
    );
    expect(inForce).toHaveLength(1);
    expect((await subscriptionRow(ctx, subscription.id)).priceId).toBe(f.premium.id);
  });
});
