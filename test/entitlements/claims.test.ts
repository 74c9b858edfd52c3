import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { resourceClaims } from "../../src/db/schema/index.js";
import { derivedGrantId } from "../../src/entitlements/index.js";
import {
  attachFeature,
  createFeature,
  createResource,
  type EntitledFixture,
  entitledFixture,
  itemsOf,
  subscribeTo,
  testContext,
} from "../support/index.js";

const ctx = await testContext();

const claimsPath = (subscriptionId: string, what: string) =>
  `/api/v1/resource-claims/${subscriptionId}/${what}`;
const claim = (f: EntitledFixture, subId: string, body: Record<string, unknown>, key = f.key) =>
  ctx.api("POST", claimsPath(subId, "claim"), { key, body: { resourceSlug: "seats", ...body } });
const release = (f: EntitledFixture, subId: string, body: Record<string, unknown>, key = f.key) =>
  ctx.api("POST", claimsPath(subId, "release"), { key, body: { resourceSlug: "seats", ...body } });
const read = (f: EntitledFixture, subId: string, what: string, key = f.key) =>
  ctx.api("GET", claimsPath(subId, what), { key });

/** The fixture (5 seats per unit) and a subscription to its plan, with `quantity` units. */
async function seated(options: { seats?: number; quantity?: number } = {}) {
  const f = await entitledFixture(ctx, { seats: options.seats ?? 5 });
  const subscription = await subscribeTo(ctx, f, { quantity: options.quantity ?? 1 });
  const [item] = await itemsOf(ctx, subscription.id);
  if (!item) throw new Error("no item");
  return { f, sub: subscription.id as string, item, grantId: derivedGrantId(item.id, f.seatsPf.id) };
}

async function activeRows(subscriptionId: string) {
  return ctx.deps.db
    .select()
    .from(resourceClaims)
    .where(and(eq(resourceClaims.subscriptionId, subscriptionId), isNull(resourceClaims.releasedAt)));
}

const usage = (f: EntitledFixture, capacity: number, claimed: number) => ({
  resourceId: f.seats.id,
  resourceSlug: "seats",
  capacity,
  claimed,
  available: capacity - claimed,
});

describe("claiming a resource", () => {
  it("makes anonymous claims in Flowglad's claim shape, against the capacity the grants give", async () => {
    const { f, sub, grantId } = await seated({ seats: 5, quantity: 2 });
    const res = await claim(f, sub, { quantity: 3, metadata: { team: "core" } });
    expect(res.status).toBe(200);
    expect(res.body.usage).toEqual(usage(f, 10, 3));
    expect(res.body.claims).toHaveLength(3);
    for (const c of res.body.claims) {
      expect(c).toEqual({
        id: expect.stringMatching(/^resource_claim_/),
        organizationId: f.m.organizationId,
        livemode: false,
        pricingModelId: f.pricingModelId,
        subscriptionId: sub,
        subscriptionItemFeatureId: grantId,
        resourceId: f.seats.id,
        externalId: null,
        metadata: { team: "core" },
        claimedAt: expect.any(Number),
        releasedAt: null,
        releaseReason: null,
        createdAt: c.claimedAt,
        updatedAt: c.claimedAt,
      });
    }
    expect(new Set(res.body.claims.map((c: { id: string }) => c.id)).size).toBe(3);
    expect(await activeRows(sub)).toHaveLength(3);
  });

  it("named claims are idempotent per external id", async () => {
    const { f, sub } = await seated();
    const first = await claim(f, sub, { externalId: "user_1" });
    expect(first.body.usage).toEqual(usage(f, 5, 1));
    const again = await claim(f, sub, { externalId: "user_1" });
    expect(again.body.claims).toEqual(first.body.claims);
    expect(again.body.usage).toEqual(usage(f, 5, 1));
    const many = await claim(f, sub, { externalIds: ["user_1", "user_2", "user_2", "user_3"] });
    expect(many.body.claims.map((c: { externalId: string }) => c.externalId)).toEqual([
      "user_1",
      "user_2",
      "user_3",
    ]);
    expect(many.body.claims[0]).toEqual(first.body.claims[0]);
    expect(many.body.usage).toEqual(usage(f, 5, 3));
    // Already-held ids need no capacity: a full resource still answers them.
    await claim(f, sub, { quantity: 2 });
    const full = await claim(f, sub, { externalIds: ["user_2", "user_3"] });
    expect(full.status).toBe(200);
    expect(full.body.usage).toEqual(usage(f, 5, 5));
  });

  it("refuses a claim beyond the capacity whole, writing nothing", async () => {
    const { f, sub } = await seated({ seats: 3 });
    await claim(f, sub, { quantity: 2 });
    for (const body of [{ quantity: 2 }, { externalIds: ["a", "b"] }]) {
      const res = await claim(f, sub, body);
      expect(`${res.status} ${res.body.code}`, JSON.stringify(body)).toBe("422 UNPROCESSABLE_CONTENT");
      expect(res.body.message).toContain("capacity");
    }
    expect(await activeRows(sub)).toHaveLength(2);
    expect((await claim(f, sub, { externalId: "a" })).body.usage).toEqual(usage(f, 3, 3));
  });

  it("asks for exactly one mode, a known resource of the subscription's pricing model, a current subscription", async () => {
    const { f, sub } = await seated();
    const other = await entitledFixture(ctx);
    const bad: [Record<string, unknown>, string][] = [
      [{}, "400 BAD_REQUEST"],
      [{ quantity: 1, externalId: "x" }, "400 BAD_REQUEST"],
      [{ externalId: "x", externalIds: ["y"] }, "400 BAD_REQUEST"],
      [{ quantity: 0 }, "400 BAD_REQUEST"],
      [{ externalIds: [] }, "400 BAD_REQUEST"],
      [{ quantity: 1, resourceSlug: "nope" }, "404 NOT_FOUND"],
    ];
    for (const [body, expected] of bad) {
      const res = await claim(f, sub, body);
      expect(`${res.status} ${res.body.code}`, JSON.stringify(body)).toBe(expected);
    }
    // A resource of another pricing model (here: another organization's) is not found.
    const foreign = await createResource(ctx, other.m, other.pricingModelId, { slug: "desks" }, other.key);
    expect((await claim(f, sub, { quantity: 1, resourceSlug: foreign.slug })).status).toBe(404);
    // A resource the subscription holds no grant of has no capacity.
    await createResource(ctx, f.m, f.pricingModelId, { slug: "rooms" }, f.key);
    const none = await claim(f, sub, { quantity: 1, resourceSlug: "rooms" });
    expect(`${none.status} ${none.body.code}`).toBe("422 UNPROCESSABLE_CONTENT");

    await ctx.api("POST", `/api/v1/subscriptions/${sub}/cancel`, {
      key: f.key,
      body: { cancellation: { timing: "immediately" } },
    });
    const canceled = await claim(f, sub, { quantity: 1 });
    expect(`${canceled.status} ${canceled.body.code}`).toBe("422 UNPROCESSABLE_CONTENT");
    expect(await activeRows(sub)).toEqual([]);
  });

  it("grants made by hand add capacity; an expired grant's is gone", async () => {
    const { f, sub, item, grantId } = await seated({ seats: 2 });
    const manual = await ctx.api("POST", "/api/v1/subscription-item-features", {
      key: f.key,
      body: {
        subscriptionItemFeature: { subscriptionItemId: item.id, featureId: f.seatsFeature.id, amount: 3 },
      },
    });
    expect(manual.status).toBe(200);
    const res = await claim(f, sub, { quantity: 4 });
    expect(res.body.usage).toEqual(usage(f, 5, 4));
    // The capacity comes from the first grant in force.
    expect(res.body.claims[0].subscriptionItemFeatureId).toBe(grantId);
    await ctx.api(
      "POST",
      `/api/v1/subscription-item-features/${manual.body.subscriptionItemFeature.id}/expire`,
      {
        key: f.key,
        body: {},
      },
    );
    const after = await read(f, sub, "usage?resourceSlug=seats");
    expect(after.body.usage).toEqual(usage(f, 2, 4));
    expect((await claim(f, sub, { quantity: 1 })).status).toBe(422);
  });

  it("concurrent claims never exceed the capacity", async () => {
    const { f, sub } = await seated({ seats: 5 });
    const results = await Promise.all(Array.from({ length: 20 }, () => claim(f, sub, { quantity: 1 })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 422)).toHaveLength(15);
    expect(await activeRows(sub)).toHaveLength(5);

    // The same external id claimed at once is one claim.
    const { f: g, sub: other } = await seated({ seats: 5 });
    const named = await Promise.all(
      Array.from({ length: 10 }, () => claim(g, other, { externalId: "same" })),
    );
    expect(named.every((r) => r.status === 200)).toBe(true);
    expect(new Set(named.map((r) => r.body.claims[0].id)).size).toBe(1);
    expect(await activeRows(other)).toHaveLength(1);
  });
});

describe("releasing claims", () => {
  it("releases anonymous claims oldest first, named ones by external id or claim id", async () => {
    const { f, sub } = await seated({ seats: 10 });
    const first = (await claim(f, sub, { quantity: 1 })).body.claims[0];
    const second = (await claim(f, sub, { quantity: 1 })).body.claims[0];
    const third = (await claim(f, sub, { quantity: 1 })).body.claims[0];
    await claim(f, sub, { externalIds: ["ann", "bob", "cy"] });

    const byQuantity = await release(f, sub, { quantity: 2 });
    expect(byQuantity.status).toBe(200);
    expect(byQuantity.body.releasedClaims.map((c: { id: string }) => c.id)).toEqual([first.id, second.id]);
    expect(byQuantity.body.releasedClaims[0]).toMatchObject({
      releasedAt: expect.any(Number),
      releaseReason: "released",
      externalId: null,
    });
    expect(byQuantity.body.usage).toEqual(usage(f, 10, 4));

    const byName = await release(f, sub, { externalId: "ann" });
    expect(byName.body.releasedClaims.map((c: { externalId: string }) => c.externalId)).toEqual(["ann"]);
    const byNames = await release(f, sub, { externalIds: ["cy"] });
    expect(byNames.body.usage).toEqual(usage(f, 10, 2));
    const bobId = (await read(f, sub, "claims?resourceSlug=seats")).body.claims.find(
      (c: { externalId: string | null }) => c.externalId === "bob",
    ).id;
    const byId = await release(f, sub, { claimIds: [bobId, third.id] });
    expect(byId.body.releasedClaims.map((c: { id: string }) => c.id)).toEqual([bobId, third.id]);
    expect(byId.body.usage).toEqual(usage(f, 10, 0));
    expect(await activeRows(sub)).toEqual([]);
  });

  it("refuses to release more than is held, releasing nothing", async () => {
    const { f, sub } = await seated({ seats: 10 });
    const anonymous = (await claim(f, sub, { quantity: 2 })).body.claims;
    await claim(f, sub, { externalId: "ann" });
    const refused: Record<string, unknown>[] = [
      { quantity: 3 },
      { externalId: "nobody" },
      { externalIds: ["ann", "nobody"] },
      { claimIds: [anonymous[0].id, "resource_claim_missing"] },
    ];
    for (const body of refused) {
      const res = await release(f, sub, body);
      expect(`${res.status} ${res.body.code}`, JSON.stringify(body)).toBe("422 UNPROCESSABLE_CONTENT");
    }
    await release(f, sub, { externalId: "ann" });
    const twice = await release(f, sub, { externalId: "ann" });
    expect(twice.status).toBe(422);
    expect(await activeRows(sub)).toHaveLength(2);
    for (const body of [{}, { quantity: 1, claimIds: ["x"] }]) {
      expect((await release(f, sub, body)).status).toBe(400);
    }
  });

  it("releases after the subscription ended", async () => {
    const { f, sub } = await seated();
    await claim(f, sub, { externalId: "ann" });
    await ctx.api("POST", `/api/v1/subscriptions/${sub}/cancel`, {
      key: f.key,
      body: { cancellation: { timing: "immediately" } },
    });
    const res = await release(f, sub, { externalId: "ann" });
    expect(res.status).toBe(200);
    expect(res.body.usage).toEqual(usage(f, 0, 0));
  });
});

describe("reading usage and claims", () => {
  it("usage by slug or id, usages of the named or held resources, active claims", async () => {
    const { f, sub } = await seated({ seats: 4 });
    const desks = await createResource(ctx, f.m, f.pricingModelId, { slug: "desks" }, f.key);
    await createResource(ctx, f.m, f.pricingModelId, { slug: "unused" }, f.key);
    const deskFeature = await createFeature(
      ctx,
      f.m,
      f.pricingModelId,
      {
        type: "resource",
        amount: 2,
        resourceId: desks.id,
      },
      f.key,
    );
    await attachFeature(ctx, f.key, f.productId, deskFeature.id);
    const held = (await claim(f, sub, { externalIds: ["ann", "bob"] })).body.claims;
    await claim(f, sub, { externalId: "bob" });
    await release(f, sub, { externalId: "bob" });
    const active = [held[0]];

    const bySlug = await read(f, sub, "usage?resourceSlug=seats");
    expect(bySlug.body).toEqual({ claims: active, usage: usage(f, 4, 1) });
    expect((await read(f, sub, `usage?resourceId=${f.seats.id}`)).body).toEqual(bySlug.body);
    for (const query of ["", `?resourceSlug=seats&resourceId=${f.seats.id}`]) {
      const res = await read(f, sub, `usage${query}`);
      expect(`${res.status} ${res.body.code}`, query).toBe("400 BAD_REQUEST");
    }
    expect((await read(f, sub, "usage?resourceSlug=nope")).status).toBe(404);

    const desksUsage = {
      claims: [],
      usage: { resourceId: desks.id, resourceSlug: "desks", capacity: 2, claimed: 0, available: 2 },
    };
    // Every resource held (capacity or claims), in the catalog's order; "unused" has neither.
    const all = await read(f, sub, "usages");
    expect(all.body).toEqual([bySlug.body, desksUsage]);
    // Comma lists, as @flowglad/node sends arrays (the comma percent-encoded).
    const named = await read(f, sub, `usages?resourceSlugs=${encodeURIComponent("desks,unused")}`);
    expect(named.body.map((u: { usage: { resourceSlug: string } }) => u.usage.resourceSlug)).toEqual([
      "desks",
      "unused",
    ]);
    const mixed = await read(f, sub, `usages?resourceSlugs=desks&resourceIds=${f.seats.id}`);
    expect(mixed.body).toEqual([bySlug.body, desksUsage]);
    expect((await read(f, sub, "usages?resourceSlugs=desks,nope")).status).toBe(404);

    expect((await read(f, sub, "claims")).body).toEqual({ claims: active });
    expect((await read(f, sub, "claims?resourceSlug=desks")).body).toEqual({ claims: [] });
  });

  it("another organization's key and the live key find no subscription", async () => {
    const { f, sub } = await seated();
    await claim(f, sub, { externalId: "ann" });
    const stranger = await ctx.merchant("Stranger");
    for (const key of [stranger.testKey, f.m.liveKey]) {
      expect((await claim(f, sub, { quantity: 1 }, key)).status).toBe(404);
      expect((await release(f, sub, { externalId: "ann" }, key)).status).toBe(404);
      for (const what of ["usage?resourceSlug=seats", "usage", "usages", "claims"]) {
        const res = await read(f, sub, what, key);
        expect(`${res.status} ${res.body.code}`, what).toBe("404 NOT_FOUND");
      }
    }
    expect(await activeRows(sub)).toHaveLength(1);
  });
});
