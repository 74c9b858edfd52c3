import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { renewSubscription } from "../../src/subscriptions/index.js";
import { usageBilling } from "../../src/usage/index.js";
import {
  buyTopUp,
  creditLedger,
  currentPeriodId,
  DAY,
  PERIOD_END,
  PERIOD_START,
  type PriceRow,
  periodsOf,
  planCredits,
  recordUsage,
  renewalInvoice,
  settableClock,
  subscribe,
  testContext,
  topUpProduct,
  type UsageWorld,
  usagePrice,
  usageWorld,
} from "../support/index.js";

const clock = settableClock();
const ctx = await testContext({ now: clock.now });
const MARCH = Date.parse("2030-03-01T00:00:00Z");
const APRIL = Date.parse("2030-04-01T00:00:00Z");

/** A world whose calls are billed 2 cents each, an active subscription to its plan, the clock on 10 January. */
async function subscribed() {
  clock.set(new Date(PERIOD_START - DAY));
  const w = await usageWorld(ctx);
  const perCall = await usagePrice(ctx, w, w.calls, { unitPrice: 2, name: "Calls" });
  const { subscription } = await subscribe(ctx, w);
  clock.set(new Date(PERIOD_START + 10 * DAY));
  return { w, perCall, subId: subscription.id };
}

/** Records `calls` calls at `at`, then renews at `renewal`: the renewal invoice's usage line as [quantity, credits]. */
async function monthOf(
  s: { w: UsageWorld; perCall: PriceRow; subId: string },
  at: number,
  calls: number,
  renewal: number,
) {
  clock.set(new Date(at));
  await recordUsage(ctx, s.w.merchant, {
    subscriptionId: s.subId,
    meter: s.w.calls,
    price: s.perCall,
    amount: calls,
  });
  clock.set(new Date(renewal + 60_000));
  expect((await renewSubscription(ctx.deps, s.w.merchant, s.subId))?.status).toBe("active");
  const { usage } = await renewalInvoice(ctx, s.subId, renewal);
  return usage.map((l) => [l.quantity, l.creditsApplied]);
}

describe("credits on renewal invoices", () => {
  it("gives periodic credits afresh each period; what a period leaves unused expires with it", async () => {
    const s = await subscribed();
    await planCredits(ctx, s.w, {
      slug: "calls-monthly",
      meter: s.w.calls,
      amount: 100,
      renewalFrequency: "every_billing_period",
    });
    expect(await monthOf(s, PERIOD_START + 5 * DAY, 150, PERIOD_END)).toEqual([[50, 100]]);
    expect(await monthOf(s, PERIOD_END + 5 * DAY, 80, MARCH)).toEqual([[0, 80]]);
    // February's unused 20 is gone: March has its own 100 and no more.
    expect(await monthOf(s, MARCH + 5 * DAY, 120, APRIL)).toEqual([[20, 100]]);
    const periods = await periodsOf(ctx, s.subId);
    expect(await creditLedger(ctx, s.w.customerId)).toEqual(
      [
        [PERIOD_START, 100],
        [PERIOD_END, 80],
        [MARCH, 100],
      ].map(([start, amount], i) => [
        expect.stringMatching(new RegExp(`^grant:sub_feature_\\w+:${start}$`)),
        periods[i]?.id,
        amount,
      ]),
    );
  });

  it("carries a once grant over periods until it is used up", async () => {
    const s = await subscribed();
    await planCredits(ctx, s.w, {
      slug: "calls-once",
      meter: s.w.calls,
      amount: 300,
      renewalFrequency: "once",
    });
    expect(await monthOf(s, PERIOD_START + 5 * DAY, 100, PERIOD_END)).toEqual([[0, 100]]);
    expect(await monthOf(s, PERIOD_END + 5 * DAY, 150, MARCH)).toEqual([[0, 150]]);
    expect(await monthOf(s, MARCH + 5 * DAY, 100, APRIL)).toEqual([[50, 50]]);
    const ledger = await creditLedger(ctx, s.w.customerId);
    expect(new Set(ledger.map(([key]) => key)).size).toBe(1);
    expect(ledger.map(([key, , amount]) => [String(key).split(":").length, amount])).toEqual([
      [2, 100],
      [2, 150],
      [2, 50],
    ]);
  });

  it("uses the period's credits first, then once-grants and top-ups oldest first", async () => {
    const s = await subscribed();
    clock.set(new Date(PERIOD_START + DAY)); // the grants come first, then the packs
    await planCredits(ctx, s.w, {
      slug: "calls-monthly",
      meter: s.w.calls,
      amount: 100,
      renewalFrequency: "every_billing_period",
    });
    await planCredits(ctx, s.w, {
      slug: "calls-once",
      meter: s.w.calls,
      amount: 50,
      renewalFrequency: "once",
    });
    clock.set(new Date(PERIOD_START + 2 * DAY));
    const pack = await topUpProduct(ctx, s.w, s.w.calls, 40);
    const first = await buyTopUp(ctx, s.w, pack.priceId, 2); // 80 credits
    clock.set(new Date(PERIOD_START + 3 * DAY));
    const second = await buyTopUp(ctx, s.w, pack.priceId, 1); // 40 credits
    expect(first.payment.amount).toBe(1000);

    // 240 = January's 100 + the once-grant's 50 + the first pack's 80 + 10 of the second pack.
    expect(await monthOf(s, PERIOD_START + 5 * DAY, 240, PERIOD_END)).toEqual([[0, 240]]);
    const january = await creditLedger(ctx, s.w.customerId);
    expect(january.map(([key, , amount]) => [String(key).replace(/_\w+/g, ""), amount])).toEqual([
      [`grant:sub:${PERIOD_START}`, 100],
      ["grant:sub", 50],
      [`purchase:prch:product`, 80],
      [`purchase:prch:product`, 10],
    ]);
    expect(january[2]?.[0]).toMatch(new RegExp(`^purchase:${first.purchase.id}:`));
    expect(january[3]?.[0]).toMatch(new RegExp(`^purchase:${second.purchase.id}:`));

    // February: its own 100 first; March: its 100, then the 30 left of the second pack, then billed.
    expect(await monthOf(s, PERIOD_END + 5 * DAY, 100, MARCH)).toEqual([[0, 100]]);
    expect(await monthOf(s, MARCH + 5 * DAY, 140, APRIL)).toEqual([[10, 130]]);
    const { invoice } = await renewalInvoice(ctx, s.subId, APRIL);
    expect(invoice.total).toBe(1999 + 20);
  });

  it("withdraws what is left of a top-up whose payment was refunded in full", async () => {
    const s = await subscribed();
    clock.set(new Date(PERIOD_START + 2 * DAY));
    const pack = await topUpProduct(ctx, s.w, s.w.calls, 100);
    const kept = await buyTopUp(ctx, s.w, pack.priceId, 1);
    const refunded = await buyTopUp(ctx, s.w, pack.priceId, 1);
    const partly = await buyTopUp(ctx, s.w, pack.priceId, 1);
    const refund = (paymentId: string, body: Record<string, unknown> = {}) =>
      ctx.api("POST", `/api/v1/payments/${paymentId}/refund`, { key: s.w.key, body });
    expect((await refund(refunded.payment.id)).status).toBe(200);
    expect((await refund(partly.payment.id, { partialAmount: 100 })).status).toBe(200);

    // 250 calls: the kept pack's 100 and the partly refunded pack's 100 cover 200; 50 are billed.
    expect(await monthOf(s, PERIOD_START + 5 * DAY, 250, PERIOD_END)).toEqual([[50, 200]]);
    const ledger = await creditLedger(ctx, s.w.customerId);
    expect(ledger.map(([key]) => String(key).split(":")[1]).sort()).toEqual(
      [kept.purchase.id, partly.purchase.id].sort(),
    );
  });

  it("uses a top-up once when two subscriptions of the customer are billed at the same time", async () => {
    const s = await subscribed();
    const other = await subscribe(ctx, s.w);
    const pack = await topUpProduct(ctx, s.w, s.w.calls, 100);
    await buyTopUp(ctx, s.w, pack.priceId, 1);
    const subs = [s.subId, other.subscription.id];
    for (const subscriptionId of subs) {
      await recordUsage(ctx, s.w.merchant, {
        subscriptionId,
        meter: s.w.calls,
        price: s.perCall,
        amount: 80,
      });
    }
    const january = await currentPeriodId(ctx, s.subId);
    const otherJanuary = await currentPeriodId(ctx, other.subscription.id);
    const closing = (subscriptionId: string, billingPeriodId: string) => ({
      subscriptionId,
      customerId: s.w.customerId,
      pricingModelId: s.w.pricingModelId,
      billingPeriodId,
      startDate: new Date(PERIOD_START),
      endDate: new Date(PERIOD_END),
    });
    const now = new Date(PERIOD_END + 60_000);

    // The first billing holds its transaction open (credits applied, not committed) while the second starts.
    let commitFirst = () => {};
    const held = new Promise<void>((resolve) => {
      commitFirst = resolve;
    });
    let firstBilled = () => {};
    const billed = new Promise<void>((resolve) => {
      firstBilled = resolve;
    });
    const first = ctx.deps.db.transaction(async (tx) => {
      const lines = await usageBilling.billClosingPeriod(tx, s.w.merchant, closing(s.subId, january), now);
      firstBilled();
      await held;
      return lines;
    });
    await billed;
    let secondDone = false;
    const second = ctx.deps.db
      .transaction((tx) =>
        usageBilling.billClosingPeriod(tx, s.w.merchant, closing(other.subscription.id, otherJanuary), now),
      )
      .finally(() => {
        secondDone = true;
      });
    // Until the second is done or waits for the first: it must not decide with the first's credits unseen.
    const deadline = Date.now() + 60_000;
    while (!secondDone && !(await waitsForCustomerCredits(s.w.customerId))) {
      if (Date.now() > deadline) throw new Error("the second billing neither finished nor waited");
    }
    commitFirst();
    const lines = [...(await first), ...(await second)];
    // 160 calls, 100 of them covered by the pack: the first billing took 80, the second the last 20.
    expect(lines.map((l) => [l.quantity, l.creditsApplied])).toEqual([
      [0, 80],
      [60, 20],
    ]);
    expect((await creditLedger(ctx, s.w.customerId)).map(([, , amount]) => amount)).toEqual([80, 20]);
  });
});

/** Whether a transaction is waiting for the lock that orders billings of this customer's credits. */
async function waitsForCustomerCredits(customerId: string): Promise<boolean> {
  const rows = (await ctx.deps.db.execute(
    sql`select count(*)::int as waiting from pg_locks
      where locktype = 'advisory' and not granted
        and ((classid::bigint << 32) | objid::bigint) = hashtextextended(${`usage_credits:${customerId}`}, 0)`,
  )) as unknown as { waiting: number }[];
  return (rows[0]?.waiting ?? 0) > 0;
}
