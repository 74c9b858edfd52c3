import { Flowglad } from "@flowglad/node";
import { FlowgladServer } from "@flowglad/server";
import { describe, expect, it } from "vitest";
import {
  attachFeature,
  createFeature,
  createResource,
  type EntitledFixture,
  entitledFixture,
  flowgladClient,
  openSession,
  payCheckout,
  type RequestLog,
  serveGlade,
  sessionRow,
  subscribeTo,
} from "../support/index.js";

const glade = await serveGlade();
const ctx = glade.ctx;
const DAY = 86_400_000;

function serverFor(f: EntitledFixture) {
  return new FlowgladServer({
    customerExternalId: f.externalId,
    getCustomerDetails: async () => ({ name: "Ada", email: "ada@example.com" }),
    apiKey: f.key,
    baseURL: glade.baseUrl,
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error & { status?: number }> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: Error) => e,
  );
}

describe("@flowglad/node resourceClaims against Glade", () => {
  it("claims, reads usage, lists usages (comma lists) and releases", async () => {
    const f = await entitledFixture(ctx, { seats: 3 });
    const desks = await createResource(ctx, f.m, f.pricingModelId, { slug: "desks" }, f.key);
    const deskFeature = await createFeature(
      ctx,
      f.m,
      f.pricingModelId,
      {
        type: "resource",
        amount: 1,
        resourceId: desks.id,
      },
      f.key,
    );
    await attachFeature(ctx, f.key, f.productId, deskFeature.id);
    const sub = (await subscribeTo(ctx, f)).id as string;
    const log: RequestLog = [];
    const client = flowgladClient(glade, f.key, { log });

    const claimed = await client.resourceClaims.claim(sub, {
      resourceSlug: "seats",
      externalIds: ["ann", "bob"],
      metadata: { role: "admin" },
    });
    expect(claimed.usage).toEqual({
      resourceId: f.seats.id,
      resourceSlug: "seats",
      capacity: 3,
      claimed: 2,
      available: 1,
    });
    expect(claimed.claims.map((c) => [c.externalId, c.metadata, c.releasedAt])).toEqual([
      ["ann", { role: "admin" }, null],
      ["bob", { role: "admin" }, null],
    ]);

    const usage = await client.resourceClaims.retrieveUsage(sub, { resourceSlug: "seats" });
    expect(usage).toEqual({ claims: claimed.claims, usage: claimed.usage });
    expect(await client.resourceClaims.retrieveUsage(sub, { resourceId: f.seats.id })).toEqual(usage);

    const usages = await client.resourceClaims.listUsages(sub, { resourceSlugs: ["seats", "desks"] });
    expect(Array.isArray(usages)).toBe(true);
    expect(usages.map((u) => [u.usage.resourceSlug, u.usage.capacity, u.usage.claimed])).toEqual([
      ["seats", 3, 2],
      ["desks", 1, 0],
    ]);
    expect(log.at(-1)?.path).toBe(`/api/v1/resource-claims/${sub}/usages?resourceSlugs=seats%2Cdesks`);
    expect(await client.resourceClaims.listUsages(sub)).toEqual(usages);

    const over = await rejection(client.resourceClaims.claim(sub, { resourceSlug: "seats", quantity: 2 }));
    expect(over).toBeInstanceOf(Flowglad.UnprocessableEntityError);
    const released = await client.resourceClaims.release(sub, { resourceSlug: "seats", externalId: "ann" });
    expect(released.releasedClaims).toEqual([
      expect.objectContaining({
        externalId: "ann",
        releaseReason: "released",
        releasedAt: expect.any(Number),
      }),
    ]);
    expect(released.usage.available).toBe(2);
    const missing = await rejection(
      client.resourceClaims.retrieveUsage("sub_missing", { resourceSlug: "seats" }),
    );
    expect(missing).toBeInstanceOf(Flowglad.NotFoundError);
  });
});

describe("@flowglad/server against Glade", () => {
  it("claimResource, getResourceUsages, getResourceUsage, listResourceClaims and releaseResource", async () => {
    const f = await entitledFixture(ctx, { seats: 2 });
    await subscribeTo(ctx, f, { quantity: 2 });
    const server = serverFor(f);

    const claimed = await server.claimResource({ resourceSlug: "seats", quantity: 3 });
    expect(claimed.usage).toMatchObject({ capacity: 4, claimed: 3, available: 1 });
    const { resources } = await server.getResourceUsages();
    expect(resources).toEqual([
      { resourceId: f.seats.id, resourceSlug: "seats", capacity: 4, claimed: 3, available: 1 },
    ]);
    expect((await server.getResourceUsage({ resourceSlug: "seats" })).claims).toHaveLength(3);
    expect((await server.listResourceClaims({ resourceSlug: "seats" })).claims).toEqual(claimed.claims);
    const released = await server.releaseResource({ resourceSlug: "seats", quantity: 2 });
    expect(released.releasedClaims.map((c) => c.id)).toEqual(claimed.claims.slice(0, 2).map((c) => c.id));
    expect(released.usage).toMatchObject({ claimed: 1, available: 3 });
    const refused = await rejection(server.claimResource({ resourceSlug: "seats", quantity: 4 }));
    expect(refused.message).toContain("422");
  });

  it("checkFeatureAccess is true exactly while a toggle is granted", async () => {
    const f = await entitledFixture(ctx);
    const server = serverFor(f);
    expect((await server.getBilling()).checkFeatureAccess("sso")).toBe(false);

    // A trial has the plan's features.
    const sub = await subscribeTo(ctx, f, { trialEnd: Date.now() + 7 * DAY });
    expect(sub.status).toBe("trialing");
    let billing = await server.getBilling();
    expect(billing.checkFeatureAccess("sso")).toBe(true);
    // Only toggles count; other slugs are false.
    expect(billing.checkFeatureAccess("seat-pack")).toBe(false);
    expect(billing.checkFeatureAccess("nope")).toBe(false);
    expect(billing.currentSubscriptions?.[0]?.experimental?.usageMeterBalances).toEqual([]);

    // Scheduled to cancel at the period end: still granted until then.
    const cancel = (timing: string) =>
      ctx.api("POST", `/api/v1/subscriptions/${sub.id}/cancel`, {
        key: f.key,
        body: { cancellation: { timing } },
      });
    expect((await cancel("at_end_of_current_billing_period")).status).toBe(200);
    expect((await server.getBilling()).checkFeatureAccess("sso")).toBe(true);
    expect((await cancel("immediately")).status).toBe(200);
    billing = await server.getBilling();
    expect(billing.checkFeatureAccess("sso")).toBe(false);
    expect(billing.checkFeatureAccess("sso", { subscriptionId: sub.id })).toBe(false);
  });

  it("a subscription bought through the hosted checkout grants its toggle; expiring the grant ends it", async () => {
    const f = await entitledFixture(ctx);
    const { id } = (
      await openSession(ctx, f.key, {
        type: "product",
        customerExternalId: f.externalId,
        priceId: f.monthly.id,
      })
    ).checkoutSession;
    await payCheckout(ctx, id);
    const subscriptionId = (await sessionRow(ctx, id)).subscriptionId;
    const server = serverFor(f);
    const billing = await server.getBilling();
    expect(billing.currentSubscription?.id).toBe(subscriptionId);
    expect(billing.checkFeatureAccess("sso")).toBe(true);
    const grant = billing.currentSubscription?.experimental?.featureItems.find((g) => g.slug === "sso");
    if (!grant) throw new Error("no sso grant");

    const expired = await ctx.api("POST", `/api/v1/subscription-item-features/${grant.id}/expire`, {
      key: f.key,
      body: {},
    });
    expect(expired.status).toBe(200);
    expect((await server.getBilling()).checkFeatureAccess("sso")).toBe(false);
  });
});
