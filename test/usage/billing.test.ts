import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { AppDeps } from "../../src/context/index.js";
import { usagePeriodTotals } from "../../src/db/schema/index.js";
import { renewSubscription } from "../../src/subscriptions/index.js";
import { usageBilling } from "../../src/usage/index.js";
import {
  creditLedger,
  currentPeriodId,
  DAY,
  holdUsagePrice,
  PERIOD_END,
  PERIOD_START,
  periodsOf,
  planCredits,
  recordUsage,
  renewalInvoice,
  settableClock,
  subscribe,
  testContext,
  type UsageWorld,
  usageMeter,
  usagePrice,
  usageWorld,
} from "../support/index.js";

const clock = settableClock();
const ctx = await testContext({ now: clock.now });
const MARCH = Date.parse("2030-03-01T00:00:00Z");

/** A world and an active subscription to its plan (with a card), with the clock at `day` of January. */
async function subscribed(day = 10) {
  clock.set(new Date(PERIOD_START - DAY));
  const w = await usageWorld(ctx);
  const { subscription } = await subscribe(ctx, w);
  clock.set(new Date(PERIOD_START + day * DAY));
  return { w, subId: subscription.id };
}

/** Runs the renewal due at `at` (the clock moved there), as the background job would for this subscription. */
async function renewAt(w: UsageWorld, subId: string, at: number, deps: AppDeps = ctx.deps) {
  clock.set(new Date(at));
  const renewed = await renewSubscription(deps, w.merchant, subId);
  expect(renewed?.status).toBe("active");
  return renewed;
}

const use = (w: UsageWorld, subId: string, meter: "calls" | "seats", amount: number, extra = {}) =>
  recordUsage(ctx, w.merchant, {
    subscriptionId: subId,
    meter: w[meter],
    price: meter === "calls" ? w.callsPrice : w.seatsPrice,
    amount,
    ...extra,
  });

describe("usage on the renewal invoice", () => {
  it("bills a sum meter and a count_distinct_properties meter exactly, in whole billing units", async () => {
    const { w, subId } = await subscribed();
    for (const amount of [100, 120, 30]) await use(w, subId, "calls", amount);
    await use(w, subId, "seats", 1, { properties: { user: "ada", team: "x" } });
    await use(w, subId, "seats", 1, { properties: { team: "x", user: "ada" } }); // same seat, keys reordered
    await use(w, subId, "seats", 1, { properties: { user: "grace" } });
    const [january] = await periodsOf(ctx, subId);

    await renewAt(w, subId, PERIOD_END + 60_000);
    const renewal = await renewalInvoice(ctx, subId, PERIOD_END);
    expect(renewal.static.map((l) => [l.priceId, l.quantity, l.amount])).toEqual([[w.monthly.id, 1, 1999]]);
    const lines = renewal.usage.map((l) => ({
      priceId: l.priceId,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      amount: l.amount,
      usageMeterId: l.usageMeterId,
      creditsApplied: l.creditsApplied,
      billingPeriodId: l.billingPeriodId,
      description: l.description,
    }));
    expect(lines).toEqual([
      {
        priceId: w.callsPrice.id,
        quantity: 3, // 250 calls at 100 per unit: 2.5 rounds up
        unitPrice: 3,
        amount: 9,
        usageMeterId: w.calls.id,
        creditsApplied: 0,
        billingPeriodId: january?.id,
        description: "API calls",
      },
      {
        priceId: w.seatsPrice.id,
        quantity: 2,
        unitPrice: 500,
        amount: 1000,
        usageMeterId: w.seats.id,
        creditsApplied: 0,
        billingPeriodId: january?.id,
        description: "Seats",
      },
    ]);
    expect(renewal.invoice.total).toBe(1999 + 9 + 1000);
    expect(renewal.invoice.status).toBe("paid");
    expect(renewal.payments.map((p) => [p.status, p.amount])).toEqual([["succeeded", 3008]]);
    const totals = await ctx.deps.db
      .select()
      .from(usagePeriodTotals)
      .where(eq(usagePeriodTotals.subscriptionId, subId));
    expect(totals.map((t) => [t.usageMeterId, t.total, t.billedTotal, t.eventCount]).sort()).toEqual(
      [
        [w.calls.id, 250, 250, 3],
        [w.seats.id, 2, 2, 3],
      ].sort(),
    );
  });

  it("rounds each price's partial billing unit up, and bills an exact multiple exactly", async () => {
    const { w, subId } = await subscribed();
    const per1000 = await usagePrice(ctx, w, w.calls, { unitPrice: 11, usageEventsPerUnit: 1000 });
    const per50 = await usagePrice(ctx, w, w.calls, { unitPrice: 7, usageEventsPerUnit: 50 });
    await use(w, subId, "calls", 101); // 100 per unit: 2 units
    await recordUsage(ctx, w.merchant, { subscriptionId: subId, meter: w.calls, price: per1000, amount: 1 });
    await recordUsage(ctx, w.merchant, { subscriptionId: subId, meter: w.calls, price: per50, amount: 100 });
    await renewAt(w, subId, PERIOD_END + 60_000);
    const { usage, invoice } = await renewalInvoice(ctx, subId, PERIOD_END);
    const byPrice = new Map(usage.map((l) => [l.priceId, [l.quantity, l.amount]]));
    expect(byPrice.get(w.callsPrice.id)).toEqual([2, 6]);
    expect(byPrice.get(per1000.id)).toEqual([1, 11]);
    expect(byPrice.get(per50.id)).toEqual([2, 14]);
    expect(usage).toHaveLength(3);
    expect(invoice.total).toBe(1999 + 6 + 11 + 14);
  });

  it("shows a usage price held as an item with quantity 0 when unused, and no line for unused prices it does not hold", async () => {
    const { w, subId } = await subscribed();
    await holdUsagePrice(ctx, w.merchant, subId, w.seatsPrice, new Date(PERIOD_START));
    await renewAt(w, subId, PERIOD_END + 60_000);
    const { usage, static: fixed, invoice } = await renewalInvoice(ctx, subId, PERIOD_END);
    // The held usage price is not billed as a fixed line at its unit price.
    expect(fixed.map((l) => l.priceId)).toEqual([w.monthly.id]);
    expect(usage.map((l) => [l.priceId, l.quantity, l.amount, l.creditsApplied])).toEqual([
      [w.seatsPrice.id, 0, 0, 0],
    ]);
    expect(invoice.total).toBe(1999);
  });

  it("lets usage without a price use credits and bill nothing", async () => {
    const { w, subId } = await subscribed();
    const unpriced = await usageMeter(ctx, w, { slug: "exports" });
    await planCredits(ctx, w, {
      slug: "exports-monthly",
      meter: unpriced,
      amount: 10,
      renewalFrequency: "once",
    });
    await recordUsage(ctx, w.merchant, { subscriptionId: subId, meter: unpriced, price: null, amount: 25 });
    await renewAt(w, subId, PERIOD_END + 60_000);
    const { usage, invoice } = await renewalInvoice(ctx, subId, PERIOD_END);
    expect(usage).toEqual([]);
    expect(invoice.total).toBe(1999);
    expect((await creditLedger(ctx, w.customerId)).map(([, , amount]) => amount)).toEqual([10]);
  });

  it("bills a renewal that crashed after writing its invoice once, when it is run again", async () => {
    const { w, subId } = await subscribed();
    await planCredits(ctx, w, { slug: "calls-once", meter: w.calls, amount: 50, renewalFrequency: "once" });
    await use(w, subId, "calls", 250);
    const crashing: AppDeps = {
      ...ctx.deps,
      processors: {
        ...ctx.deps.processors,
        named: async () => {
          throw new Error("process died while charging");
        },
      },
    };
    clock.set(new Date(PERIOD_END + 60_000));
    await expect(renewSubscription(crashing, w.merchant, subId)).rejects.toThrow("process died");
    await renewAt(w, subId, PERIOD_END + 120_000);
    clock.set(new Date(PERIOD_END + 180_000));
    expect(await renewSubscription(ctx.deps, w.merchant, subId)).toBeNull(); // not due any more

    const { usage, invoice, payments } = await renewalInvoice(ctx, subId, PERIOD_END);
    expect(usage.map((l) => [l.priceId, l.quantity, l.creditsApplied])).toEqual([[w.callsPrice.id, 2, 50]]);
    expect(invoice.total).toBe(1999 + 6);
    expect(payments.map((p) => [p.status, p.amount])).toEqual([["succeeded", 2005]]);
    const [january] = await periodsOf(ctx, subId);
    expect(await creditLedger(ctx, w.customerId)).toEqual([
      [expect.stringMatching(/^grant:/), january?.id, 50],
    ]);

    // Billing the same closing period again finds nothing left to bill and uses no credit twice.
    const again = await ctx.deps.db.transaction((tx) =>
      usageBilling.billClosingPeriod(
        tx,
        w.merchant,
        {
          subscriptionId: subId,
          customerId: w.customerId,
          pricingModelId: w.pricingModelId,
          billingPeriodId: january?.id ?? "",
          startDate: new Date(PERIOD_START),
          endDate: new Date(PERIOD_END),
        },
        clock.now(),
      ),
    );
    expect(again).toEqual([]);
    expect(await creditLedger(ctx, w.customerId)).toHaveLength(1);
  });

  it("bills an event counted toward a period already invoiced on the next renewal, with that period's credits", async () => {
    const { w, subId } = await subscribed();
    await planCredits(ctx, w, {
      slug: "calls-monthly",
      meter: w.calls,
      amount: 100,
      renewalFrequency: "every_billing_period",
    });
    const januaryId = await currentPeriodId(ctx, subId);
    await use(w, subId, "calls", 60);
    await renewAt(w, subId, PERIOD_END + 60_000);
    expect(
      (await renewalInvoice(ctx, subId, PERIOD_END)).usage.map((l) => [l.quantity, l.creditsApplied]),
    ).toEqual([[0, 60]]);

    clock.set(new Date(PERIOD_END + 2 * DAY));
    const februaryId = await currentPeriodId(ctx, subId);
    // Raced past January's invoice: it still counts toward January.
    await use(w, subId, "calls", 70, { billingPeriodId: januaryId });
    await use(w, subId, "calls", 100);
    await renewAt(w, subId, MARCH + 60_000);

    const march = await renewalInvoice(ctx, subId, MARCH);
    // January's unused 40 covers 40 of the late 70; February's 100 covers February's 100.
    expect(march.usage.map((l) => [l.priceId, l.quantity, l.creditsApplied, l.billingPeriodId])).toEqual([
      [w.callsPrice.id, 1, 140, februaryId],
    ]);
    expect(march.invoice.total).toBe(1999 + 3);
    const ledger = await creditLedger(ctx, w.customerId);
    const janKey = expect.stringMatching(new RegExp(`^grant:.+:${PERIOD_START}$`));
    const febKey = expect.stringMatching(new RegExp(`^grant:.+:${PERIOD_END}$`));
    expect(ledger).toEqual([
      [janKey, januaryId, 60],
      [janKey, februaryId, 40],
      [febKey, februaryId, 100],
    ]);
  });

  it("bills usage recorded while a renewal runs exactly once, on this invoice or the next", async () => {
    const { w, subId } = await subscribed();
    const perCall = await usagePrice(ctx, w, w.calls, { unitPrice: 1 });
    const record = () =>
      recordUsage(ctx, w.merchant, { subscriptionId: subId, meter: w.calls, price: perCall, amount: 1 });
    for (let i = 0; i < 5; i++) await record();
    clock.set(new Date(PERIOD_END + 60_000));
    const [renewed] = await Promise.all([
      renewSubscription(ctx.deps, w.merchant, subId),
      ...Array.from({ length: 20 }, record),
    ]);
    expect(renewed?.status).toBe("active");
    await renewAt(w, subId, MARCH + 60_000);
    const billed = [
      ...(await renewalInvoice(ctx, subId, PERIOD_END)).usage,
      ...(await renewalInvoice(ctx, subId, MARCH)).usage,
    ].reduce((sum, l) => sum + l.quantity, 0);
    expect(billed).toBe(25);
    const totals = await ctx.deps.db
      .select()
      .from(usagePeriodTotals)
      .where(eq(usagePeriodTotals.subscriptionId, subId));
    expect(totals.every((t) => t.billedTotal === t.total)).toBe(true);
    expect(totals.reduce((sum, t) => sum + t.eventCount, 0)).toBe(25);
  });
});
