import { describe, expect, it } from "vitest";
import {
  createFeature,
  createPricingModel,
  createResource,
  createUsageMeter,
  ok,
  type TestMerchant,
  testContext,
} from "../support/index.js";

const ctx = await testContext();

const post = (m: TestMerchant, feature: unknown, key = m.testKey) =>
  ctx.api("POST", "/api/v1/features", { key, body: { feature } });
const put = (m: TestMerchant, id: string, feature: unknown, key = m.testKey) =>
  ctx.api("PUT", `/api/v1/features/${id}`, { key, body: { feature } });
const get = (id: string, key: string) => ctx.api("GET", `/api/v1/features/${id}`, { key });

/** A merchant with a pricing model holding a meter and a resource, and another model holding one of each. */
async function world() {
  const m = await ctx.merchant();
  const pm = await createPricingModel(ctx, m);
  const elsewhere = await createPricingModel(ctx, m, { name: "Elsewhere" });
  return {
    m,
    pm,
    meter: await createUsageMeter(ctx, m, pm.id),
    resource: await createResource(ctx, m, pm.id),
    foreignMeter: await createUsageMeter(ctx, m, elsewhere.id),
    foreignResource: await createResource(ctx, m, elsewhere.id),
  };
}

describe("features", () => {
  it("creates the three kinds, each with every field of Flowglad's shape", async () => {
    const { m, pm, meter, resource } = await world();
    const toggle = await ok(post(m, { type: "toggle", name: "SSO", slug: "sso", pricingModelId: pm.id }));
    const common = {
      id: expect.stringMatching(/^feature_/),
      pricingModelId: pm.id,
      organizationId: m.organizationId,
      livemode: false,
      active: true,
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
    };
    expect(toggle.feature).toEqual({
      ...common,
      type: "toggle",
      name: "SSO",
      slug: "sso",
      description: "",
      amount: null,
      renewalFrequency: null,
      usageMeterId: null,
      resourceId: null,
    });
    const credits = await ok(
      post(m, {
        type: "usage_credit_grant",
        name: "Calls",
        slug: "calls",
        description: "1000 calls a month",
        pricingModelId: pm.id,
        amount: 1000,
        renewalFrequency: "every_billing_period",
        usageMeterId: meter.id,
        resourceId: null,
      }),
    );
    expect(credits.feature).toEqual({
      ...common,
      type: "usage_credit_grant",
      name: "Calls",
      slug: "calls",
      description: "1000 calls a month",
      amount: 1000,
      renewalFrequency: "every_billing_period",
      usageMeterId: meter.id,
      resourceId: null,
    });
    const seats = await ok(
      post(m, {
        type: "resource",
        name: "Seats",
        slug: "seats",
        pricingModelId: pm.id,
        amount: 5,
        resourceId: resource.id,
        active: false,
      }),
    );
    expect(seats.feature).toEqual({
      ...common,
      active: false,
      type: "resource",
      name: "Seats",
      slug: "seats",
      description: "",
      amount: 5,
      renewalFrequency: null,
      usageMeterId: null,
      resourceId: resource.id,
    });
    expect((await ok(get(credits.feature.id, m.testKey))).feature).toEqual(credits.feature);
    const list = await ok(ctx.api("GET", "/api/v1/features", { key: m.testKey }));
    expect(list).toMatchObject({ total: 3, hasMore: false });
    expect(list.data.map((f: any) => f.slug)).toEqual(["seats", "calls", "sso"]);
  });

  it("checks each kind's fields, and what they name, before writing anything", async () => {
    const { m, pm, meter, resource, foreignMeter, foreignResource } = await world();
    const credit = {
      type: "usage_credit_grant",
      name: "Calls",
      slug: "calls",
      pricingModelId: pm.id,
      amount: 10,
      renewalFrequency: "once",
      usageMeterId: meter.id,
    };
    const seat = {
      type: "resource",
      name: "Seats",
      slug: "seats",
      pricingModelId: pm.id,
      amount: 3,
      resourceId: resource.id,
    };
    const toggle = { type: "toggle", name: "SSO", slug: "sso", pricingModelId: pm.id };
    const cases: [unknown, number][] = [
      [{ ...toggle, amount: 1 }, 400],
      [{ ...toggle, renewalFrequency: "once" }, 400],
      [{ ...toggle, usageMeterId: meter.id }, 400],
      [{ ...toggle, resourceId: resource.id }, 400],
      [{ ...toggle, type: "flag" }, 400],
      [{ ...credit, amount: undefined }, 400],
      [{ ...credit, amount: 0 }, 400],
      [{ ...credit, amount: -5 }, 400],
      [{ ...credit, amount: 1.5 }, 400],
      [{ ...credit, amount: "10" }, 400],
      [{ ...credit, amount: Number.MAX_SAFE_INTEGER + 2 }, 400],
      [{ ...credit, renewalFrequency: undefined }, 400],
      [{ ...credit, renewalFrequency: "monthly" }, 400],
      [{ ...credit, usageMeterId: undefined }, 400],
      [{ ...credit, usageMeterId: null }, 400],
      [{ ...credit, resourceId: resource.id }, 400],
      [{ ...credit, usageMeterId: foreignMeter.id }, 400],
      [{ ...credit, usageMeterId: "usage_meter_nope" }, 404],
      [{ ...seat, amount: undefined }, 400],
      [{ ...seat, resourceId: undefined }, 400],
      [{ ...seat, renewalFrequency: "once" }, 400],
      [{ ...seat, usageMeterId: meter.id }, 400],
      [{ ...seat, resourceId: foreignResource.id }, 400],
      [{ ...seat, resourceId: "resource_nope" }, 404],
      [{ ...toggle, pricingModelId: "pricing_model_nope" }, 404],
      [{ ...toggle, name: "" }, 400],
      [{ ...toggle, slug: undefined }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await post(m, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.code).toBe(status === 404 ? "NOT_FOUND" : "BAD_REQUEST");
    }
    expect((await ok(ctx.api("GET", "/api/v1/features", { key: m.testKey }))).total).toBe(0);
    await ok(post(m, toggle));
    const taken = await post(m, { ...credit, slug: "sso" });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe("CONFLICT");
  });

  it("updates name, slug, description, active and amount; what a feature is stays fixed", async () => {
    const { m, pm, meter, resource } = await world();
    const other = await createUsageMeter(ctx, m, pm.id);
    const credits = await createFeature(ctx, m, pm.id, {
      type: "usage_credit_grant",
      slug: "calls",
      amount: 100,
      renewalFrequency: "every_billing_period",
      usageMeterId: meter.id,
    });
    const changed = await ok(
      put(m, credits.id, {
        id: credits.id,
        name: "More calls",
        slug: "more-calls",
        description: "now more",
        active: false,
        amount: 250,
        // Echoed unchanged, as clients send whole objects back.
        type: "usage_credit_grant",
        pricingModelId: pm.id,
        renewalFrequency: "every_billing_period",
        usageMeterId: meter.id,
        resourceId: null,
      }),
    );
    expect(changed.feature).toMatchObject({
      id: credits.id,
      name: "More calls",
      slug: "more-calls",
      description: "now more",
      active: false,
      amount: 250,
      usageMeterId: meter.id,
    });
    const frozen: Record<string, unknown>[] = [
      { type: "toggle" },
      { renewalFrequency: "once" },
      { usageMeterId: other.id },
      { resourceId: resource.id },
      { pricingModelId: "pricing_model_other" },
      { amount: null },
      { id: "feature_other" },
    ];
    for (const body of frozen) {
      const res = await put(m, credits.id, { name: "Should not stick", ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe("BAD_REQUEST");
    }
    expect((await ok(get(credits.id, m.testKey))).feature).toEqual(changed.feature);

    const toggle = await createFeature(ctx, m, pm.id, { slug: "sso" });
    expect((await put(m, toggle.id, { amount: 3 })).status).toBe(400);
    expect((await ok(put(m, toggle.id, { amount: null, description: "SAML" }))).feature).toMatchObject({
      amount: null,
      description: "SAML",
    });
    const clash = await put(m, toggle.id, { slug: "more-calls" });
    expect(clash.status).toBe(409);
    expect((await put(m, "feature_nope", { name: "x" })).status).toBe(404);
  });

  it("isolates features by organization and mode", async () => {
    const { m, pm, meter } = await world();
    const other = await ctx.merchant();
    const feature = await createFeature(ctx, m, pm.id);
    const otherModel = await createPricingModel(ctx, other);
    for (const key of [other.testKey, m.liveKey]) {
      expect((await get(feature.id, key)).status).toBe(404);
      expect((await put(m, feature.id, { name: "Hijack" }, key)).status).toBe(404);
      expect((await ok(ctx.api("GET", "/api/v1/features", { key }))).data).toEqual([]);
      const inA = await post(m, { type: "toggle", name: "x", slug: "x", pricingModelId: pm.id }, key);
      expect(inA.status).toBe(404);
    }
    // Another organization cannot credit A's meter from its own pricing model.
    const borrowed = await post(
      other,
      {
        type: "usage_credit_grant",
        name: "x",
        slug: "x",
        pricingModelId: otherModel.id,
        amount: 1,
        renewalFrequency: "once",
        usageMeterId: meter.id,
      },
      other.testKey,
    );
    expect(borrowed.status).toBe(404);
    expect((await ok(get(feature.id, m.testKey))).feature).toEqual(feature);
  });
});
