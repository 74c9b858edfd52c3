import { eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { payments, prices, sandboxIntents, subscriptions } from "../../src/db/schema/index.js";
import { listOpenInvoicesForSubscription } from "../../src/invoices/index.js";
import { createSubscription } from "../../src/subscriptions/index.js";
import {
  billingFixture,
  eventsFor,
  payCheckout,
  periodsOf,
  postSubscription,
  savedCard,
  testContext,
} from "../support/index.js";

const ctx = await testContext();
const DAY = 24 * 60 * 60 * 1000;

describe("createSubscription", () => {
  it("starts an active subscription with a calendar-correct first period", async () => {
    const f = await billingFixture(ctx);
    const startDate = new Date("2025-01-31T12:00:00Z");
    const created = await ctx.deps.db.transaction((tx) =>
      createSubscription(
        tx,
        f.merchant,
        {
          customerId: f.customerId,
          price: f.monthly,
          quantity: 2,
          startDate,
          status: "active",
          name: "Team plan",
        },
        ctx.deps.now(),
      ),
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
      createSubscription(
        tx,
        f.merchant,
        {
          customerId: f.customerId,
          price: f.monthly,
          quantity: 1,
          startDate,
          trialEnd,
          status: "trialing",
        },
        ctx.deps.now(),
      ),
    );
    expect(subscription.status).toBe("trialing");
    expect(subscription.billingCycleAnchorDate?.getTime()).toBe(trialEnd.getTime());
    expect(subscription.trialEnd?.getTime()).toBe(trialEnd.getTime());
    expect(billingPeriod).toMatchObject({ trialPeriod: true, startDate, endDate: trialEnd });
  });

  it("leaves an incomplete subscription without a period or anchor", async () => {
    const f = await billingFixture(ctx);
    const { subscription, billingPeriod } = await ctx.deps.db.transaction((tx) =>
      createSubscription(
        tx,
        f.merchant,
        {
          customerId: f.customerId,
          price: f.monthly,
          quantity: 1,
          startDate: new Date(),
          status: "incomplete",
        },
        ctx.deps.now(),
      ),
    );
    expect(billingPeriod).toBeNull();
    expect(subscription).toMatchObject({
      status: "incomplete",
      billingCycleAnchorDate: null,
      currentBillingPeriodStart: null,
      currentBillingPeriodEnd: null,
    });
    expect(await periodsOf(ctx, subscription.id)).toEqual([]);
  });

  it("refuses a trial without trialEnd and a non-subscription price", async () => {
    const f = await billingFixture(ctx);
    const base = { customerId: f.customerId, quantity: 1, startDate: new Date() };
    await expect(
      ctx.deps.db.transaction((tx) =>
        createSubscription(tx, f.merchant, { ...base, price: f.monthly, status: "trialing" }, ctx.deps.now()),
      ),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      ctx.deps.db.transaction((tx) =>
        createSubscription(tx, f.merchant, { ...base, price: f.oneTime, status: "active" }, ctx.deps.now()),
      ),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("POST /subscriptions", () => {
  it("creates an incomplete subscription with an open invoice when there is no card", async () => {
    const f = await billingFixture(ctx);
    const res = await postSubscription(ctx, f.key, {
      customerExternalId: f.externalId,
      priceSlug: "pro-monthly",
      quantity: 3,
    });
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
    const res = await postSubscription(ctx, f.key, {
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
    const res = await postSubscription(ctx, f.key, {
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

  it("leaves a declined first charge incomplete, its invoice open and the failed payment on it", async () => {
    const f = await billingFixture(ctx);
    const card = await savedCard(ctx, f, "4000000000000341");
    const res = await postSubscription(ctx, f.key, {
      customerId: f.customerId,
      priceId: f.monthly.id,
      defaultPaymentMethodId: card.id,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const sub = res.body.subscription;
    expect(sub).toMatchObject({
      status: "incomplete",
      current: false,
      defaultPaymentMethodId: card.id,
      currentBillingPeriodStart: null,
    });
    const open = await listOpenInvoicesForSubscription(ctx.deps.db, f.merchant, sub.id);
    expect(open).toEqual([expect.objectContaining({ status: "open", total: 1999, amountPaid: 0 })]);
    const rows = await ctx.deps.db.select().from(payments).where(eq(payments.subscriptionId, sub.id));
    expect(rows).toEqual([
      expect.objectContaining({
        status: "failed",
        amount: 1999,
        invoiceId: open[0]?.id,
        paymentMethodId: card.id,
        failureCode: "card_declined",
        failureMessage: "Your card was declined.",
      }),
    ]);
    expect((await eventsFor(ctx, sub.id)).map((e) => e.type)).toEqual(["subscription.created"]);
    expect((await eventsFor(ctx, rows[0]?.id ?? "")).map((e) => e.type)).toEqual(["payment.failed"]);
    // An activation checkout then pays what is owed, with another card.
    const activation = await ctx.api("POST", "/api/v1/checkout-sessions", {
      key: f.key,
      body: {
        checkoutSession: {
          type: "activate_subscription",
          customerExternalId: f.externalId,
          targetSubscriptionId: sub.id,
          successUrl: "https://merchant.example/ok",
          cancelUrl: "https://merchant.example/cancel",
        },
      },
    });
    expect(activation.status, JSON.stringify(activation.body)).toBe(200);
    await payCheckout(ctx, activation.body.checkoutSession.id);
    expect(
      (await ctx.api("GET", `/api/v1/subscriptions/${sub.id}`, { key: f.key })).body.subscription,
    ).toMatchObject({
      status: "active",
    });
    expect(await listOpenInvoicesForSubscription(ctx.deps.db, f.merchant, sub.id)).toEqual([]);
  });

  it("charges the customer's default card when the request names none", async () => {
    const f = await billingFixture(ctx);
    // The first card saved is the customer's default; a second one is not.
    const card = await savedCard(ctx, f);
    await savedCard(ctx, f, "4000000000000341");
    const res = await postSubscription(ctx, f.key, { customerId: f.customerId, priceSlug: "pro-monthly" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const sub = res.body.subscription;
    expect(sub).toMatchObject({ status: "active", current: true, defaultPaymentMethodId: card.id });
    const rows = await ctx.deps.db.select().from(payments).where(eq(payments.subscriptionId, sub.id));
    expect(rows).toEqual([
      expect.objectContaining({ status: "succeeded", amount: 1999, paymentMethodId: card.id }),
    ]);
    const invoice = await ctx.api("GET", `/api/v1/invoices/${rows[0]?.invoiceId}`, { key: f.key });
    expect(invoice.body.invoice).toMatchObject({ status: "paid", total: 1999, subscriptionId: sub.id });
    const intents = await ctx.deps.db
      .select()
      .from(sandboxIntents)
      .where(eq(sandboxIntents.idempotencyKey, `subscription_start:${sub.id}`));
    expect(intents).toEqual([expect.objectContaining({ amount: 1999, status: "succeeded" })]);
    expect(rows[0]?.processorIntentId).toBe(intents[0]?.id);

    // A trial or doNotCharge never charges the card on file, but keeps it for the renewals.
    const trialEnd = Date.now() + 7 * DAY;
    const trial = await postSubscription(ctx, f.key, {
      customerId: f.customerId,
      priceId: f.monthly.id,
      trialEnd,
    });
    expect(trial.body.subscription).toMatchObject({ status: "trialing", defaultPaymentMethodId: card.id });
    const free = await postSubscription(ctx, f.key, {
      customerId: f.customerId,
      priceId: f.monthly.id,
      doNotCharge: true,
    });
    expect(free.body.subscription).toMatchObject({ status: "active", defaultPaymentMethodId: card.id });
    for (const id of [trial.body.subscription.id, free.body.subscription.id]) {
      expect(await ctx.deps.db.select().from(payments).where(eq(payments.subscriptionId, id))).toEqual([]);
      expect(await listOpenInvoicesForSubscription(ctx.deps.db, f.merchant, id)).toEqual([]);
    }
  });

  it("charges once for a create retried with the same Idempotency-Key, also concurrently", async () => {
    const f = await billingFixture(ctx);
    await savedCard(ctx, f);
    const body = { customerId: f.customerId, priceId: f.monthly.id, quantity: 2 };
    const post = (key: string) =>
      ctx.api("POST", "/api/v1/subscriptions", { key: f.key, body, headers: { "Idempotency-Key": key } });
    const first = await post("create-1");
    expect(first.status).toBe(200);
    const replay = await post("create-1");
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(first.body);

    const racing = await Promise.all([1, 2, 3].map(() => post("create-2")));
    for (const res of racing) expect([200, 409], JSON.stringify(res.body)).toContain(res.status);
    const won = racing.filter((res) => res.status === 200);
    expect(won.length).toBeGreaterThanOrEqual(1);
    expect(new Set(won.map((res) => res.body.subscription.id)).size).toBe(1);

    const subs = await ctx.deps.db
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.customerId, f.customerId));
    expect(subs).toHaveLength(2);
    const charged = await ctx.deps.db.select().from(payments).where(eq(payments.customerId, f.customerId));
    expect(charged.map((p) => [p.subscriptionId, p.amount, p.status]).sort()).toEqual(
      subs.map((sub) => [sub.id, 3998, "succeeded"]).sort(),
    );
    for (const sub of subs) {
      const intents = await ctx.deps.db
        .select()
        .from(sandboxIntents)
        .where(like(sandboxIntents.idempotencyKey, `subscription_start:${sub.id}`));
      expect(intents).toHaveLength(1);
    }
  });

  it("activates without charging for doNotCharge and for free prices", async () => {
    const f = await billingFixture(ctx);
    const noCharge = await postSubscription(ctx, f.key, {
      customerId: f.customerId,
      priceId: f.monthly.id,
      doNotCharge: true,
    });
    expect(noCharge.status).toBe(200);
    expect(noCharge.body.subscription).toMatchObject({
      status: "active",
      doNotCharge: true,
      isFreePlan: false,
    });
    const free = await postSubscription(ctx, f.key, { customerId: f.customerId, priceSlug: "pro-free" });
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
      const res = await postSubscription(ctx, f.key, body);
      expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status, code });
    }
    expect(
      await ctx.deps.db.select().from(subscriptions).where(eq(subscriptions.customerId, f.customerId)),
    ).toEqual([]);
  });
});
