import { describe, expect, it } from "vitest";
import {
  adjust,
  adjustFixture,
  clock,
  DAY,
  eventsFor,
  itemsOf,
  PERIOD_START,
  subscribe,
  subscriptionRow,
  testContext,
} from "../support/index.js";

const ctx = await testContext({ now: () => new Date(clock.now) });

const one = (item: Record<string, unknown>, timing = "immediately") => ({
  timing,
  newSubscriptionItems: [item],
});

/** Nothing about the subscription moved: same price, one untouched item, no event after its creation. */
async function expectUnchanged(subscriptionId: string, priceId: string) {
  expect(await subscriptionRow(ctx, subscriptionId)).toMatchObject({ priceId });
  const items = await itemsOf(ctx, subscriptionId);
  expect(items).toHaveLength(1);
  expect(items[0]).toMatchObject({ priceId, expiredAt: null });
  expect((await eventsFor(ctx, subscriptionId)).map((e) => e.type)).toEqual(["subscription.created"]);
}

describe("adjust validation", () => {
  it("resolves priceSlug in the subscription's own pricing model, not the default one", async () => {
    clock.now = PERIOD_START + 2 * DAY;
    const f = await adjustFixture(ctx);
    const { subscription } = await subscribe(ctx, f, { card: null });
    // Another pricing model becomes the default and has a price with the same slug.
    const other = await ctx.api("POST", "/api/v1/pricing-models", {
      key: f.key,
      body: { pricingModel: { name: "Other", isDefault: true } },
    });
    const decoy = await ctx.api("POST", "/api/v1/products", {
      key: f.key,
      body: {
        product: { name: "Decoy", pricingModelId: other.body.pricingModel.id },
        price: { type: "subscription", unitPrice: 7777, intervalUnit: "month", slug: "pro-premium" },
      },
    });
    expect(decoy.status).toBe(200);

    const res = await adjust(ctx, f.key, subscription.id, one({ priceSlug: "pro-premium", quantity: 2 }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.subscription.priceId).toBe(f.premium.id);
    expect(res.body.subscriptionItems).toEqual([
      expect.objectContaining({ priceId: f.premium.id, quantity: 2, unitPrice: 4999 }),
    ]);

    const unknown = await adjust(ctx, f.key, subscription.id, one({ priceSlug: "no-such-plan" }));
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("NOT_FOUND");
  });

  it("rejects malformed and unsuitable plans with 400 and leaves the subscription alone", async () => {
    clock.now = PERIOD_START + 2 * DAY;
    const f = await adjustFixture(ctx);
    const { subscription } = await subscribe(ctx, f);
    const meter = await ctx.api("POST", "/api/v1/usage-meters", {
      key: f.key,
      body: { usageMeter: { name: "Calls", slug: "calls", pricingModelId: f.pricingModelId } },
    });
    expect(meter.status, JSON.stringify(meter.body)).toBe(200);
    const usage = await ctx.api("POST", "/api/v1/prices", {
      key: f.key,
      body: {
        price: {
          type: "usage",
          pricingModelId: f.pricingModelId,
          unitPrice: 5,
          intervalUnit: "month",
          usageMeterId: meter.body.usageMeter.id,
        },
      },
    });
    expect(usage.status, JSON.stringify(usage.body)).toBe(200);
    const retired = await ctx.api("POST", "/api/v1/prices", {
      key: f.key,
      body: {
        price: {
          type: "subscription",
          productId: f.monthly.productId,
          unitPrice: 2999,
          intervalUnit: "month",
        },
      },
    });
    const off = await ctx.api("PUT", `/api/v1/prices/${retired.body.price.id}`, {
      key: f.key,
      body: { price: { active: false } },
    });
    expect(off.status, JSON.stringify(off.body)).toBe(200);

    const euro = await ctx.api("POST", "/api/v1/prices", {
      key: f.key,
      body: {
        price: {
          type: "subscription",
          productId: f.monthly.productId,
          unitPrice: 1799,
          currency: "EUR",
          intervalUnit: "month",
        },
      },
    });
    expect(euro.status, JSON.stringify(euro.body)).toBe(200);
    const cases: [string, unknown, RegExp][] = [
      [
        "a price twice, once by id and once by slug",
        {
          timing: "immediately",
          newSubscriptionItems: [{ priceId: f.premium.id }, { priceSlug: "pro-premium", quantity: 2 }],
        },
        /newSubscriptionItems\[1\] names price .* again \(as newSubscriptionItems\[0\] does\)/,
      ],
      [
        "a second item of another interval",
        {
          timing: "immediately",
          newSubscriptionItems: [{ priceId: f.premium.id }, { priceId: f.yearly.id }],
        },
        /^newSubscriptionItems\[1\]: .*interval/,
      ],
      [
        "a second item in another currency",
        {
          timing: "immediately",
          newSubscriptionItems: [{ priceId: f.monthly.id }, { priceId: euro.body.price.id }],
        },
        /^newSubscriptionItems\[1\]: .*is in EUR, but .* is billed in USD/,
      ],
      ["no items", { timing: "immediately", newSubscriptionItems: [] }, /at least one item/],
      [
        "id and slug",
        one({ priceId: f.premium.id, priceSlug: "pro-premium" }),
        /exactly one of priceId or priceSlug/,
      ],
      ["neither id nor slug", one({ quantity: 2 }), /exactly one of priceId or priceSlug/],
      ["yearly price on a monthly plan", one({ priceId: f.yearly.id }), /interval/],
      ["usage price", one({ priceId: usage.body.price.id }), /usage price/],
      ["one-time price", one({ priceId: f.oneTime.id }), /single_payment price/],
      ["inactive price", one({ priceId: retired.body.price.id }), /not active/],
      ["quantity 0", one({ priceId: f.premium.id, quantity: 0 }), /quantity/],
      ["quantity 10001", one({ priceId: f.premium.id, quantity: 10_001 }), /quantity/],
      ["fractional quantity", one({ priceId: f.premium.id, quantity: 1.5 }), /quantity/],
      ["unknown timing", one({ priceId: f.premium.id }, "tomorrow"), /timing/],
      [
        "prorate not a boolean",
        { ...one({ priceId: f.premium.id }), prorateCurrentBillingPeriod: "yes" },
        /prorate/,
      ],
    ];
    for (const [what, adjustment, message] of cases) {
      const res = await adjust(ctx, f.key, subscription.id, adjustment);
      expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.code, what).toBe("BAD_REQUEST");
      expect(res.body.message, what).toMatch(message);
    }
    const unwrapped = await ctx.api("POST", `/api/v1/subscriptions/${subscription.id}/adjust`, {
      key: f.key,
      body: one({ priceId: f.premium.id }),
    });
    expect(unwrapped.status).toBe(400);
    await expectUnchanged(subscription.id, f.monthly.id);
  });

  it("does not find prices of another organization or of the other mode", async () => {
    clock.now = PERIOD_START + 2 * DAY;
    const f = await adjustFixture(ctx);
    const outsider = await adjustFixture(ctx);
    // The same organization's live catalog, with the same slug.
    const pm = await ctx.api("POST", "/api/v1/pricing-models", {
      key: f.m.liveKey,
      body: { pricingModel: { name: "Live", isDefault: true } },
    });
    const product = await ctx.api("POST", "/api/v1/products", {
      key: f.m.liveKey,
      body: {
        product: { name: "Live Pro", pricingModelId: pm.body.pricingModel.id },
        price: { type: "subscription", unitPrice: 4999, intervalUnit: "month", slug: "pro-premium" },
      },
    });
    const live = (await ctx.api("GET", `/api/v1/products/${product.body.product.id}`, { key: f.m.liveKey }))
      .body.defaultPrice.id as string;
    const { subscription } = await subscribe(ctx, f);
    for (const priceId of [outsider.premium.id, live]) {
      const res = await adjust(ctx, f.key, subscription.id, one({ priceId }));
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
    }
    await expectUnchanged(subscription.id, f.monthly.id);
  });

  it("refuses subscriptions that are canceled, scheduled to cancel or incomplete with 409", async () => {
    clock.now = PERIOD_START + 2 * DAY;
    const f = await adjustFixture(ctx);
    const scheduled = (await subscribe(ctx, f)).subscription;
    const canceled = (await subscribe(ctx, f)).subscription;
    const incomplete = (await subscribe(ctx, f, { status: "incomplete", card: null })).subscription;
    const cancel = (id: string, timing: string) =>
      ctx.api("POST", `/api/v1/subscriptions/${id}/cancel`, {
        key: f.key,
        body: { cancellation: { timing } },
      });
    expect((await cancel(scheduled.id, "at_end_of_current_billing_period")).status).toBe(200);
    expect((await cancel(canceled.id, "immediately")).status).toBe(200);

    const cases: [string, RegExp][] = [
      [scheduled.id, /uncancel/],
      [canceled.id, /canceled/],
      [incomplete.id, /incomplete/],
    ];
    for (const [id, message] of cases) {
      const res = await adjust(ctx, f.key, id, one({ priceId: f.premium.id }));
      expect(res.status).toBe(409);
      expect(res.body.code).toBe("CONFLICT");
      expect(res.body.message).toMatch(message);
      // Deterministic: the official client must not retry it.
      expect(res.headers.get("x-should-retry")).toBe("false");
      expect((await subscriptionRow(ctx, id)).priceId).toBe(f.monthly.id);
    }
  });

  it("hides the subscription from another organization and from the live key", async () => {
    clock.now = PERIOD_START + 2 * DAY;
    const f = await adjustFixture(ctx);
    const { subscription } = await subscribe(ctx, f);
    const outsider = await ctx.merchant();
    for (const key of [outsider.testKey, f.m.liveKey]) {
      const res = await adjust(ctx, key, subscription.id, one({ priceId: f.premium.id }));
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
    }
    const unknown = await adjust(ctx, f.key, "sub_nope", one({ priceId: f.premium.id }));
    expect(unknown.status).toBe(404);
    await expectUnchanged(subscription.id, f.monthly.id);
  });
});
