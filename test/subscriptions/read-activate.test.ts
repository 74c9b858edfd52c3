import { describe, expect, it } from "vitest";
import {
  activateSubscription,
  createSubscription,
  listSubscriptionDetailsForCustomer,
  setSubscriptionDefaultPaymentMethod,
} from "../../src/subscriptions/index.js";
import {
  type BillingFixture,
  billingFixture,
  eventsFor,
  periodsOf,
  postSubscription,
  savedCard,
  testContext,
} from "../support/index.js";

const ctx = await testContext();

describe("reading subscriptions", () => {
  it("retrieves and lists subscriptions, filtered by customer", async () => {
    const f = await billingFixture(ctx);
    const created = await postSubscription(ctx, f.key, {
      customerId: f.customerId,
      priceId: f.monthly.id,
      doNotCharge: true,
      name: "Main",
    });
    const id = created.body.subscription.id;
    const res = await ctx.api("GET", `/api/v1/subscriptions/${id}`, { key: f.key });
    expect(res.status).toBe(200);
    expect(res.body.subscription).toEqual(created.body.subscription);
    expect(Object.keys(res.body.subscription).sort()).toEqual(
      [
        "id",
        "customerId",
        "priceId",
        "pricingModelId",
        "organizationId",
        "status",
        "current",
        "renews",
        "interval",
        "intervalCount",
        "startDate",
        "createdAt",
        "updatedAt",
        "backupPaymentMethodId",
        "defaultPaymentMethodId",
        "cancellationReason",
        "name",
        "replacedBySubscriptionId",
        "doNotCharge",
        "isFreePlan",
        "runBillingAtPeriodStart",
        "livemode",
        "billingCycleAnchorDate",
        "currentBillingPeriodStart",
        "currentBillingPeriodEnd",
        "trialEnd",
        "canceledAt",
        "cancelScheduledAt",
        "metadata",
      ].sort(),
    );
    const customerB = await ctx.api("POST", "/api/v1/customers", {
      key: f.key,
      body: {
        customer: { email: "b@example.com", externalId: "b", name: "B", pricingModelId: f.pricingModelId },
      },
    });
    await postSubscription(ctx, f.key, {
      customerId: customerB.body.data.customer.id,
      priceId: f.monthly.id,
      doNotCharge: true,
    });
    const all = await ctx.api("GET", "/api/v1/subscriptions", { key: f.key });
    expect(all.body.total).toBe(2);
    const mine = await ctx.api("GET", `/api/v1/subscriptions?customerId=${f.customerId}`, { key: f.key });
    expect(mine.body.data.map((s: any) => s.id)).toEqual([id]);
  });

  it("hides subscriptions from other organizations and the other mode", async () => {
    const f = await billingFixture(ctx);
    const created = await postSubscription(ctx, f.key, {
      customerId: f.customerId,
      priceId: f.monthly.id,
      doNotCharge: true,
    });
    const stranger = await ctx.merchant();
    for (const key of [stranger.testKey, f.m.liveKey]) {
      const res = await ctx.api("GET", `/api/v1/subscriptions/${created.body.subscription.id}`, { key });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
      expect((await ctx.api("GET", "/api/v1/subscriptions", { key })).body.total).toBe(0);
      const attempt = await ctx.api("POST", "/api/v1/subscriptions", {
        key,
        body: { customerId: f.customerId, priceId: f.monthly.id },
      });
      expect(attempt.status).toBe(404);
    }
  });

  it("gives the billing view each subscription with its items and their prices", async () => {
    const f = await billingFixture(ctx);
    const created = await postSubscription(ctx, f.key, {
      customerId: f.customerId,
      priceId: f.monthly.id,
      quantity: 4,
      doNotCharge: true,
    });
    const details = await listSubscriptionDetailsForCustomer(
      ctx.deps.db,
      f.merchant,
      f.customerId,
      ctx.deps.now(),
    );
    expect(details).toHaveLength(1);
    expect(details[0]).toMatchObject({ id: created.body.subscription.id, status: "active" });
    expect(details[0]?.subscriptionItems).toHaveLength(1);
    expect(details[0]?.subscriptionItems[0]).toMatchObject({
      priceId: f.monthly.id,
      quantity: 4,
      unitPrice: 1999,
      type: "static",
      price: { id: f.monthly.id, unitPrice: 1999 },
    });
  });
});

describe("activateSubscription", () => {
  async function incomplete(f: BillingFixture) {
    const res = await postSubscription(ctx, f.key, { customerId: f.customerId, priceId: f.monthly.id });
    return res.body.subscription.id as string;
  }

  it("activates an incomplete subscription from now with the new card", async () => {
    const f = await billingFixture(ctx);
    const id = await incomplete(f);
    const card = await savedCard(ctx, f);
    const now = new Date("2030-01-31T08:00:00Z");
    const { subscription, billingPeriod } = await ctx.deps.db.transaction((tx) =>
      activateSubscription(tx, f.merchant, id, {
        defaultPaymentMethodId: card.id,
        preserveBillingCycleAnchor: false,
        now,
      }),
    );
    expect(subscription).toMatchObject({ status: "active", defaultPaymentMethodId: card.id });
    expect(subscription.billingCycleAnchorDate?.getTime()).toBe(now.getTime());
    expect(billingPeriod?.startDate.getTime()).toBe(now.getTime());
    expect(billingPeriod?.endDate.toISOString()).toBe("2030-02-28T08:00:00.000Z");
    expect(subscription.currentBillingPeriodEnd?.toISOString()).toBe("2030-02-28T08:00:00.000Z");
    expect((await eventsFor(ctx, id)).map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.updated",
    ]);

    await expect(
      ctx.deps.db.transaction((tx) =>
        activateSubscription(tx, f.merchant, id, {
          defaultPaymentMethodId: card.id,
          preserveBillingCycleAnchor: false,
          now,
        }),
      ),
    ).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("already active") });
  });

  it("keeps the trial's anchor when asked to preserve it", async () => {
    const f = await billingFixture(ctx);
    const card = await savedCard(ctx, f);
    const trialEnd = new Date("2030-03-20T00:00:00Z");
    const { subscription: trial } = await ctx.deps.db.transaction((tx) =>
      createSubscription(
        tx,
        f.merchant,
        {
          customerId: f.customerId,
          price: f.monthly,
          quantity: 1,
          startDate: new Date("2030-03-06T00:00:00Z"),
          trialEnd,
          status: "trialing",
        },
        ctx.deps.now(),
      ),
    );
    const now = new Date("2030-03-10T00:00:00Z");
    const { subscription, billingPeriod } = await ctx.deps.db.transaction((tx) =>
      activateSubscription(tx, f.merchant, trial.id, {
        defaultPaymentMethodId: card.id,
        preserveBillingCycleAnchor: true,
        now,
      }),
    );
    expect(subscription.billingCycleAnchorDate?.getTime()).toBe(trialEnd.getTime());
    expect(billingPeriod?.startDate.toISOString()).toBe("2030-02-20T00:00:00.000Z");
    expect(billingPeriod?.endDate.toISOString()).toBe("2030-03-20T00:00:00.000Z");
    const periods = await periodsOf(ctx, trial.id);
    expect(periods.map((p) => [p.trialPeriod, p.status])).toEqual([
      [false, "active"],
      [true, "completed"],
    ]);
  });

  it("refuses a canceled subscription and another customer's card", async () => {
    const f = await billingFixture(ctx);
    const other = await billingFixture(ctx);
    const id = await incomplete(f);
    const strangerCard = await savedCard(ctx, other);
    const options = {
      defaultPaymentMethodId: strangerCard.id,
      preserveBillingCycleAnchor: false,
      now: new Date(),
    };
    await expect(
      ctx.deps.db.transaction((tx) => activateSubscription(tx, f.merchant, id, options)),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await ctx.api("POST", `/api/v1/subscriptions/${id}/cancel`, {
      key: f.key,
      body: { cancellation: { timing: "immediately" } },
    });
    const card = await savedCard(ctx, f);
    await expect(
      ctx.deps.db.transaction((tx) =>
        activateSubscription(tx, f.merchant, id, { ...options, defaultPaymentMethodId: card.id }),
      ),
    ).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("canceled") });
  });

  it("switches a subscription's default card and announces it", async () => {
    const f = await billingFixture(ctx);
    const id = await incomplete(f);
    const card = await savedCard(ctx, f);
    const updated = await ctx.deps.db.transaction((tx) =>
      setSubscriptionDefaultPaymentMethod(tx, f.merchant, id, card.id, ctx.deps.now()),
    );
    expect(updated.defaultPaymentMethodId).toBe(card.id);
    expect((await eventsFor(ctx, id)).map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.updated",
    ]);
    await expect(
      ctx.deps.db.transaction((tx) =>
        setSubscriptionDefaultPaymentMethod(
          tx,
          { ...f.merchant, livemode: true },
          id,
          card.id,
          ctx.deps.now(),
        ),
      ),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
