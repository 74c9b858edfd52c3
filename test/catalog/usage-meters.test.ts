import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { organizations } from "../../src/db/schema/index.js";
import {
  createPrice,
  createPricingModel,
  createUsageMeter,
  ok,
  type TestMerchant,
  testContext,
} from "../support/index.js";

const ctx = await testContext();

const post = (m: TestMerchant, body: unknown, key = m.testKey) =>
  ctx.api("POST", "/api/v1/usage-meters", { key, body });
const put = (m: TestMerchant, id: string, usageMeter: unknown, key = m.testKey) =>
  ctx.api("PUT", `/api/v1/usage-meters/${id}`, { key, body: { usageMeter } });
const get = (id: string, key: string) => ctx.api("GET", `/api/v1/usage-meters/${id}`, { key });

describe("usage meters", () => {
  it("creates, reads, lists and updates a meter", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const res = await post(m, { usageMeter: { name: "API calls", slug: "calls", pricingModelId: pm.id } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const meter = res.body.usageMeter;
    expect(meter).toEqual({
      id: expect.stringMatching(/^usage_meter_/),
      name: "API calls",
      slug: "calls",
      aggregationType: "sum",
      pricingModelId: pm.id,
      organizationId: m.organizationId,
      livemode: false,
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
    });
    expect((await ok(get(meter.id, m.testKey))).usageMeter).toEqual(meter);

    const distinct = await createUsageMeter(ctx, m, pm.id, {
      slug: "users",
      aggregationType: "count_distinct_properties",
    });
    expect(distinct.aggregationType).toBe("count_distinct_properties");
    const page1 = await ok(ctx.api("GET", "/api/v1/usage-meters?limit=1", { key: m.testKey }));
    expect(page1).toMatchObject({ total: 2, hasMore: true, data: [{ id: distinct.id }] });
    const page2 = await ok(
      ctx.api("GET", `/api/v1/usage-meters?limit=1&cursor=${page1.nextCursor}`, { key: m.testKey }),
    );
    expect(page2).toMatchObject({ total: 2, hasMore: false, data: [{ id: meter.id }] });

    const renamed = await ok(
      put(m, meter.id, { id: meter.id, name: "Requests", slug: "requests", aggregationType: "sum" }),
    );
    expect(renamed.usageMeter).toMatchObject({ id: meter.id, name: "Requests", slug: "requests" });
    expect(renamed.usageMeter.aggregationType).toBe("sum");
  });

  it("refuses to change the aggregation type, leaving the meter as it was", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const meter = await createUsageMeter(ctx, m, pm.id);
    const res = await put(m, meter.id, { name: "Renamed", aggregationType: "count_distinct_properties" });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("BAD_REQUEST");
    expect(res.body.message).toContain("aggregationType");
    expect((await ok(get(meter.id, m.testKey))).usageMeter).toEqual(meter);
  });

  it("with a price, also creates the meter's default usage price", async () => {
    const m = await ctx.merchant();
    await ctx.deps.db
      .update(organizations)
      .set({ defaultCurrency: "EUR" })
      .where(eq(organizations.id, m.organizationId));
    const pm = await createPricingModel(ctx, m);
    const meter = await createUsageMeter(
      ctx,
      m,
      pm.id,
      { name: "Tokens", slug: "tokens" },
      { type: "usage", unitPrice: 25, usageEventsPerUnit: 1000 },
    );
    const bare = await createUsageMeter(ctx, m, pm.id, { slug: "bare" }, {});
    const details = await ok(ctx.api("GET", `/api/v1/pricing-models/${pm.id}`, { key: m.testKey }));
    const [tokens, bareRow] = details.pricingModel.usageMeters;
    expect(tokens.id).toBe(meter.id);
    expect(tokens.prices).toEqual([
      expect.objectContaining({
        type: "usage",
        productId: null,
        usageMeterId: meter.id,
        unitPrice: 25,
        usageEventsPerUnit: 1000,
        intervalUnit: "month",
        intervalCount: 1,
        currency: "EUR",
        isDefault: true,
        name: "Tokens",
        slug: "tokens",
        pricingModelId: pm.id,
        trialPeriodDays: null,
      }),
    ]);
    expect(tokens.defaultPrice).toEqual(tokens.prices[0]);
    // Without values: free, one event per unit.
    expect(bareRow.id).toBe(bare.id);
    expect(bareRow.prices[0]).toMatchObject({ unitPrice: 0, usageEventsPerUnit: 1, isDefault: true });
  });

  it("writes nothing when its price cannot be made", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const notUsage = await post(m, {
      usageMeter: { name: "Calls", slug: "calls", pricingModelId: pm.id },
      price: { type: "subscription", unitPrice: 5 },
    });
    expect(notUsage.status).toBe(400);
    // A price slug already taken in the model: the meter's price would clash, so the meter is not made either.
    const loose = await createUsageMeter(ctx, m, pm.id, { slug: "other" });
    await createPrice(ctx, m, {
      type: "usage",
      pricingModelId: pm.id,
      usageMeterId: loose.id,
      unitPrice: 1,
      slug: "calls",
    });
    const clash = await post(m, {
      usageMeter: { name: "Calls", slug: "calls", pricingModelId: pm.id },
      price: { unitPrice: 5 },
    });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe("CONFLICT");
    const list = await ok(ctx.api("GET", "/api/v1/usage-meters", { key: m.testKey }));
    expect(list.data.map((u: any) => u.slug)).toEqual(["other"]);
  });

  it("keeps slugs unique per pricing model", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const other = await createPricingModel(ctx, m, { name: "Other" });
    const first = await createUsageMeter(ctx, m, pm.id, { slug: "calls" });
    const again = await post(m, { usageMeter: { name: "Calls", slug: "calls", pricingModelId: pm.id } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("CONFLICT");
    await createUsageMeter(ctx, m, other.id, { slug: "calls" });
    const second = await createUsageMeter(ctx, m, pm.id, { slug: "tokens" });
    const moved = await put(m, second.id, { slug: "calls" });
    expect(moved.status).toBe(409);
    expect((await ok(get(second.id, m.testKey))).usageMeter.slug).toBe("tokens");
    expect((await ok(get(first.id, m.testKey))).usageMeter.slug).toBe("calls");
  });

  it("rejects bad input with 400 and unknown pricing models with 404", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const bodies: unknown[] = [
      {},
      { usageMeter: { name: "x", pricingModelId: pm.id } },
      { usageMeter: { slug: "x", pricingModelId: pm.id } },
      { usageMeter: { name: "", slug: "x", pricingModelId: pm.id } },
      { usageMeter: { name: "x", slug: "x", pricingModelId: pm.id, aggregationType: "max" } },
      { usageMeter: { name: "x", slug: "x", pricingModelId: pm.id }, price: { unitPrice: -1 } },
      { usageMeter: { name: "x", slug: "x", pricingModelId: pm.id }, price: { usageEventsPerUnit: 0 } },
    ];
    for (const body of bodies) {
      const res = await post(m, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe("BAD_REQUEST");
    }
    const missing = await post(m, {
      usageMeter: { name: "x", slug: "x", pricingModelId: "pricing_model_nope" },
    });
    expect(missing.status).toBe(404);
    const meter = await createUsageMeter(ctx, m, pm.id);
    expect((await put(m, meter.id, { id: "usage_meter_other" })).status).toBe(400);
    expect((await put(m, "usage_meter_nope", { name: "x" })).status).toBe(404);
    expect((await get("usage_meter_nope", m.testKey)).status).toBe(404);
    expect((await ok(ctx.api("GET", "/api/v1/usage-meters", { key: m.testKey }))).total).toBe(1);
  });

  it("isolates meters by organization and mode", async () => {
    const m = await ctx.merchant();
    const other = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const meter = await createUsageMeter(ctx, m, pm.id);
    for (const key of [other.testKey, m.liveKey]) {
      const read = await get(meter.id, key);
      expect(read.status).toBe(404);
      expect(read.body.code).toBe("NOT_FOUND");
      expect((await put(m, meter.id, { name: "Hijack" }, key)).status).toBe(404);
      // Nor can a meter be made in A's pricing model.
      const made = await post(m, { usageMeter: { name: "x", slug: "x", pricingModelId: pm.id } }, key);
      expect(made.status).toBe(404);
      expect((await ok(ctx.api("GET", "/api/v1/usage-meters", { key }))).data).toEqual([]);
    }
    expect((await ok(get(meter.id, m.testKey))).usageMeter).toEqual(meter);
  });
});
