import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { billingPeriods, payments, prices, subscriptions } from "../src/db/schema/index.js";
import { listOpenInvoicesForSubscription } from "../src/invoices/index.js";
import {
  activateSubscription,
  createSubscription,
  listSubscriptionDetailsForCustomer,
  setSubscriptionDefaultPaymentMethod,
} from "../src/subscriptions/index.js";
import { testContext } from "./harness.js";
import { type BillingFixture, billingFixture, eventsFor, savedCard } from "./records-fixtures.js";

const ctx = await testContext();
const DAY = 24 * 60 * 60 * 1000;

const post = (f: BillingFixture, body: unknown) =>
  ctx.api("POST", "/api/v1/subscriptions", { key: f.key, body });

async function periodsOf(subscriptionId: string) {
  return ctx.deps.db
    .select()
    .from(billingPeriods)
    .where(eq(billingPeriods.subscriptionId, subscriptionId))
    .orderBy(billingPeriods.startDate);
}

describe("createSubscription", () => {
  it("starts an active subscription with a calendar-correct first period", async () => {
    const f = await billingFixture(ctx);
    const startDate = new Date("2025-01-31T12:00:00Z");
    const created = await ctx.deps.db.transaction((tx) =>
      createSubscription(tx, f.merchant, {
        customerId: f.customerId,
        price: f.monthly,
        quantity: 2,
        startDate,
        status: "active",
        name: "Team plan",
      }),
    );
    const { subscription, items, billingPeriod } = created;
    expect(subscription).toMatchObject({
      status: "active",
      interval: "month",
      intervalCount: 1,
      pricingModelId: f.pricingModelId,
      isFreePlan: false,
    });
    expect(subscription.billingCycleAnchorDate?.toISOString()).toBe(startDate.toISOString());
    expect(subscription.currentBillingPeriodEnd?.toISOString()).toBe("2025-02-28T12:00:00.000Z");
    expect(billingPeriod).toMatchObject({ status: "active", trialPeriod: false });
    expect(billingPeriod?.endDate.toISOString()).toBe("2025-02-28T12:00:00.000Z");
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      priceId: f.monthly.id,
      quantity: 2,
      unitPrice: 1999,
      name: "Team plan",
    });
    const events = await eventsFor(ctx, subscription.id);
    expect(events.map((e) => e.type)).toEqual(["subscription.created"]);
    expect(events[0]?.payload.data).toMatchObject({ id: subscription.id, status: "active", current: true });
  });

  it("starts a trial whose period ends at trialEnd and anchors billing there", async () => {
    const f = await billingFixture(ctx);
    const startDate = new Date("2025-03-01T00:00:00Z");
    const trialEnd = new Date("2025-03-15T00:00:00Z");
    const { subscription, billingPeriod } = await ctx.deps.db.transaction((tx) =>
      createSubscription(tx, f.merchant, {
        customerId: f.customerId,
        price: f.monthly,
        quantity: 1,
        startDate,
        trialEnd,
        status: "trialing",
      }),
    );
    expect(subscription.status).toBe("trialing");
    expect(subscription.billingCycleAnchorDate?.getTime()).toBe(trialEnd.getTime());
    expect(subscription.trialEnd?.getTime()).toBe(trialEnd.getTime());
    expect(billingPeriod).toMatchObject({ trialPeriod: true, startDate, endDate: trialEnd });
  });

  it("leaves an incomplete subscription without a period or anchor", async () => {
    const f = await billingFixture(ctx);
    const { subscription, billingPeriod } = await ctx.deps.db.transaction((tx) =>
      createSubscription(tx, f.merchant, {
        customerId: f.customerId,
        price: f.monthly,
        quantity: 1,
        startDate: new Date(),
        status: "incomplete",
      }),
    );
    expect(billingPeriod).toBeNull();
    expect(subscription).toMatchObject({
      status: "incomplete",
      billingCycleAnchorDate: null,
      currentBillingPeriodStart: null,
      currentBillingPeriodEnd: null,
    });
    expect(await periodsOf(subscription.id)).toEqual([]);
  });

  it("refuses a trial without trialEnd and a non-subscription price", async () => {
    const f = await billingFixture(ctx);
    const base = { customerId: f.customerId, quantity: 1, startDate: new Date() };
    await expect(
      ctx.deps.db.transaction((tx) =>
        createSubscription(tx, f.merchant, { ...base, price: f.monthly, status: "trialing" }),
      ),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      ctx.deps.db.transaction((tx) =>
        createSubscription(tx, f.merchant, { ...base, price: f.oneTime, status: "active" }),
      ),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("POST /subscriptions", () => {
  it("creates an incomplete subscription with an open invoice when there is no card", async () => {
    const f = await billingFixture(ctx);
    const res = await post(f, { customerExternalId: f.externalId, priceSlug: "pro-monthly", quantity: 3 });
    expect(res.status).toBe(200);
    const sub = res.body.subscription;
    expect(sub).toMatchObject({
      customerId: f.customerId,
      priceId: f.monthly.id,
      status: "incomplete",
      current: false,
      renews: true,
      interval: "month",
      intervalCount: 1,
      livemode: false,
      currentBillingPeriodEnd: null,
    });
    const open = await listOpenInvoicesForSubscription(ctx.deps.db, f.merchant, sub.id);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      total: 5997,
      status: "open",
      type: "subscription",
      customerId: f.customerId,
    });
  });

  it("starts a trial when trialEnd is in the future and charges nothing", async () => {
    const f = await billingFixture(ctx);
    const card = await savedCard(ctx, f);
    const trialEnd = Date.now() + 14 * DAY;
    const res = await post(f, {
      customerId: f.customerId,
      priceId: f.monthly.id,
      trialEnd,
      defaultPaymentMethodId: card.id,
    });
    expect(res.status).toBe(200);
    expect(res.body.subscription).toMatchObject({
      status: "trialing",
      current: true,
      trialEnd,
      billingCycleAnchorDate: trialEnd,
      currentBillingPeriodEnd: trialEnd,
      defaultPaymentMethodId: card.id,
    });
    expect(await listOpenInvoicesForSubscription(ctx.deps.db, f.merchant, res.body.subscription.id)).toEqual(
      [],
    );
    expect(await ctx.deps.db.select().from(payments).where(eq(payments.customerId, f.customerId))).toEqual(
      [],
    );
  });

  it("charges the default card and records a paid invoice and a payment", async () => {
    const f = await billingFixture(ctx);
    const card = await savedCard(ctx, f);
    const res = await post(f, {
      customerId: f.customerId,
      priceId: f.monthly.id,
      quantity: 2,
      defaultPaymentMethodId: card.id,
    });
    expect(res.status).toBe(200);
    const sub = res.body.subscription;
    expect(sub).toMatchObject({ status: "active", current: true, defaultPaymentMethodId: card.id });
    expect(sub.currentBillingPeriodEnd - sub.currentBillingPeriodStart).toBeGreaterThanOrEqual(28 * DAY);

    const [payment] = await ctx.deps.db.select().from(payments).where(eq(payments.subscriptionId, sub.id));
    expect(payment).toMatchObject({ amount: 3998, status: "succeeded", paymentMethodId: card.id });
    const invoice = await ctx.api("GET", `/api/v1/invoices/${payment?.invoiceId}`, { key: f.key });
    expect(invoice.body.invoice).toMatchObject({
      status: "paid",
      total: 3998,
      amountPaid: 3998,
      subscriptionId: sub.id,
    });
    expect(invoice.body.invoice.billingPeriodId).toEqual(expect.any(String));
    expect((await eventsFor(ctx, sub.id)).map((e) => e.type)).toEqual(["subscription.created"]);
    expect((await eventsFor(ctx, payment?.id ?? "")).map((e) => e.type)).toEqual(["payment.succeeded"]);
  });

  it("creates nothing when the saved card is declined", async () => {
    const f = await billingFixture(ctx);
    const card = await savedCard(ctx, f, "4000000000000341");
    const res = await post(f, {
      customerId: f.customerId,
      priceId: f.monthly.id,
      defaultPaymentMethodId: card.id,
    });
    expect(res.status).toBe(402);
    expect(res.body.code).toBe("PAYMENT_REQUIRED");
    expect(res.body.message).toContain("declined");
    expect(
      await ctx.deps.db.select().from(subscriptions).where(eq(subscriptions.customerId, f.customerId)),
    ).toEqual([]);
    expect(await ctx.deps.db.select().from(payments).where(eq(payments.customerId, f.customerId))).toEqual(
      [],
    );
    expect((await ctx.api("GET", "/api/v1/invoices", { key: f.key })).body.total).toBe(0);
  });

  it("activates without charging for doNotCharge and for free prices", async () => {
    const f = await billingFixture(ctx);
    const noCharge = await post(f, { customerId: f.customerId, priceId: f.monthly.id, doNotCharge: true });
    expect(noCharge.status).toBe(200);
    expect(noCharge.body.subscription).toMatchObject({
      status: "active",
      doNotCharge: true,
      isFreePlan: false,
    });
    const free = await post(f, { customerId: f.customerId, priceSlug: "pro-free" });
    expect(free.status).toBe(200);
    expect(free.body.subscription).toMatchObject({ status: "active", isFreePlan: true, priceId: f.free.id });
    expect((await ctx.api("GET", "/api/v1/invoices", { key: f.key })).body.total).toBe(0);
  });

  it("rejects bad input with 4xx and the right code", async () => {
    const f = await billingFixture(ctx);
    const other = await billingFixture(ctx);
    const strangerCard = await savedCard(ctx, other);
    const neighbour = await ctx.api("POST", "/api/v1/customers", {
      key: f.key,
      body: {
        customer: {
          email: "n@example.com",
          externalId: "neighbour",
          name: "N",
          pricingModelId: f.pricingModelId,
        },
      },
    });
    const neighbourCard = await savedCard(ctx, { ...f, customerId: neighbour.body.data.customer.id });
    await ctx.deps.db.update(prices).set({ active: false }).where(eq(prices.id, f.free.id));
    const cases: [unknown, number, string][] = [
      [{ priceId: f.monthly.id }, 400, "BAD_REQUEST"],
      [
        { customerId: f.customerId, customerExternalId: f.externalId, priceId: f.monthly.id },
        400,
        "BAD_REQUEST",
      ],
      [{ customerId: f.customerId }, 400, "BAD_REQUEST"],
      [{ customerId: f.customerId, priceId: f.monthly.id, priceSlug: "pro-monthly" }, 400, "BAD_REQUEST"],
      [{ customerId: f.customerId, priceId: f.monthly.id, quantity: 0 }, 400, "BAD_REQUEST"],
      [{ customerId: f.customerId, priceId: f.monthly.id, startDate: "not a date" }, 400, "BAD_REQUEST"],
      [{ customerId: f.customerId, priceId: f.monthly.id, trialEnd: Date.now() - DAY }, 400, "BAD_REQUEST"],
      [{ customerId: f.customerId, priceId: f.oneTime.id }, 400, "BAD_REQUEST"],
      [{ customerId: f.customerId, priceId: f.free.id }, 400, "BAD_REQUEST"],
      [
        { customerId: f.customerId, priceId: f.monthly.id, defaultPaymentMethodId: neighbourCard.id },
        400,
        "BAD_REQUEST",
      ],
      [
        { customerId: f.customerId, priceId: f.monthly.id, backupPaymentMethodId: neighbourCard.id },
        400,
        "BAD_REQUEST",
      ],
      [
        { customerId: f.customerId, priceId: f.monthly.id, defaultPaymentMethodId: strangerCard.id },
        404,
        "NOT_FOUND",
      ],
      [
        { customerId: f.customerId, priceId: f.monthly.id, defaultPaymentMethodId: "pm_missing" },
        404,
        "NOT_FOUND",
      ],
      [{ customerId: "cus_missing", priceId: f.monthly.id }, 404, "NOT_FOUND"],
      [{ customerExternalId: "nobody", priceId: f.monthly.id }, 404, "NOT_FOUND"],
      [{ customerId: f.customerId, priceId: other.monthly.id }, 404, "NOT_FOUND"],
      [{ subscription: { customerId: f.customerId, priceId: f.monthly.id } }, 400, "BAD_REQUEST"],
    ];
    for (const [body, status, code] of cases) {
      const res = await post(f, body);
      expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status, code });
    }
    expect(
      await ctx.deps.db.select().from(subscriptions).where(eq(subscriptions.customerId, f.customerId)),
    ).toEqual([]);
  });
});

describe("reading subscriptions", () => {
  it("retrieves and lists subscriptions, filtered by customer", async () => {
    const f = await billingFixture(ctx);
    const created = await post(f, {
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
    await post(f, { customerId: customerB.body.data.customer.id, priceId: f.monthly.id, doNotCharge: true });
    const all = await ctx.api("GET", "/api/v1/subscriptions", { key: f.key });
    expect(all.body.total).toBe(2);
    const mine = await ctx.api("GET", `/api/v1/subscriptions?customerId=${f.customerId}`, { key: f.key });
    expect(mine.body.data.map((s: any) => s.id)).toEqual([id]);
  });

  it("hides subscriptions from other organizations and the other mode", async () => {
    const f = await billingFixture(ctx);
    const created = await post(f, { customerId: f.customerId, priceId: f.monthly.id, doNotCharge: true });
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
    const created = await post(f, {
      customerId: f.customerId,
      priceId: f.monthly.id,
      quantity: 4,
      doNotCharge: true,
    });
    const details = await listSubscriptionDetailsForCustomer(ctx.deps.db, f.merchant, f.customerId);
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
    const res = await post(f, { customerId: f.customerId, priceId: f.monthly.id });
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
      createSubscription(tx, f.merchant, {
        customerId: f.customerId,
        price: f.monthly,
        quantity: 1,
        startDate: new Date("2030-03-06T00:00:00Z"),
        trialEnd,
        status: "trialing",
      }),
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
    const periods = await periodsOf(trial.id);
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
      setSubscriptionDefaultPaymentMethod(tx, f.merchant, id, card.id),
    );
    expect(updated.defaultPaymentMethodId).toBe(card.id);
    expect((await eventsFor(ctx, id)).map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.updated",
    ]);
    await expect(
      ctx.deps.db.transaction((tx) =>
        setSubscriptionDefaultPaymentMethod(tx, { ...f.merchant, livemode: true }, id, card.id),
      ),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
