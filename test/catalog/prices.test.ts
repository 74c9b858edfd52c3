import { describe, expect, it } from "vitest";
import {
  createPricingModel,
  createProduct,
  createUsageMeter,
  ok,
  type TestMerchant,
  testContext,
} from "../support/index.js";

const ctx = await testContext();

async function price(m: TestMerchant, fields: Record<string, unknown>) {
  return ctx.api("POST", "/api/v1/prices", { key: m.testKey, body: { price: fields } });
}

describe("prices", () => {
  it("creates, reads, lists and updates prices", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const prod = await createProduct(ctx, m, pm.id);

    const yearly = await price(m, {
      productId: prod.id,
      type: "subscription",
      unitPrice: 10000,
      currency: "eur",
      intervalUnit: "year",
      intervalCount: 2,
      slug: "yearly",
      name: "Yearly",
    });
    expect(yearly.status).toBe(200);
    expect(yearly.body.price).toMatchObject({
      productId: prod.id,
      type: "subscription",
      unitPrice: 10000,
      currency: "EUR",
      intervalUnit: "year",
      intervalCount: 2,
      trialPeriodDays: null,
      usageMeterId: null,
      usageEventsPerUnit: null,
      isDefault: false,
      active: true,
      livemode: false,
      pricingModelId: pm.id,
      purchasePageEnabled: true,
      slug: "yearly",
      name: "Yearly",
    });
    const id = yearly.body.price.id;
    expect(id).toMatch(/^price_/);

    const once = await price(m, { productId: prod.id, type: "single_payment", unitPrice: 0 });
    expect(once.body.price).toMatchObject({
      intervalUnit: null,
      intervalCount: null,
      trialPeriodDays: null,
      unitPrice: 0,
    });

    const read = await ok(ctx.api("GET", `/api/v1/prices/${id}`, { key: m.testKey }));
    expect(read.price).toEqual(yearly.body.price);

    const list = await ok(ctx.api("GET", "/api/v1/prices", { key: m.testKey }));
    expect(list.total).toBe(3);
    expect(list.data[0].id).toBe(once.body.price.id);

    const updated = await ok(
      ctx.api("PUT", `/api/v1/prices/${id}`, {
        key: m.testKey,
        body: {
          price: {
            id,
            type: "subscription",
            unitPrice: 10000,
            name: "Two years",
            isDefault: true,
            active: false,
          },
        },
      }),
    );
    expect(updated.price).toMatchObject({
      name: "Two years",
      isDefault: true,
      active: false,
      unitPrice: 10000,
    });
    const prodRead = await ok(ctx.api("GET", `/api/v1/products/${prod.id}`, { key: m.testKey }));
    expect(prodRead.defaultPrice.id).toBe(id);
    expect(prodRead.prices.filter((p: any) => p.isDefault)).toHaveLength(1);
  });

  it("uses the organization's default currency when none is given", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const prod = await createProduct(ctx, m, pm.id);
    const res = await price(m, { productId: prod.id, type: "single_payment", unitPrice: 5 });
    expect(res.body.price.currency).toBe("USD");
  });

  it("rejects bad amounts, intervals and types with 400", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const prod = await createProduct(ctx, m, pm.id);
    const base = { productId: prod.id, type: "single_payment" };
    const cases: Record<string, unknown>[] = [
      { ...base, unitPrice: -1 },
      { ...base, unitPrice: 10.5 },
      { ...base, unitPrice: 1e20 },
      { ...base, unitPrice: Number.MAX_SAFE_INTEGER + 1 },
      { ...base, unitPrice: "100" },
      { ...base },
      { ...base, unitPrice: 1, currency: "DOLLARS" },
      { ...base, unitPrice: 1, currency: "XYZ" },
      { ...base, type: "rental", unitPrice: 1 },
      { ...base, unitPrice: 1, intervalUnit: "month" },
      { ...base, unitPrice: 1, trialPeriodDays: 3 },
      { productId: prod.id, type: "subscription", unitPrice: 1 },
      { productId: prod.id, type: "subscription", unitPrice: 1, intervalUnit: "fortnight" },
      { productId: prod.id, type: "subscription", unitPrice: 1, intervalUnit: "month", intervalCount: 0 },
      { productId: prod.id, type: "subscription", unitPrice: 1, intervalUnit: "month", intervalCount: 1.5 },
      { productId: prod.id, type: "subscription", unitPrice: 1, intervalUnit: "month", trialPeriodDays: 731 },
      { productId: prod.id, type: "subscription", unitPrice: 1, intervalUnit: "month", trialPeriodDays: -1 },
      { type: "single_payment", unitPrice: 1 },
    ];
    for (const fields of cases) {
      const res = await price(m, fields);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.body.code).toBe("BAD_REQUEST");
    }
    const unwrapped = await ctx.api("POST", "/api/v1/prices", {
      key: m.testKey,
      body: { ...base, unitPrice: 1 },
    });
    expect(unwrapped.status).toBe(400);
    const malformed = await ctx.api("POST", "/api/v1/prices", { key: m.testKey, rawBody: '{"price":' });
    expect(malformed.status).toBe(400);

    const max = await price(m, { ...base, unitPrice: Number.MAX_SAFE_INTEGER });
    expect(max.status).toBe(200);
    expect(max.body.price.unitPrice).toBe(Number.MAX_SAFE_INTEGER);
    // Nothing invalid was stored: the product's first price plus the max-amount price.
    expect((await ok(ctx.api("GET", "/api/v1/prices", { key: m.testKey }))).total).toBe(2);
  });

  it("refuses a duplicate slug in the same pricing model with CONFLICT, allows it in another", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const prod = await createProduct(
      ctx,
      m,
      pm.id,
      {},
      { type: "single_payment", unitPrice: 1, slug: "taken" },
    );
    const dup = await price(m, { productId: prod.id, type: "single_payment", unitPrice: 2, slug: "taken" });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe("CONFLICT");
    expect(dup.body.message).toContain("taken");

    const second = await price(m, { productId: prod.id, type: "single_payment", unitPrice: 2, slug: "free" });
    const rename = await ctx.api("PUT", `/api/v1/prices/${second.body.price.id}`, {
      key: m.testKey,
      body: { price: { slug: "taken" } },
    });
    expect(rename.status).toBe(409);
    expect(rename.body.code).toBe("CONFLICT");

    const otherPm = await createPricingModel(ctx, m, { name: "Other" });
    const otherProd = await createProduct(ctx, m, otherPm.id);
    const elsewhere = await price(m, {
      productId: otherProd.id,
      type: "single_payment",
      unitPrice: 2,
      slug: "taken",
    });
    expect(elsewhere.status).toBe(200);
  });

  it("freezes charging terms on update", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const prod = await createProduct(ctx, m, pm.id);
    const read = await ok(ctx.api("GET", `/api/v1/products/${prod.id}`, { key: m.testKey }));
    const id = read.defaultPrice.id;
    for (const change of [
      { unitPrice: 1 },
      { type: "subscription" },
      { currency: "EUR" },
      { intervalUnit: "month" },
    ]) {
      const res = await ctx.api("PUT", `/api/v1/prices/${id}`, { key: m.testKey, body: { price: change } });
      expect(res.status, JSON.stringify(change)).toBe(400);
      expect(res.body.code).toBe("BAD_REQUEST");
    }
    const unsetDefault = await ctx.api("PUT", `/api/v1/prices/${id}`, {
      key: m.testKey,
      body: { price: { isDefault: false } },
    });
    expect(unsetDefault.status).toBe(400);
    const echo = await ctx.api("PUT", `/api/v1/prices/${id}`, {
      key: m.testKey,
      body: { price: { type: "single_payment", unitPrice: 4900, currency: "usd", intervalUnit: null } },
    });
    expect(echo.status).toBe(200);
    expect((await ok(ctx.api("GET", `/api/v1/prices/${id}`, { key: m.testKey }))).price.unitPrice).toBe(4900);
  });

  it("answers unknown prices and products with NOT_FOUND", async () => {
    const m = await ctx.merchant();
    const get = await ctx.api("GET", "/api/v1/prices/price_nope", { key: m.testKey });
    expect(get.status).toBe(404);
    expect(get.body.code).toBe("NOT_FOUND");
    const put = await ctx.api("PUT", "/api/v1/prices/price_nope", {
      key: m.testKey,
      body: { price: { name: "x" } },
    });
    expect(put.status).toBe(404);
    expect(put.body.code).toBe("NOT_FOUND");
    const orphan = await price(m, { productId: "prod_nope", type: "single_payment", unitPrice: 1 });
    expect(orphan.status).toBe(404);
    expect(orphan.body.code).toBe("NOT_FOUND");
  });

  it("stores usage prices, with or without a product", async () => {
    const m = await ctx.merchant();
    const def = await ok(ctx.api("GET", "/api/v1/pricing-models/default", { key: m.testKey }));
    const meter = await createUsageMeter(ctx, m, def.pricingModel.id);
    const res = await price(m, {
      type: "usage",
      unitPrice: 3,
      usageMeterId: meter.id,
      usageEventsPerUnit: 100,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.price).toMatchObject({
      type: "usage",
      productId: null,
      usageMeterId: meter.id,
      usageEventsPerUnit: 100,
      pricingModelId: def.pricingModel.id,
    });
    const prod = await createProduct(ctx, m, def.pricingModel.id);
    const withProduct = await price(m, {
      type: "usage",
      productId: prod.id,
      unitPrice: 1,
      usageMeterId: meter.id,
      intervalUnit: "month",
    });
    expect(withProduct.status, JSON.stringify(withProduct.body)).toBe(200);
    expect(withProduct.body.price).toMatchObject({ productId: prod.id, usageMeterId: meter.id });
  });

  it("puts a usage price named without a pricing model in its meter's, as the SDK's usage price has none", async () => {
    const m = await ctx.merchant();
    await createPricingModel(ctx, m, { name: "Main", isDefault: true });
    const other = await createPricingModel(ctx, m, { name: "Other" });
    const meter = await createUsageMeter(ctx, m, other.id);
    const res = await price(m, {
      type: "usage",
      unitPrice: 3,
      usageMeterId: meter.id,
      usageEventsPerUnit: 10,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.price).toMatchObject({ usageMeterId: meter.id, pricingModelId: other.id });
    // An unknown meter is still named in a 404.
    const missing = await price(m, { type: "usage", unitPrice: 3, usageMeterId: "usage_meter_nope" });
    expect(missing.status).toBe(404);
    expect(JSON.stringify(missing.body)).toContain("usage_meter_nope");
  });

  it("refuses a usage price without a meter of its own pricing model, on every path that makes one", async () => {
    const m = await ctx.merchant();
    const other = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const elsewhere = await createPricingModel(ctx, m, { name: "Elsewhere" });
    const foreignMeter = await createUsageMeter(ctx, m, elsewhere.id);
    const otherTenantMeter = await createUsageMeter(ctx, other, (await createPricingModel(ctx, other)).id);
    const liveMeter = await createUsageMeter(
      ctx,
      m,
      (await createPricingModel(ctx, m, { name: "Live" }, m.liveKey)).id,
      {},
      undefined,
      m.liveKey,
    );
    const usage = (usageMeterId?: string) => ({
      type: "usage",
      pricingModelId: pm.id,
      unitPrice: 5,
      ...(usageMeterId === undefined ? {} : { usageMeterId }),
    });
    const cases: [Record<string, unknown>, number, string][] = [
      [usage(), 400, "usageMeterId"],
      [usage("usage_meter_nope"), 404, "usage_meter_nope"],
      [usage(foreignMeter.id), 400, "usageMeterId"],
      [usage(otherTenantMeter.id), 404, otherTenantMeter.id],
      [usage(liveMeter.id), 404, liveMeter.id],
    ];
    for (const [body, status, mention] of cases) {
      const res = await price(m, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(res.body)).toContain(mention);
    }
    // A product created with such a price is not created at all.
    const product = await ctx.api("POST", "/api/v1/products", {
      key: m.testKey,
      body: { product: { name: "Metered", pricingModelId: pm.id }, price: usage(foreignMeter.id) },
    });
    expect(product.status).toBe(400);
    // Nor does an update's new default price point at another pricing model's meter.
    const prod = await createProduct(ctx, m, pm.id);
    const update = await ctx.api("PUT", `/api/v1/products/${prod.id}`, {
      key: m.testKey,
      body: { product: { name: "Renamed" }, price: usage(foreignMeter.id) },
    });
    expect(update.status).toBe(400);
    const details = await ok(ctx.api("GET", `/api/v1/pricing-models/${pm.id}`, { key: m.testKey }));
    expect(details.pricingModel.products.map((p: any) => p.name)).toEqual(["Widget"]);
    expect(details.pricingModel.products[0].prices).toHaveLength(1);
    const prices = await ok(ctx.api("GET", "/api/v1/prices?limit=100", { key: m.testKey }));
    expect(prices.data.filter((p: any) => p.type === "usage")).toEqual([]);
  });

  it("keeps one default usage price per meter", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const meter = await createUsageMeter(ctx, m, pm.id, {}, { unitPrice: 2 });
    const usage = { type: "usage", pricingModelId: pm.id, usageMeterId: meter.id, intervalUnit: "month" };
    const second = await ok(price(m, { ...usage, unitPrice: 3, isDefault: true }));
    const third = await ok(price(m, { ...usage, unitPrice: 4 }));
    const defaults = async () => {
      const d = await ok(ctx.api("GET", `/api/v1/pricing-models/${pm.id}`, { key: m.testKey }));
      const [row] = d.pricingModel.usageMeters;
      return {
        flagged: row.prices.filter((p: any) => p.isDefault).map((p: any) => p.unitPrice),
        defaultPrice: row.defaultPrice.unitPrice,
      };
    };
    expect(await defaults()).toEqual({ flagged: [3], defaultPrice: 3 });
    await ok(
      ctx.api("PUT", `/api/v1/prices/${third.price.id}`, {
        key: m.testKey,
        body: { price: { isDefault: true } },
      }),
    );
    expect(await defaults()).toEqual({ flagged: [4], defaultPrice: 4 });
    expect(second.price.isDefault).toBe(true);
  });

  it("isolates prices by organization and mode", async () => {
    const m = await ctx.merchant();
    const other = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const prod = await createProduct(ctx, m, pm.id);
    const read = await ok(ctx.api("GET", `/api/v1/products/${prod.id}`, { key: m.testKey }));
    const id = read.defaultPrice.id;
    for (const key of [other.testKey, m.liveKey]) {
      expect((await ctx.api("GET", `/api/v1/prices/${id}`, { key })).status).toBe(404);
      const put = await ctx.api("PUT", `/api/v1/prices/${id}`, { key, body: { price: { name: "Hijack" } } });
      expect(put.status).toBe(404);
      expect((await ok(ctx.api("GET", "/api/v1/prices", { key }))).total).toBe(0);
      const attach = await ctx.api("POST", "/api/v1/prices", {
        key,
        body: { price: { productId: prod.id, type: "single_payment", unitPrice: 1 } },
      });
      expect(attach.status).toBe(404);
      expect(attach.body.code).toBe("NOT_FOUND");
    }
    expect((await ok(ctx.api("GET", `/api/v1/prices/${id}`, { key: m.testKey }))).price.name).toBeNull();
  });
});
