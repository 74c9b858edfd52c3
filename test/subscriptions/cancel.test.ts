import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { billingPeriods, invoices, subscriptionItems } from "../../src/db/schema/index.js";
import {
  createSubscription,
  getSubscription,
  runScheduledCancellations,
} from "../../src/subscriptions/index.js";
import { type BillingFixture, billingFixture, eventsFor, testContext } from "../support/index.js";

const ctx = await testContext();
const DAY = 24 * 60 * 60 * 1000;

const cancel = (f: BillingFixture, id: string, timing: string, key = f.key) =>
  ctx.api("POST", `/api/v1/subscriptions/${id}/cancel`, { key, body: { cancellation: { timing } } });
const uncancel = (f: BillingFixture, id: string, key = f.key) =>
  ctx.api("POST", `/api/v1/subscriptions/${id}/uncancel`, { key, body: {} });

async function activeSubscription(f: BillingFixture): Promise<any> {
  const res = await ctx.api("POST", "/api/v1/subscriptions", {
    key: f.key,
    body: { customerId: f.customerId, priceId: f.monthly.id, doNotCharge: true },
  });
  expect(res.status).toBe(200);
  return res.body.subscription;
}

describe("cancel", () => {
  it("cancels immediately, ending its period and items", async () => {
    const f = await billingFixture(ctx);
    const sub = await activeSubscription(f);
    const res = await cancel(f, sub.id, "immediately");
    expect(res.status).toBe(200);
    expect(res.body.subscription).toMatchObject({ id: sub.id, status: "canceled", current: false });
    expect(res.body.subscription.canceledAt).toEqual(expect.any(Number));
    const periods = await ctx.deps.db
      .select()
      .from(billingPeriods)
      .where(eq(billingPeriods.subscriptionId, sub.id));
    expect(periods.map((p) => p.status)).toEqual(["canceled"]);
    const items = await ctx.deps.db
      .select()
      .from(subscriptionItems)
      .where(eq(subscriptionItems.subscriptionId, sub.id));
    expect(items[0]?.expiredAt?.getTime()).toBe(res.body.subscription.canceledAt);
    const events = await eventsFor(ctx, sub.id);
    expect(events.map((e) => e.type)).toEqual(["subscription.created", "subscription.canceled"]);
    expect(events[1]?.payload.data.status).toBe("canceled");
  });

  it("voids the open invoice of a canceled incomplete subscription", async () => {
    const f = await billingFixture(ctx);
    const created = await ctx.api("POST", "/api/v1/subscriptions", {
      key: f.key,
      body: { customerId: f.customerId, priceId: f.monthly.id },
    });
    const id = created.body.subscription.id;
    const res = await cancel(f, id, "at_end_of_current_billing_period");
    // An incomplete subscription has no period to run out, so it ends now.
    expect(res.body.subscription.status).toBe("canceled");
    const rows = await ctx.deps.db.select().from(invoices).where(eq(invoices.subscriptionId, id));
    expect(rows.map((r) => r.status)).toEqual(["void"]);
  });

  it("schedules a cancellation for the end of the current period", async () => {
    const f = await billingFixture(ctx);
    const sub = await activeSubscription(f);
    const res = await cancel(f, sub.id, "at_end_of_current_billing_period");
    expect(res.status).toBe(200);
    expect(res.body.subscription).toMatchObject({
      status: "cancellation_scheduled",
      current: true,
      cancelScheduledAt: sub.currentBillingPeriodEnd,
      canceledAt: null,
    });
    const again = await cancel(f, sub.id, "at_end_of_current_billing_period");
    expect(again.body.subscription).toEqual(res.body.subscription);
    expect((await eventsFor(ctx, sub.id)).map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.updated",
    ]);
    const now = await cancel(f, sub.id, "immediately");
    expect(now.body.subscription.status).toBe("canceled");
  });

  it("refuses to cancel a canceled subscription, and bad bodies, with 400", async () => {
    const f = await billingFixture(ctx);
    const sub = await activeSubscription(f);
    await cancel(f, sub.id, "immediately");
    const again = await cancel(f, sub.id, "immediately");
    expect(again.status).toBe(400);
    expect(again.body.code).toBe("BAD_REQUEST");
    expect(again.body.message).toContain("already canceled");
    const other = await activeSubscription(f);
    expect((await cancel(f, other.id, "tomorrow")).status).toBe(400);
    const noBody = await ctx.api("POST", `/api/v1/subscriptions/${other.id}/cancel`, {
      key: f.key,
      body: {},
    });
    expect(noBody.status).toBe(400);
    expect(
      (await ctx.api("GET", `/api/v1/subscriptions/${other.id}`, { key: f.key })).body.subscription.status,
    ).toBe("active");
  });

  it("cannot be canceled or uncanceled from another organization or mode", async () => {
    const f = await billingFixture(ctx);
    const sub = await activeSubscription(f);
    await cancel(f, sub.id, "at_end_of_current_billing_period");
    const stranger = await ctx.merchant();
    for (const key of [stranger.testKey, f.m.liveKey]) {
      const c = await cancel(f, sub.id, "immediately", key);
      expect(c.status).toBe(404);
      expect(c.body.code).toBe("NOT_FOUND");
      expect((await uncancel(f, sub.id, key)).status).toBe(404);
    }
    const unchanged = await ctx.api("GET", `/api/v1/subscriptions/${sub.id}`, { key: f.key });
    expect(unchanged.body.subscription.status).toBe("cancellation_scheduled");
  });
});

describe("uncancel", () => {
  it("takes back a scheduled cancellation", async () => {
    const f = await billingFixture(ctx);
    const sub = await activeSubscription(f);
    await cancel(f, sub.id, "at_end_of_current_billing_period");
    const res = await uncancel(f, sub.id);
    expect(res.status).toBe(200);
    expect(res.body.subscription).toMatchObject({ status: "active", cancelScheduledAt: null });
    expect((await eventsFor(ctx, sub.id)).map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.updated",
      "subscription.updated",
    ]);
  });

  it("returns a trial to trialing", async () => {
    const f = await billingFixture(ctx);
    const created = await ctx.api("POST", "/api/v1/subscriptions", {
      key: f.key,
      body: { customerId: f.customerId, priceId: f.monthly.id, trialEnd: Date.now() + 7 * DAY },
    });
    const id = created.body.subscription.id;
    const scheduled = await cancel(f, id, "at_end_of_current_billing_period");
    expect(scheduled.body.subscription.cancelScheduledAt).toBe(created.body.subscription.trialEnd);
    const res = await ctx.api("POST", `/api/v1/subscriptions/${id}/uncancel`, { key: f.key });
    expect(res.status).toBe(200);
    expect(res.body.subscription.status).toBe("trialing");
  });

  it("changes nothing on a subscription that is not scheduled to cancel", async () => {
    const f = await billingFixture(ctx);
    const sub = await activeSubscription(f);
    const res = await uncancel(f, sub.id);
    expect(res.status).toBe(200);
    expect(res.body.subscription).toEqual(sub);
    await cancel(f, sub.id, "immediately");
    expect((await uncancel(f, sub.id)).body.subscription.status).toBe("canceled");
    expect((await eventsFor(ctx, sub.id)).map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.canceled",
    ]);
  });
});

describe("runScheduledCancellations", () => {
  it("cancels subscriptions whose scheduled time has come and leaves the rest", async () => {
    const f = await billingFixture(ctx);
    const now = Date.now();
    // A daily period that started a day ago ends in about a minute; the other one runs for a month.
    const { subscription: dueSoon } = await ctx.deps.db.transaction((tx) =>
      createSubscription(
        tx,
        f.merchant,
        {
          customerId: f.customerId,
          price: { ...f.monthly, intervalUnit: "day" },
          quantity: 1,
          startDate: new Date(now - DAY + 60_000),
          status: "active",
        },
        ctx.deps.now(),
      ),
    );
    const later = await activeSubscription(f);
    for (const id of [dueSoon.id, later.id]) {
      expect((await cancel(f, id, "at_end_of_current_billing_period")).body.subscription.status).toBe(
        "cancellation_scheduled",
      );
    }
    const scheduledAt = dueSoon.currentBillingPeriodEnd as Date;
    const sweepDeps = { ...ctx.deps, now: () => new Date(scheduledAt.getTime() + 1000) };

    expect(await runScheduledCancellations(sweepDeps)).toBeGreaterThanOrEqual(1);
    const done = await getSubscription(ctx.deps.db, f.merchant, dueSoon.id);
    expect(done).toMatchObject({ status: "canceled" });
    expect(done?.canceledAt?.getTime()).toBe(scheduledAt.getTime());
    expect((await getSubscription(ctx.deps.db, f.merchant, later.id))?.status).toBe("cancellation_scheduled");
    expect((await eventsFor(ctx, dueSoon.id)).map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.updated",
      "subscription.canceled",
    ]);

    // A second sweep finds nothing left to do for it.
    await runScheduledCancellations(sweepDeps);
    expect((await eventsFor(ctx, dueSoon.id)).filter((e) => e.type === "subscription.canceled")).toHaveLength(
      1,
    );
  });
});
