import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { subscriptionItemFeatures } from "../../src/db/schema/index.js";
import { derivedGrantId } from "../../src/entitlements/index.js";
import { runScheduledCancellations } from "../../src/subscriptions/index.js";
import {
  attachFeature,
  createFeature,
  createUsageMeter,
  type EntitledFixture,
  entitledFixture,
  expireProductFeature,
  featureItemsOf,
  itemsOf,
  ownDatabase,
  settableClock,
  subscribeTo,
  testContext,
  writtenAt,
} from "../support/index.js";

// The scheduled-cancellation sweep runs with the clock moved past period ends: on a database of its own.
const clock = settableClock();
const ctx = await testContext({ now: clock.now }, { databaseUrl: await ownDatabase() });
const DAY = 86_400_000;
const T0 = new Date("2031-03-01T12:00:00Z");

const grantPath = (id: string) => `/api/v1/subscription-item-features/${id}`;
const getGrant = (f: EntitledFixture, id: string, key = f.key) => ctx.api("GET", grantPath(id), { key });

/** A subscription to the fixture's plan started at T0, and its one item. */
async function subscribed(f: EntitledFixture, body: Record<string, unknown> = {}) {
  clock.set(T0);
  const subscription = await subscribeTo(ctx, f, body);
  const [item] = await itemsOf(ctx, subscription.id);
  if (!item) throw new Error("no item");
  return { subscription, item };
}

async function storedGrants(subscriptionId: string) {
  return ctx.deps.db
    .select()
    .from(subscriptionItemFeatures)
    .where(eq(subscriptionItemFeatures.subscriptionId, subscriptionId));
}

describe("grants derived from a subscription's product features", () => {
  it("grants each of the product's features, in Flowglad's record shapes, without writing a row", async () => {
    clock.set(T0);
    const f = await entitledFixture(ctx, { seats: 5 });
    const meter = await createUsageMeter(ctx, f.m, f.pricingModelId, {}, undefined, f.key);
    const credits = await createFeature(
      ctx,
      f.m,
      f.pricingModelId,
      {
        type: "usage_credit_grant",
        slug: "monthly-calls",
        name: "Monthly calls",
        amount: 100,
        renewalFrequency: "every_billing_period",
        usageMeterId: meter.id,
      },
      f.key,
    );
    const creditsPf = await attachFeature(ctx, f.key, f.productId, credits.id);
    const { subscription, item } = await subscribed(f, { quantity: 3 });

    const common = {
      createdAt: T0.getTime(),
      updatedAt: T0.getTime(),
      livemode: false,
      manuallyCreated: false,
      pricingModelId: f.pricingModelId,
      subscriptionItemId: item.id,
      detachedAt: null,
      detachedReason: null,
      expiredAt: null,
    };
    const items = await featureItemsOf(ctx, f, subscription.id);
    expect(items).toEqual([
      {
        ...common,
        id: derivedGrantId(item.id, f.togglePf.id),
        type: "toggle",
        featureId: f.toggle.id,
        productFeatureId: f.togglePf.id,
        name: "SSO",
        slug: "sso",
        amount: null,
        renewalFrequency: null,
        usageMeterId: null,
        resourceId: null,
      },
      {
        ...common,
        id: derivedGrantId(item.id, f.seatsPf.id),
        type: "resource",
        featureId: f.seatsFeature.id,
        productFeatureId: f.seatsPf.id,
        name: "Seat pack",
        slug: "seat-pack",
        amount: 15,
        renewalFrequency: null,
        usageMeterId: null,
        resourceId: f.seats.id,
      },
      {
        ...common,
        id: derivedGrantId(item.id, creditsPf.id),
        type: "usage_credit_grant",
        featureId: credits.id,
        productFeatureId: creditsPf.id,
        name: "Monthly calls",
        slug: "monthly-calls",
        amount: 300,
        renewalFrequency: "every_billing_period",
        usageMeterId: meter.id,
        resourceId: null,
      },
    ]);
    // Each reads back by its id, the same record.
    for (const record of items) {
      const res = await getGrant(f, record.id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ subscriptionItemFeature: record });
    }
    expect(await storedGrants(subscription.id)).toEqual([]);
  });

  it("grants while trialing, and a feature attached later from its attachment on", async () => {
    clock.set(T0);
    const f = await entitledFixture(ctx);
    const { subscription, item } = await subscribed(f, { trialEnd: T0.getTime() + 14 * DAY });
    expect(subscription.status).toBe("trialing");
    expect((await featureItemsOf(ctx, f, subscription.id)).map((g) => g.slug)).toEqual(["sso", "seat-pack"]);

    clock.set(new Date(T0.getTime() + DAY));
    const extra = await createFeature(ctx, f.m, f.pricingModelId, { slug: "audit-log" }, f.key);
    const extraPf = await attachFeature(ctx, f.key, f.productId, extra.id);
    const items = await featureItemsOf(ctx, f, subscription.id);
    expect(items.map((g) => g.slug)).toEqual(["sso", "seat-pack", "audit-log"]);
    expect(items[2]).toMatchObject({
      id: derivedGrantId(item.id, extraPf.id),
      createdAt: T0.getTime() + DAY,
    });
  });

  it("a product feature that expires detaches its grants: no longer in force, still readable", async () => {
    clock.set(T0);
    const f = await entitledFixture(ctx);
    const { subscription, item } = await subscribed(f);
    const detachAt = new Date(T0.getTime() + 2 * DAY);
    clock.set(detachAt);
    await expireProductFeature(ctx, f.key, f.togglePf.id);
    expect((await featureItemsOf(ctx, f, subscription.id)).map((g) => g.slug)).toEqual(["seat-pack"]);
    const res = await getGrant(f, derivedGrantId(item.id, f.togglePf.id));
    expect(res.status).toBe(200);
    expect(res.body.subscriptionItemFeature).toMatchObject({
      slug: "sso",
      detachedAt: detachAt.getTime(),
      detachedReason: "product_feature_expired",
      expiredAt: null,
    });
  });

  it("a cancellation at the period end keeps the grants to the end; an immediate one ends them now", async () => {
    clock.set(T0);
    const f = await entitledFixture(ctx);
    const { subscription: later } = await subscribed(f);
    const { subscription: now } = await subscribed(f);
    const cancel = (id: string, timing: string) =>
      ctx.api("POST", `/api/v1/subscriptions/${id}/cancel`, {
        key: f.key,
        body: { cancellation: { timing } },
      });

    clock.set(new Date(T0.getTime() + DAY));
    expect((await cancel(later.id, "at_end_of_current_billing_period")).body.subscription.status).toBe(
      "cancellation_scheduled",
    );
    expect((await cancel(now.id, "immediately")).body.subscription.status).toBe("canceled");
    expect(await featureItemsOf(ctx, f, now.id)).toEqual([]);
    expect((await featureItemsOf(ctx, f, later.id)).map((g) => g.slug)).toEqual(["sso", "seat-pack"]);

    const end = later.currentBillingPeriodEnd as number;
    clock.set(new Date(end - 1));
    expect((await featureItemsOf(ctx, f, later.id)).length).toBe(2);
    clock.set(new Date(end + 1000));
    expect(await runScheduledCancellations(ctx.deps)).toBeGreaterThanOrEqual(1);
    expect(await featureItemsOf(ctx, f, later.id)).toEqual([]);
  });
});

describe("grants made by hand", () => {
  const create = (f: EntitledFixture, body: Record<string, unknown>, key = f.key) =>
    ctx.api("POST", "/api/v1/subscription-item-features", { key, body: { subscriptionItemFeature: body } });

  it("grants a feature of the subscription's pricing model to an item, as manuallyCreated", async () => {
    clock.set(T0);
    const f = await entitledFixture(ctx);
    const { subscription, item } = await subscribed(f);
    const beta = await createFeature(ctx, f.m, f.pricingModelId, { slug: "beta", name: "Beta" }, f.key);
    clock.set(new Date(T0.getTime() + DAY));
    const res = await create(f, { subscriptionItemId: item.id, featureId: beta.id });
    expect(res.status).toBe(200);
    const grant = res.body.subscriptionItemFeature;
    expect(grant).toEqual({
      id: expect.stringMatching(/^sub_feature_[0-9A-Za-z]{22}$/),
      type: "toggle",
      featureId: beta.id,
      productFeatureId: null,
      subscriptionItemId: item.id,
      pricingModelId: f.pricingModelId,
      livemode: false,
      manuallyCreated: true,
      name: "Beta",
      slug: "beta",
      amount: null,
      renewalFrequency: null,
      usageMeterId: null,
      resourceId: null,
      createdAt: T0.getTime() + DAY,
      updatedAt: T0.getTime() + DAY,
      detachedAt: null,
      detachedReason: null,
      expiredAt: null,
    });
    expect((await getGrant(f, grant.id)).body.subscriptionItemFeature).toEqual(grant);
    expect((await featureItemsOf(ctx, f, subscription.id)).map((g) => g.slug)).toEqual([
      "sso",
      "seat-pack",
      "beta",
    ]);

    // A resource grant by hand: the amount given, or the feature's.
    const given = await create(f, { subscriptionItemId: item.id, featureId: f.seatsFeature.id, amount: 2 });
    expect(given.body.subscriptionItemFeature).toMatchObject({ type: "resource", amount: 2 });
    const plain = await create(f, { subscriptionItemId: item.id, featureId: f.seatsFeature.id });
    expect(plain.body.subscriptionItemFeature).toMatchObject({ type: "resource", amount: 5 });
  });

  it("refuses what cannot be granted, writing nothing", async () => {
    clock.set(T0);
    const f = await entitledFixture(ctx);
    const other = await entitledFixture(ctx);
    const { subscription, item } = await subscribed(f);
    const elsewhere = await ctx.api("POST", "/api/v1/pricing-models", {
      key: f.key,
      body: { pricingModel: { name: "Other" } },
    });
    const foreign = await createFeature(ctx, f.m, elsewhere.body.pricingModel.id, {}, f.key);
    const inactive = await createFeature(ctx, f.m, f.pricingModelId, { active: false }, f.key);

    const cases: [Record<string, unknown>, number, string][] = [
      [{ subscriptionItemId: item.id, featureId: foreign.id }, 400, "BAD_REQUEST"],
      [{ subscriptionItemId: item.id, featureId: f.toggle.id, amount: 3 }, 400, "BAD_REQUEST"],
      [{ subscriptionItemId: item.id, featureId: inactive.id }, 422, "UNPROCESSABLE_CONTENT"],
      [{ subscriptionItemId: "si_missing", featureId: f.toggle.id }, 404, "NOT_FOUND"],
      [{ subscriptionItemId: item.id, featureId: "feature_missing" }, 404, "NOT_FOUND"],
      // Another organization's feature is not found, nor is its item.
      [{ subscriptionItemId: item.id, featureId: other.toggle.id }, 404, "NOT_FOUND"],
      [{ subscriptionItemId: item.id, featureId: f.seatsFeature.id, amount: -1 }, 400, "BAD_REQUEST"],
      [{ subscriptionItemId: item.id }, 400, "BAD_REQUEST"],
    ];
    for (const [body, status, code] of cases) {
      const res = await create(f, body);
      expect(`${res.status} ${res.body.code}`, JSON.stringify(body)).toBe(`${status} ${code}`);
    }
    const otherSub = await subscribed(other);
    const res = await create(f, { subscriptionItemId: otherSub.item.id, featureId: f.toggle.id });
    expect(res.status).toBe(404);
    // The live key does not see test mode's item.
    expect(
      (await create(f, { subscriptionItemId: item.id, featureId: f.toggle.id }, f.m.liveKey)).status,
    ).toBe(404);

    // An item that has ended takes no new grant.
    clock.set(new Date(T0.getTime() + DAY));
    await ctx.api("POST", `/api/v1/subscriptions/${subscription.id}/cancel`, {
      key: f.key,
      body: { cancellation: { timing: "immediately" } },
    });
    const ended = await create(f, { subscriptionItemId: item.id, featureId: f.toggle.id });
    expect(`${ended.status} ${ended.body.code}`).toBe("422 UNPROCESSABLE_CONTENT");
    expect(await storedGrants(subscription.id)).toEqual([]);
  });
});

describe("changing and expiring grants", () => {
  const put = (f: EntitledFixture, id: string, body: Record<string, unknown>, key = f.key) =>
    ctx.api("PUT", grantPath(id), { key, body: { subscriptionItemFeature: { id, ...body } } });
  const expire = (f: EntitledFixture, id: string, key = f.key) =>
    ctx.api("POST", `${grantPath(id)}/expire`, { key, body: {} });

  it("overrides a derived grant's amount by storing a row under its id", async () => {
    clock.set(T0);
    const f = await entitledFixture(ctx, { seats: 5 });
    const { subscription, item } = await subscribed(f, { quantity: 2 });
    const id = derivedGrantId(item.id, f.seatsPf.id);
    clock.set(new Date(T0.getTime() + DAY));
    const res = await put(f, id, { amount: 25 });
    expect(res.status).toBe(200);
    expect(res.body.subscriptionItemFeature).toMatchObject({
      id,
      amount: 25,
      manuallyCreated: false,
      productFeatureId: f.seatsPf.id,
      createdAt: T0.getTime(),
      updatedAt: T0.getTime() + DAY,
    });
    expect((await getGrant(f, id)).body).toEqual(res.body);
    const rows = await storedGrants(subscription.id);
    expect(rows.map((r) => [r.id, r.amount, r.manuallyCreated, r.expiredAt])).toEqual([
      [id, 25, false, null],
    ]);
    const seatGrant = (await featureItemsOf(ctx, f, subscription.id)).find((g) => g.slug === "seat-pack");
    expect(seatGrant.amount).toBe(25);
  });

  it("schedules an expiry, refuses a backdated one, an amount on a toggle and a mismatched id", async () => {
    clock.set(T0);
    const f = await entitledFixture(ctx);
    const { subscription, item } = await subscribed(f);
    const id = derivedGrantId(item.id, f.togglePf.id);
    const at = T0.getTime() + 3 * DAY;
    const scheduled = await put(f, id, { expiredAt: at });
    expect(scheduled.body.subscriptionItemFeature).toMatchObject({ id, expiredAt: at, amount: null });

    const refused: [Record<string, unknown>, string][] = [
      [{ expiredAt: T0.getTime() - 1 }, "400 BAD_REQUEST"],
      [{ amount: 4 }, "400 BAD_REQUEST"],
    ];
    for (const [body, expected] of refused) {
      const res = await put(f, id, body);
      expect(`${res.status} ${res.body.code}`, JSON.stringify(body)).toBe(expected);
    }
    const mismatch = await ctx.api("PUT", grantPath(id), {
      key: f.key,
      body: { subscriptionItemFeature: { id: derivedGrantId(item.id, f.seatsPf.id), amount: 1 } },
    });
    expect(mismatch.status).toBe(400);

    clock.set(new Date(at - 1));
    expect((await featureItemsOf(ctx, f, subscription.id)).map((g) => g.slug)).toEqual(["sso", "seat-pack"]);
    clock.set(new Date(at));
    expect((await featureItemsOf(ctx, f, subscription.id)).map((g) => g.slug)).toEqual(["seat-pack"]);
    // Once it has ended it stays as it ended.
    const late = await put(f, id, { expiredAt: null });
    expect(`${late.status} ${late.body.code}`).toBe("422 UNPROCESSABLE_CONTENT");
  });

  it("takes a scheduled expiry back with null", async () => {
    clock.set(T0);
    const f = await entitledFixture(ctx);
    const { subscription, item } = await subscribed(f);
    const id = derivedGrantId(item.id, f.togglePf.id);
    await put(f, id, { expiredAt: T0.getTime() + DAY });
    const back = await put(f, id, { expiredAt: null });
    expect(back.body.subscriptionItemFeature.expiredAt).toBeNull();
    clock.set(new Date(T0.getTime() + 2 * DAY));
    expect((await featureItemsOf(ctx, f, subscription.id)).map((g) => g.slug)).toContain("sso");
  });

  it("expires derived and hand-made grants now, once", async () => {
    clock.set(T0);
    const f = await entitledFixture(ctx);
    const { subscription, item } = await subscribed(f);
    const id = derivedGrantId(item.id, f.togglePf.id);
    const manual = await ctx.api("POST", "/api/v1/subscription-item-features", {
      key: f.key,
      body: { subscriptionItemFeature: { subscriptionItemId: item.id, featureId: f.seatsFeature.id } },
    });
    const manualId = manual.body.subscriptionItemFeature.id;

    const at = T0.getTime() + DAY;
    clock.set(new Date(at));
    const first = await expire(f, id);
    expect(first.status).toBe(200);
    expect(first.body.subscriptionItemFeature).toMatchObject({ id, expiredAt: at, updatedAt: at });
    expect((await expire(f, manualId)).body.subscriptionItemFeature).toMatchObject({ expiredAt: at });
    expect((await featureItemsOf(ctx, f, subscription.id)).map((g) => g.id)).toEqual([
      derivedGrantId(item.id, f.seatsPf.id),
    ]);

    clock.set(new Date(at + DAY));
    const again = await expire(f, id);
    expect(again.body).toEqual(first.body);
    expect((await storedGrants(subscription.id)).map((r) => r.expiredAt?.getTime())).toEqual([at, at]);
  });

  it("another organization's key and the live key find none of it", async () => {
    clock.set(T0);
    const f = await entitledFixture(ctx);
    const stranger = await entitledFixture(ctx);
    const { item } = await subscribed(f);
    const id = derivedGrantId(item.id, f.togglePf.id);
    for (const key of [stranger.key, f.m.liveKey]) {
      expect((await getGrant(f, id, key)).status).toBe(404);
      expect((await put(f, id, { expiredAt: null }, key)).status).toBe(404);
      expect((await expire(f, id, key)).status).toBe(404);
    }
    expect((await getGrant(f, id)).body.subscriptionItemFeature.expiredAt).toBeNull();
    // Ids that name nothing: a derived id of a missing item, a malformed id.
    expect((await getGrant(f, derivedGrantId("si_Missing", f.togglePf.id))).status).toBe(404);
    expect((await getGrant(f, "sub_feature_")).status).toBe(404);
  });
});

describe("one clock", () => {
  it("stamps every grant and claim it writes with the app clock's instant", async () => {
    clock.set(T0);
    const f = await entitledFixture(ctx);
    const { subscription, item } = await subscribed(f);
    const derived = derivedGrantId(item.id, f.seatsPf.id);
    const at = (days: number, operation: () => Promise<unknown>) =>
      writtenAt(ctx.deps.db, clock, new Date(T0.getTime() + days * DAY), async () => {
        const res = await operation();
        expect((res as { status: number }).status).toBe(200);
      });
    const steps: [number, () => Promise<unknown>, string][] = [
      [
        1,
        () =>
          ctx.api("POST", "/api/v1/subscription-item-features", {
            key: f.key,
            body: { subscriptionItemFeature: { subscriptionItemId: item.id, featureId: f.toggle.id } },
          }),
        "subscription_item_features",
      ],
      [
        2,
        () =>
          ctx.api("PUT", grantPath(derived), {
            key: f.key,
            body: { subscriptionItemFeature: { id: derived, amount: 9 } },
          }),
        "subscription_item_features",
      ],
      [
        3,
        () =>
          ctx.api("POST", `/api/v1/resource-claims/${subscription.id}/claim`, {
            key: f.key,
            body: { resourceSlug: "seats", quantity: 2 },
          }),
        "resource_claims",
      ],
      [
        4,
        () =>
          ctx.api("POST", `/api/v1/resource-claims/${subscription.id}/release`, {
            key: f.key,
            body: { resourceSlug: "seats", quantity: 1 },
          }),
        "resource_claims",
      ],
      [
        5,
        () => ctx.api("POST", `${grantPath(derived)}/expire`, { key: f.key, body: {} }),
        "subscription_item_features",
      ],
    ];
    for (const [days, operation, table] of steps) {
      const { tables, problems } = await at(days, operation);
      expect(problems).toEqual([]);
      expect(tables).toEqual(new Set([table]));
    }
  });
});
