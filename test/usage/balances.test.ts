import { FlowgladServer } from "@flowglad/server";
import { describe, expect, it } from "vitest";
import { renewSubscription } from "../../src/subscriptions/index.js";
import {
  anyMs,
  buyTopUp,
  DAY,
  listen,
  PERIOD_END,
  PERIOD_START,
  planCredits,
  recordUsage,
  settableClock,
  subscribe,
  testContext,
  topUpProduct,
  type UsageWorld,
  usageWorld,
} from "../support/index.js";

const clock = settableClock();
const base = await testContext();
// Served on a real port too, for @flowglad/server; the app reads publicUrl per request.
const config = { ...base.deps.config };
const ctx = await testContext({ now: clock.now, config });
const { url: baseUrl } = await listen(ctx.app.fetch);
config.publicUrl = baseUrl;

/** A world with 100 calls a period and 50 once on its plan, subscribed, the clock on 10 January. */
async function subscribed() {
  clock.set(new Date(PERIOD_START - DAY));
  const w = await usageWorld(ctx);
  await planCredits(ctx, w, {
    slug: "calls-monthly",
    meter: w.calls,
    amount: 100,
    renewalFrequency: "every_billing_period",
  });
  await planCredits(ctx, w, { slug: "calls-once", meter: w.calls, amount: 50, renewalFrequency: "once" });
  const { subscription } = await subscribe(ctx, w);
  clock.set(new Date(PERIOD_START + 10 * DAY));
  return { w, subId: subscription.id };
}

const calls = (w: UsageWorld, subscriptionId: string, amount: number) =>
  recordUsage(ctx, w.merchant, { subscriptionId, meter: w.calls, price: w.callsPrice, amount });

async function balances(w: UsageWorld, query = "", key = w.key) {
  return ctx.api("GET", `/api/v1/customers/${w.externalId}/usage-balances${query}`, { key });
}

/** [subscriptionId, meter slug, availableBalance] of each balance. */
async function numbers(w: UsageWorld, query = "") {
  const res = await balances(w, query);
  expect(res.status).toBe(200);
  return (
    res.body.usageMeterBalances as { subscriptionId: string; slug: string; availableBalance: number }[]
  ).map((b) => [b.subscriptionId, b.slug, b.availableBalance]);
}

describe("usage balances", () => {
  it("is credits available now less the period's usage, down to overage, on every meter of the plan", async () => {
    const { w, subId } = await subscribed();
    expect(await numbers(w)).toEqual([
      [subId, "api-calls", 150],
      [subId, "seats", 0],
    ]);
    await calls(w, subId, 30);
    const res = await balances(w);
    expect(res.body.usageMeterBalances).toEqual([
      {
        id: w.calls.id,
        aggregationType: "sum",
        availableBalance: 120,
        createdAt: anyMs(),
        livemode: false,
        name: "API calls",
        organizationId: w.merchant.organizationId,
        pricingModelId: w.pricingModelId,
        slug: "api-calls",
        subscriptionId: subId,
        updatedAt: anyMs(),
      },
      expect.objectContaining({
        id: w.seats.id,
        aggregationType: "count_distinct_properties",
        availableBalance: 0,
      }),
    ]);
    await calls(w, subId, 170);
    await recordUsage(ctx, w.merchant, {
      subscriptionId: subId,
      meter: w.seats,
      price: w.seatsPrice,
      amount: 1,
      properties: { user: "ada" },
    });
    expect(await numbers(w)).toEqual([
      [subId, "api-calls", -50],
      [subId, "seats", -1],
    ]);

    // The renewal bills January's overage; February starts with its own 100 and nothing of the once 50 left.
    clock.set(new Date(PERIOD_END + 60_000));
    expect((await renewSubscription(ctx.deps, w.merchant, subId))?.status).toBe("active");
    expect(await numbers(w)).toEqual([
      [subId, "api-calls", 100],
      [subId, "seats", 0],
    ]);
  });

  it("counts the customer's top-ups toward each current subscription, until they are refunded", async () => {
    const { w, subId } = await subscribed();
    const other = await subscribe(ctx, w, { card: null });
    const pack = await topUpProduct(ctx, w, w.calls, 40);
    const { payment } = await buyTopUp(ctx, w, pack.priceId, 2);
    await calls(w, other.subscription.id, 10);
    // Newest subscription first, as the billing view lists them.
    expect(await numbers(w)).toEqual([
      [other.subscription.id, "api-calls", 150 + 80 - 10],
      [other.subscription.id, "seats", 0],
      [subId, "api-calls", 150 + 80],
      [subId, "seats", 0],
    ]);
    expect(await numbers(w, `?subscriptionId=${subId}`)).toEqual([
      [subId, "api-calls", 230],
      [subId, "seats", 0],
    ]);
    const refund = await ctx.api("POST", `/api/v1/payments/${payment.id}/refund`, { key: w.key, body: {} });
    expect(refund.status).toBe(200);
    expect(await numbers(w, `?subscriptionId=${subId}`)).toEqual([
      [subId, "api-calls", 150],
      [subId, "seats", 0],
    ]);
  });

  it("matches the billing view and what @flowglad/server's checkUsageBalance and getUsageMeterBalances read", async () => {
    const { w, subId } = await subscribed();
    await calls(w, subId, 30);
    const billing = await ctx.api("GET", `/api/v1/customers/${w.externalId}/billing`, { key: w.key });
    expect(billing.status).toBe(200);
    expect(billing.body.currentSubscriptions[0].experimental.usageMeterBalances).toEqual(
      (await balances(w)).body.usageMeterBalances,
    );

    const server = new FlowgladServer({
      customerExternalId: w.externalId,
      getCustomerDetails: async () => ({ name: "Ada", email: "ada@example.com" }),
      apiKey: w.key,
      baseURL: baseUrl,
    });
    const checked = (await server.getBilling()).checkUsageBalance("api-calls");
    expect(checked).toMatchObject({ availableBalance: 120, subscriptionId: subId, slug: "api-calls" });
    expect((await server.getBilling()).checkUsageBalance("no-such-meter")).toBeNull();
    const listed = await server.getUsageMeterBalances({ subscriptionId: subId });
    expect(listed.usageMeterBalances.map((b) => [b.slug, b.availableBalance])).toEqual([
      ["api-calls", 120],
      ["seats", 0],
    ]);
  });

  it("is not found for another customer's subscription, another organization or the other mode", async () => {
    const { w, subId } = await subscribed();
    clock.set(new Date(PERIOD_START - DAY));
    const stranger = await usageWorld(ctx);
    const theirs = await subscribe(ctx, stranger, { card: null });
    clock.set(new Date(PERIOD_START + 10 * DAY));

    const foreign = await balances(w, `?subscriptionId=${theirs.subscription.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe("NOT_FOUND");
    expect((await balances(w, "?subscriptionId=sub_missing")).status).toBe(404);
    // The stranger's key does not see this customer, nor does this merchant's live key.
    expect((await balances(w, "", stranger.key)).status).toBe(404);
    expect((await balances(w, "", w.m.liveKey)).status).toBe(404);
    expect((await balances(w, `?subscriptionId=${subId}`)).status).toBe(200);
  });

  it("lists no balance for a customer without a current subscription", async () => {
    const { w, subId } = await subscribed();
    const canceled = await ctx.api("POST", `/api/v1/subscriptions/${subId}/cancel`, {
      key: w.key,
      body: { cancellation: { timing: "immediately" } },
    });
    expect(canceled.status).toBe(200);
    expect(await numbers(w)).toEqual([]);
  });
});
