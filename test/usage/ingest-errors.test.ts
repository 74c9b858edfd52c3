import { describe, expect, it } from "vitest";
import {
  type ApiResult,
  eventsOf,
  meterWithPrice,
  newTransactionId,
  ok,
  postUsageEvent,
  subscribeWithoutCharge,
  testContext,
  totalsOf,
  type UsageFixture,
  usageFixture,
} from "../support/index.js";

/** Every refusal of POST /usage-events: a 4xx in the Flowglad error shape, and nothing written. */
const ctx = await testContext();

const f = await usageFixture(ctx);
/** Another organization with everything the fixture has. */
const other = await usageFixture(ctx);
/** The fixture's own organization in live mode. */
const live = await usageFixture(ctx, { live: true });
/** A second pricing model of the fixture's organization, with a meter of the same name. */
const otherModel = await ok(
  ctx.api("POST", "/api/v1/pricing-models", { key: f.key, body: { pricingModel: { name: "Legacy" } } }),
);
const otherModelMeter = await meterWithPrice(
  ctx,
  f,
  { name: "Legacy calls" },
  { unitPrice: 1 },
  otherModel.pricingModel.id,
);

function expectRefused(res: ApiResult, status: number, code: string, message?: RegExp) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("x-should-retry")).toBe("false");
  expect(res.body).toMatchObject({
    code,
    message: expect.any(String),
    error: expect.any(String),
    request_id: expect.any(String),
  });
  if (message) expect(res.body.message).toMatch(message);
}

async function expectNothingWritten(fx: UsageFixture) {
  expect((await eventsOf(ctx, fx.subscriptionId)).events).toEqual([]);
  expect(await totalsOf(ctx, fx.subscriptionId)).toEqual([]);
}

const valid = (fields: Record<string, unknown> = {}) => ({
  amount: 1,
  subscriptionId: f.subscriptionId,
  transactionId: newTransactionId(),
  usageMeterId: f.sum.id,
  ...fields,
});

describe("bodies the schema refuses (400)", () => {
  const deep = JSON.parse(`${'{"a":'.repeat(9)}1${"}".repeat(9)}`);
  const cases: [string, Record<string, unknown>][] = [
    ["no target", { usageMeterId: undefined }],
    ["two targets", { priceId: f.sum.priceId }],
    ["all four targets", { priceId: f.sum.priceId, priceSlug: "x", usageMeterSlug: "y" }],
    ["amount 0", { amount: 0 }],
    ["a negative amount", { amount: -5 }],
    ["a fractional amount", { amount: 1.5 }],
    ["an amount beyond the safe integers", { amount: Number.MAX_SAFE_INTEGER + 2 }],
    ["an amount as a string", { amount: "5" }],
    ["no subscriptionId", { subscriptionId: undefined }],
    ["no transactionId", { transactionId: undefined }],
    ["an empty transactionId", { transactionId: "" }],
    ["a NUL in the transactionId", { transactionId: "a\u0000b" }],
    ["a NUL in the properties", { properties: { "k\u0000": 1 } }],
    ["a lone surrogate in the properties", { properties: { k: "\ud800" } }],
    ["properties nested too deep", { properties: deep }],
    ["properties as an array", { properties: [1, 2] }],
    ["a negative usageDate", { usageDate: -1 }],
    ["a usageDate past year 9999", { usageDate: 253_402_300_800_000 }],
    ["a usageDate as a string", { usageDate: "2026-01-01" }],
  ];
  it.each(cases)("%s", async (_what, fields) => {
    const res = await postUsageEvent(ctx, f.key, valid(fields));
    expectRefused(res, 400, "BAD_REQUEST");
    await expectNothingWritten(f);
  });

  it("no usageEvent wrapper", async () => {
    const res = await ctx.api("POST", "/api/v1/usage-events", { key: f.key, body: valid() });
    expectRefused(res, 400, "BAD_REQUEST");
    await expectNothingWritten(f);
  });
});

describe("what the event names must be the merchant's, in this mode (404)", () => {
  const cases: [string, () => Record<string, unknown>, RegExp][] = [
    ["a subscription that does not exist", () => ({ subscriptionId: "sub_doesnotexist" }), /Subscription/],
    ["another organization's subscription", () => ({ subscriptionId: other.subscriptionId }), /Subscription/],
    ["the live mode's subscription", () => ({ subscriptionId: live.subscriptionId }), /Subscription/],
    ["another organization's meter", () => ({ usageMeterId: other.sum.id }), /Usage meter/],
    ["the live mode's meter", () => ({ usageMeterId: live.sum.id }), /Usage meter/],
    [
      "another organization's price",
      () => ({ usageMeterId: undefined, priceId: other.sum.priceId }),
      /Price/,
    ],
    ["the live mode's price", () => ({ usageMeterId: undefined, priceId: live.sum.priceId }), /Price/],
    ["an unknown price slug", () => ({ usageMeterId: undefined, priceSlug: "nope" }), /slug "nope"/],
    ["an unknown meter slug", () => ({ usageMeterId: undefined, usageMeterSlug: "nope" }), /slug "nope"/],
    [
      "a price slug of another pricing model",
      () => ({ usageMeterId: undefined, priceSlug: otherModelMeter.priceSlug }),
      /slug/,
    ],
    [
      "a meter slug of another organization",
      () => ({ usageMeterId: undefined, usageMeterSlug: other.sum.slug }),
      /slug/,
    ],
  ];
  it.each(cases)("%s", async (_what, fields, message) => {
    const res = await postUsageEvent(ctx, f.key, valid(fields()));
    expectRefused(res, 404, "NOT_FOUND", message);
    await expectNothingWritten(f);
    await expectNothingWritten(other);
    await expectNothingWritten(live);
  });

  it("the other mode's key cannot record against the test-mode subscription", async () => {
    const res = await postUsageEvent(ctx, f.m.liveKey, valid());
    expectRefused(res, 404, "NOT_FOUND", /Subscription/);
    await expectNothingWritten(f);
  });
});

describe("targets that cannot count usage for this subscription (400)", () => {
  const cases: [string, () => Record<string, unknown>, RegExp][] = [
    [
      "a subscription price",
      () => ({ usageMeterId: undefined, priceId: f.monthly.id }),
      /subscription price; usage events need a usage price/,
    ],
    [
      "a single-payment price by slug",
      () => ({ usageMeterId: undefined, priceSlug: "pro-once" }),
      /single_payment price/,
    ],
    [
      "a usage price of another pricing model",
      () => ({ usageMeterId: undefined, priceId: otherModelMeter.priceId }),
      /not to the subscription's/,
    ],
    [
      "a meter of another pricing model",
      () => ({ usageMeterId: otherModelMeter.id }),
      /not to the subscription's/,
    ],
    [
      "a distinct-counting meter without properties",
      () => ({ usageMeterId: f.distinct.id }),
      /counts distinct properties/,
    ],
    [
      "a distinct-counting meter with null properties",
      () => ({ usageMeterId: undefined, priceSlug: f.distinct.priceSlug, properties: null }),
      /counts distinct properties/,
    ],
  ];
  it.each(cases)("%s", async (_what, fields, message) => {
    const res = await postUsageEvent(ctx, f.key, valid(fields()));
    expectRefused(res, 400, "BAD_REQUEST", message);
    await expectNothingWritten(f);
  });
});

describe("a subscription that is not current", () => {
  it("refuses a canceled subscription's usage", async () => {
    const g = await usageFixture(ctx);
    await ok(
      ctx.api("POST", `/api/v1/subscriptions/${g.subscriptionId}/cancel`, {
        key: g.key,
        body: { cancellation: { timing: "immediately" } },
      }),
      "cancel",
    );
    const res = await postUsageEvent(ctx, g.key, {
      amount: 1,
      subscriptionId: g.subscriptionId,
      transactionId: newTransactionId(),
      usageMeterId: g.sum.id,
    });
    expectRefused(res, 400, "BAD_REQUEST", /is canceled; usage is recorded only for a current subscription/);
    await expectNothingWritten(g);
  });

  it("refuses an incomplete subscription (not yet paid for)", async () => {
    const g = await usageFixture(ctx);
    const incomplete = await ok(
      ctx.api("POST", "/api/v1/subscriptions", {
        key: g.key,
        body: { customerId: g.customerId, priceId: g.monthly.id },
      }),
    );
    expect(incomplete.subscription.status).toBe("incomplete");
    const res = await postUsageEvent(ctx, g.key, {
      amount: 1,
      subscriptionId: incomplete.subscription.id,
      transactionId: newTransactionId(),
      usageMeterId: g.sum.id,
    });
    expectRefused(res, 400, "BAD_REQUEST", /is incomplete/);
    expect(await totalsOf(ctx, incomplete.subscription.id)).toEqual([]);
  });

  it("a repeated transactionId still answers the first event after the subscription was canceled", async () => {
    const g = await usageFixture(ctx);
    const body = {
      amount: 4,
      subscriptionId: g.subscriptionId,
      transactionId: newTransactionId(),
      usageMeterId: g.sum.id,
    };
    const first = await ok(postUsageEvent(ctx, g.key, body));
    await ok(
      ctx.api("POST", `/api/v1/subscriptions/${g.subscriptionId}/cancel`, {
        key: g.key,
        body: { cancellation: { timing: "immediately" } },
      }),
    );
    expect(await ok(postUsageEvent(ctx, g.key, body))).toEqual(first);
    expect(await totalsOf(ctx, g.subscriptionId)).toEqual([
      [g.billingPeriodId, g.sum.id, g.sum.priceId, 4, 1],
    ]);
    const fresh = await postUsageEvent(ctx, g.key, { ...body, transactionId: newTransactionId() });
    expectRefused(fresh, 400, "BAD_REQUEST");
  });

  it("records for a second current subscription of the same customer", async () => {
    const g = await usageFixture(ctx);
    const second = await subscribeWithoutCharge(ctx, g);
    const event = await ok(
      postUsageEvent(ctx, g.key, {
        amount: 2,
        subscriptionId: second.id,
        transactionId: newTransactionId(),
        usageMeterId: g.sum.id,
      }),
    );
    expect(event.usageEvent.subscriptionId).toBe(second.id);
    await expectNothingWritten(g);
  });
});
