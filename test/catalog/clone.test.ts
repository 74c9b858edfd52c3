import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { prices } from "../../src/db/schema/index.js";
import { flowgladClient, ok, serveGlade, type TestMerchant, testContext } from "../support/index.js";

const ctx = await testContext();

type Source = {
  pricingModelId: string;
  productIds: string[];
  priceIds: string[];
  meterId: string;
  resourceId: string;
  featureIds: string[];
};

/**
 * A default pricing model with an active and an inactive product, several kinds of price, a usage meter with a
 * loose usage price, a resource, three features (one detached again from the product it was on).
 */
async function sourceCatalog(m: TestMerchant, key = m.testKey): Promise<Source> {
  const api = (method: string, path: string, body?: unknown) =>
    ok(ctx.api(method, path, body === undefined ? { key } : { key, body }), `${method} ${path}`);
  const pm = await api("POST", "/api/v1/pricing-models", { pricingModel: { name: "Main", isDefault: true } });
  const pricingModelId: string = pm.pricingModel.id;
  const pro = await api("POST", "/api/v1/products", {
    product: {
      name: "Pro",
      pricingModelId,
      slug: "pro",
      description: "All of it",
      singularQuantityLabel: "seat",
      pluralQuantityLabel: "seats",
      purchasePageEnabled: false,
    },
    price: {
      type: "subscription",
      unitPrice: 1999,
      currency: "EUR",
      intervalUnit: "month",
      slug: "pro-monthly",
    },
  });
  const productId: string = pro.product.id;
  const yearly = await api("POST", "/api/v1/prices", {
    price: {
      productId,
      type: "subscription",
      unitPrice: 19990,
      currency: "EUR",
      intervalUnit: "year",
      intervalCount: 1,
      trialPeriodDays: 14,
      slug: "pro-yearly",
      name: "Yearly",
    },
  });
  const old = await api("POST", "/api/v1/prices", {
    price: {
      productId,
      type: "subscription",
      unitPrice: 999,
      currency: "EUR",
      intervalUnit: "week",
      slug: "pro-old",
    },
  });
  await api("PUT", `/api/v1/prices/${old.price.id}`, { price: { active: false } });
  const setup = await api("POST", "/api/v1/products", {
    product: { name: "Setup", pricingModelId, slug: "setup" },
    price: {
      type: "single_payment",
      unitPrice: 5000,
      currency: "EUR",
      slug: "setup-once",
      purchasePageEnabled: false,
    },
  });
  await api("PUT", `/api/v1/products/${setup.product.id}`, { product: { active: false } });
  const meter = await api("POST", "/api/v1/usage-meters", {
    usageMeter: {
      name: "API calls",
      pricingModelId,
      slug: "calls",
      aggregationType: "count_distinct_properties",
    },
  });
  const meterId: string = meter.usageMeter.id;
  const usage = await api("POST", "/api/v1/prices", {
    price: {
      type: "usage",
      pricingModelId,
      unitPrice: 2,
      currency: "EUR",
      slug: "api-calls",
      usageMeterId: meterId,
      usageEventsPerUnit: 100,
    },
  });
  const resource = await api("POST", "/api/v1/resources", {
    resource: { name: "Seats", pricingModelId, slug: "seats" },
  });
  const resourceId: string = resource.resource.id;
  const feature = async (body: Record<string, unknown>) =>
    (await api("POST", "/api/v1/features", { feature: { pricingModelId, ...body } })).feature.id as string;
  const sso = await feature({ type: "toggle", name: "SSO", slug: "sso", description: "Single sign-on" });
  const credits = await feature({
    type: "usage_credit_grant",
    name: "Monthly calls",
    slug: "monthly-calls",
    amount: 1000,
    renewalFrequency: "every_billing_period",
    usageMeterId: meterId,
  });
  const seatCap = await feature({
    type: "resource",
    name: "5 seats",
    slug: "seat-cap",
    amount: 5,
    resourceId,
  });
  await api("PUT", `/api/v1/products/${productId}`, { product: {}, featureIds: [sso, credits, seatCap] });
  await api("PUT", `/api/v1/products/${productId}`, { product: {}, featureIds: [sso, credits] });
  await api("POST", "/api/v1/product-features", {
    productFeature: { productId: setup.product.id, featureId: seatCap },
  });
  const details = await api("GET", `/api/v1/pricing-models/${pricingModelId}`);
  return {
    pricingModelId,
    productIds: details.pricingModel.products.map((p: { id: string }) => p.id),
    priceIds: [
      ...details.pricingModel.products.flatMap((p: { prices: { id: string }[] }) =>
        p.prices.map((x) => x.id),
      ),
      usage.price.id,
      yearly.price.id,
    ],
    meterId,
    resourceId,
    featureIds: [sso, credits, seatCap],
  };
}

/** The catalog without what a copy must change: ids, owners, timestamps, mode and purchase links. */
function terms(details: any) {
  const strip = ({
    id,
    productId,
    pricingModelId,
    createdAt,
    updatedAt,
    livemode,
    purchaseUrl,
    usageMeterId,
    resourceId,
    ...rest
  }: any) => rest;
  return {
    products: details.products.map((p: any) => ({
      ...strip(p),
      prices: p.prices.map(strip),
      defaultPrice: p.defaultPrice ? strip(p.defaultPrice) : null,
      features: p.features.map(strip),
    })),
    usageMeters: details.usageMeters.map((u: any) => ({
      ...strip(u),
      prices: u.prices.map(strip),
      defaultPrice: strip(u.defaultPrice),
    })),
  };
}

const clone = (key: string, id: string, body: unknown) =>
  ctx.api("POST", `/api/v1/pricing-models/${id}/clone`, { key, body });

describe("POST /pricing-models/{id}/clone", () => {
  it("copies every product and price under new ids with the same slugs and terms, leaving the source alone", async () => {
    const m = await ctx.merchant();
    const source = await sourceCatalog(m);
    const before = await ok(
      ctx.api("GET", `/api/v1/pricing-models/${source.pricingModelId}`, { key: m.testKey }),
    );

    const res = await clone(m.testKey, source.pricingModelId, { name: "Main (copy)" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const copy = res.body.pricingModel;
    expect(copy).toMatchObject({
      name: "Main (copy)",
      isDefault: false,
      livemode: false,
      organizationId: m.organizationId,
    });
    expect(copy.id).not.toBe(source.pricingModelId);
    expect(terms(copy)).toEqual(terms(before.pricingModel));
    expect(copy.products.map((p: any) => p.slug)).toEqual(["pro", "setup"]);
    expect(copy.products.map((p: any) => p.active)).toEqual([true, false]);
    expect(copy.defaultProduct).toBeUndefined();
    for (const product of copy.products) {
      expect(source.productIds).not.toContain(product.id);
      expect(product.pricingModelId).toBe(copy.id);
      for (const price of product.prices) {
        expect(source.priceIds).not.toContain(price.id);
        expect(price).toMatchObject({ productId: product.id, pricingModelId: copy.id, livemode: false });
      }
    }
    const pro = copy.products[0];
    expect(pro.prices.map((p: any) => [p.slug, p.unitPrice, p.active, p.isDefault])).toEqual([
      ["pro-monthly", 1999, true, true],
      ["pro-yearly", 19990, true, false],
      ["pro-old", 999, false, false],
    ]);
    expect(pro.prices[1]).toMatchObject({
      intervalUnit: "year",
      trialPeriodDays: 14,
      currency: "EUR",
      name: "Yearly",
    });
    expect(pro).toMatchObject({
      purchasePageEnabled: false,
      singularQuantityLabel: "seat",
      description: "All of it",
    });
    expect(copy.products[1].prices[0]).toMatchObject({ slug: "setup-once", purchasePageEnabled: false });

    // The usage price without a product comes along too.
    const loose = await ctx.deps.db
      .select()
      .from(prices)
      .where(and(eq(prices.pricingModelId, copy.id), isNull(prices.productId)));
    expect(loose).toEqual([
      expect.objectContaining({
        type: "usage",
        slug: "api-calls",
        unitPrice: 2,
        usageMeterId: copy.usageMeters[0].id,
        usageEventsPerUnit: 100,
        livemode: false,
      }),
    ]);
    expect(source.priceIds).not.toContain(loose[0]?.id);

    // Meters, resources and features are copied, and what named them names the copies.
    expect(copy.usageMeters).toHaveLength(1);
    const meter = copy.usageMeters[0];
    expect(meter).toMatchObject({
      slug: "calls",
      aggregationType: "count_distinct_properties",
      pricingModelId: copy.id,
      prices: [expect.objectContaining({ id: loose[0]?.id, usageMeterId: meter.id })],
    });
    expect(meter.id).not.toBe(source.meterId);
    const copiedResources = await ok(
      ctx.api("GET", `/api/v1/resources?pricingModelId=${copy.id}`, { key: m.testKey }),
    );
    expect(copiedResources.resources).toEqual([
      expect.objectContaining({ slug: "seats", pricingModelId: copy.id, active: true }),
    ]);
    const resourceCopy = copiedResources.resources[0];
    expect(resourceCopy.id).not.toBe(source.resourceId);
    // Only live attachments: seat-cap was detached from pro, and stays on setup.
    expect(pro.features.map((f: any) => f.slug)).toEqual(["sso", "monthly-calls"]);
    expect(copy.products[1].features.map((f: any) => f.slug)).toEqual(["seat-cap"]);
    const [sso, credits] = pro.features;
    const seatCap = copy.products[1].features[0];
    for (const f of [sso, credits, seatCap]) {
      expect(source.featureIds).not.toContain(f.id);
      expect(f.pricingModelId).toBe(copy.id);
    }
    expect(sso).toMatchObject({ type: "toggle", description: "Single sign-on", usageMeterId: null });
    expect(credits).toMatchObject({
      amount: 1000,
      renewalFrequency: "every_billing_period",
      usageMeterId: meter.id,
    });
    expect(seatCap).toMatchObject({ type: "resource", amount: 5, resourceId: resourceCopy.id });
    const attachments = await ok(ctx.api("GET", "/api/v1/product-features?limit=100", { key: m.testKey }));
    const copiedAttachments = attachments.data.filter((pf: any) => pf.pricingModelId === copy.id);
    expect(copiedAttachments).toHaveLength(3);
    expect(copiedAttachments.every((pf: any) => pf.expiredAt === null)).toBe(true);
    expect(attachments.total).toBe(7);

    // The copy reads back the same, and the source is untouched and still the default.
    const reread = await ok(ctx.api("GET", `/api/v1/pricing-models/${copy.id}`, { key: m.testKey }));
    expect(reread.pricingModel).toEqual(copy);
    const after = await ok(
      ctx.api("GET", `/api/v1/pricing-models/${source.pricingModelId}`, { key: m.testKey }),
    );
    expect(after).toEqual(before);
    const byDefault = await ok(ctx.api("GET", "/api/v1/pricing-models/default", { key: m.testKey }));
    expect(byDefault.pricingModel.id).toBe(source.pricingModelId);
    const list = await ok(ctx.api("GET", "/api/v1/pricing-models", { key: m.testKey }));
    expect(list.total).toBe(2);
  });

  it("refuses a test key writing live data; live goes through export and setup; a live key copies into test", async () => {
    const m = await ctx.merchant();
    const source = await sourceCatalog(m);
    const refused = await clone(m.testKey, source.pricingModelId, {
      name: "Go live",
      destinationEnvironment: "livemode",
    });
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    expect(refused.body.code).toBe("FORBIDDEN");
    expect(refused.body.message).toContain("POST /api/v1/pricing-models/setup");
    expect((await ok(ctx.api("GET", "/api/v1/pricing-models", { key: m.liveKey }))).total).toBe(0);

    // The way live: the test model's file, set up by a live key.
    const file = await ok(
      ctx.api("GET", `/api/v1/pricing-models/${source.pricingModelId}/export`, { key: m.testKey }),
    );
    const live = await ok(
      ctx.api("POST", "/api/v1/pricing-models/setup", { key: m.liveKey, body: file.pricingModel }),
    );
    const copy = live.pricingModel;
    expect(copy.livemode).toBe(true);
    expect(copy.products.every((p: any) => p.livemode && p.prices.every((x: any) => x.livemode))).toBe(true);
    const priceId = copy.products[0].prices[0].id;
    expect((await ctx.api("GET", `/api/v1/prices/${priceId}`, { key: m.liveKey })).status).toBe(200);
    expect((await ctx.api("GET", `/api/v1/pricing-models/${copy.id}`, { key: m.testKey })).status).toBe(404);
    expect((await ctx.api("GET", `/api/v1/prices/${priceId}`, { key: m.testKey })).status).toBe(404);

    // And back: a live key may copy its model into test mode.
    const back = await clone(m.liveKey, copy.id, {
      name: "Back to test",
      destinationEnvironment: "testmode",
    });
    expect(back.status).toBe(200);
    expect(back.body.pricingModel).toMatchObject({ livemode: false, isDefault: false });
    expect(terms(back.body.pricingModel)).toEqual(terms({ ...copy, name: "Back to test", isDefault: false }));
    expect(
      (await ctx.api("GET", `/api/v1/pricing-models/${back.body.pricingModel.id}`, { key: m.testKey }))
        .status,
    ).toBe(200);
  });

  it("does not find another organization's or the other mode's pricing model", async () => {
    const m = await ctx.merchant();
    const source = await sourceCatalog(m);
    const outsider = await ctx.merchant();
    const cases: [string, string][] = [
      [outsider.testKey, source.pricingModelId],
      [m.liveKey, source.pricingModelId],
      [m.testKey, "pricing_model_nope"],
    ];
    for (const [key, id] of cases) {
      const res = await clone(key, id, { name: "Stolen", destinationEnvironment: "testmode" });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
    }
    for (const key of [outsider.testKey, outsider.liveKey, m.liveKey]) {
      expect((await ok(ctx.api("GET", "/api/v1/pricing-models", { key }))).total).toBe(0);
    }
    expect((await ok(ctx.api("GET", "/api/v1/pricing-models", { key: m.testKey }))).total).toBe(1);
  });

  it("rejects a missing or bad name and an unknown destination with 400", async () => {
    const m = await ctx.merchant();
    const source = await sourceCatalog(m);
    const bodies: unknown[] = [
      {},
      { name: "" },
      { name: "   " },
      { name: "x".repeat(256) },
      { name: 7 },
      { name: "Copy", destinationEnvironment: "production" },
      { pricingModel: { name: "Copy" } },
    ];
    for (const body of bodies) {
      const res = await clone(m.testKey, source.pricingModelId, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe("BAD_REQUEST");
    }
    expect((await ok(ctx.api("GET", "/api/v1/pricing-models", { key: m.testKey }))).total).toBe(1);
  });

  it("answers the official client's pricingModels.clone", async () => {
    const glade = await serveGlade();
    const m = await glade.ctx.merchant();
    const source = await sourceCatalog(m);
    const client = flowgladClient(glade, m.testKey);
    const { pricingModel } = await client.pricingModels.clone(source.pricingModelId, {
      name: "SDK copy",
      destinationEnvironment: "testmode",
    });
    expect(pricingModel).toMatchObject({ name: "SDK copy", livemode: false, isDefault: false });
    expect(pricingModel.products.map((p) => p.slug)).toEqual(["pro", "setup"]);
    expect((await client.pricingModels.retrieve(pricingModel.id)).pricingModel.id).toBe(pricingModel.id);
    // A test key never writes live data, through the official client too.
    await expect(
      client.pricingModels.clone(source.pricingModelId, { name: "Live", destinationEnvironment: "livemode" }),
    ).rejects.toMatchObject({ status: 403 });
  });
});
