import { describe, expect, it } from "vitest";
import { createPricingModel, createProduct, ok, testContext } from "../support/index.js";

const ctx = await testContext();

describe("pricing models", () => {
  it("creates, lists, reads and renames a pricing model", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m, { name: "Main" });
    expect(pm).toMatchObject({
      name: "Main",
      isDefault: false,
      livemode: false,
      organizationId: m.organizationId,
    });
    expect(pm.id).toMatch(/^pricing_model_/);
    expect(typeof pm.createdAt).toBe("number");

    const list = await ok(ctx.api("GET", "/api/v1/pricing-models", { key: m.testKey }));
    expect(list).toMatchObject({ total: 1, hasMore: false });
    expect(list.data.map((p: any) => p.id)).toEqual([pm.id]);

    const read = await ok(ctx.api("GET", `/api/v1/pricing-models/${pm.id}`, { key: m.testKey }));
    expect(read.pricingModel).toMatchObject({ id: pm.id, name: "Main", products: [], usageMeters: [] });

    const renamed = await ok(
      ctx.api("PUT", `/api/v1/pricing-models/${pm.id}`, {
        key: m.testKey,
        body: { pricingModel: { name: "Renamed" } },
      }),
    );
    expect(renamed.pricingModel).toMatchObject({ id: pm.id, name: "Renamed" });
  });

  it("keeps exactly one default per organization and mode", async () => {
    const m = await ctx.merchant();
    const first = await createPricingModel(ctx, m, { name: "First", isDefault: true });
    const second = await createPricingModel(ctx, m, { name: "Second", isDefault: true });
    const live = await createPricingModel(ctx, m, { name: "Live", isDefault: true }, m.liveKey);

    const def = await ok(ctx.api("GET", "/api/v1/pricing-models/default", { key: m.testKey }));
    expect(def.pricingModel.id).toBe(second.id);
    expect(def.pricingModel.products).toEqual([]);
    const liveDef = await ok(ctx.api("GET", "/api/v1/pricing-models/default", { key: m.liveKey }));
    expect(liveDef.pricingModel.id).toBe(live.id);

    await ok(
      ctx.api("PUT", `/api/v1/pricing-models/${first.id}`, {
        key: m.testKey,
        body: { pricingModel: { isDefault: true } },
      }),
    );
    const list = await ok(ctx.api("GET", "/api/v1/pricing-models", { key: m.testKey }));
    const defaults = list.data.filter((p: any) => p.isDefault).map((p: any) => p.id);
    expect(defaults).toEqual([first.id]);

    const unset = await ctx.api("PUT", `/api/v1/pricing-models/${first.id}`, {
      key: m.testKey,
      body: { pricingModel: { isDefault: false } },
    });
    expect(unset.status).toBe(400);
    expect(unset.body.code).toBe("BAD_REQUEST");
  });

  it("creates the default pricing model on first use", async () => {
    const m = await ctx.merchant();
    const a = await ok(ctx.api("GET", "/api/v1/pricing-models/default", { key: m.testKey }));
    const b = await ok(ctx.api("GET", "/api/v1/pricing-models/default", { key: m.testKey }));
    expect(a.pricingModel).toMatchObject({ name: "Default", isDefault: true });
    expect(b.pricingModel.id).toBe(a.pricingModel.id);
  });

  it("rejects bad pricing model input", async () => {
    const m = await ctx.merchant();
    const unwrapped = await ctx.api("POST", "/api/v1/pricing-models", {
      key: m.testKey,
      body: { name: "x" },
    });
    expect(unwrapped.status).toBe(400);
    expect(unwrapped.body.code).toBe("BAD_REQUEST");
    const empty = await ctx.api("POST", "/api/v1/pricing-models", {
      key: m.testKey,
      body: { pricingModel: { name: "" } },
    });
    expect(empty.status).toBe(400);
    const badInterval = await ctx.api("POST", "/api/v1/pricing-models", {
      key: m.testKey,
      body: { pricingModel: { name: "x" }, defaultPlanIntervalUnit: "fortnight" },
    });
    expect(badInterval.status).toBe(400);
    const malformed = await ctx.api("POST", "/api/v1/pricing-models", {
      key: m.testKey,
      rawBody: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe("BAD_REQUEST");
    const missing = await ctx.api("GET", "/api/v1/pricing-models/pricing_model_nope", { key: m.testKey });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("NOT_FOUND");
    const pm = await createPricingModel(ctx, m);
    const mismatch = await ctx.api("PUT", `/api/v1/pricing-models/${pm.id}`, {
      key: m.testKey,
      body: { pricingModel: { id: "pricing_model_other", name: "y" } },
    });
    expect(mismatch.status).toBe(400);
  });

  it("isolates pricing models by organization and mode", async () => {
    const m = await ctx.merchant();
    const other = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    for (const key of [other.testKey, m.liveKey]) {
      expect((await ctx.api("GET", `/api/v1/pricing-models/${pm.id}`, { key })).status).toBe(404);
      const put = await ctx.api("PUT", `/api/v1/pricing-models/${pm.id}`, {
        key,
        body: { pricingModel: { name: "Hijack" } },
      });
      expect(put.status).toBe(404);
      expect((await ok(ctx.api("GET", "/api/v1/pricing-models", { key }))).data).toEqual([]);
    }
    const read = await ok(ctx.api("GET", `/api/v1/pricing-models/${pm.id}`, { key: m.testKey }));
    expect(read.pricingModel.name).toBe("Main");
  });
});

describe("products", () => {
  it("creates a product with its default price and reads it back unwrapped", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const created = await createProduct(
      ctx,
      m,
      pm.id,
      {
        slug: "widget",
        description: "A widget",
        imageURL: "https://example.com/w.png",
        singularQuantityLabel: "seat",
      },
      {
        type: "subscription",
        unitPrice: 1500,
        intervalUnit: "month",
        slug: "widget-monthly",
        trialPeriodDays: 7,
      },
    );
    expect(created).toMatchObject({
      name: "Widget",
      slug: "widget",
      description: "A widget",
      imageURL: "https://example.com/w.png",
      active: true,
      default: false,
      pricingModelId: pm.id,
      organizationId: m.organizationId,
      livemode: false,
      singularQuantityLabel: "seat",
      pluralQuantityLabel: null,
      purchasePageEnabled: true,
    });
    expect(created.prices).toBeUndefined();

    const read = await ok(ctx.api("GET", `/api/v1/products/${created.id}`, { key: m.testKey }));
    expect(read.id).toBe(created.id);
    expect(read.features).toEqual([]);
    expect(read.prices).toHaveLength(1);
    expect(read.defaultPrice).toMatchObject({
      productId: created.id,
      type: "subscription",
      unitPrice: 1500,
      currency: "USD",
      intervalUnit: "month",
      intervalCount: 1,
      trialPeriodDays: 7,
      isDefault: true,
      slug: "widget-monthly",
      pricingModelId: pm.id,
    });

    const details = await ok(ctx.api("GET", `/api/v1/pricing-models/${pm.id}`, { key: m.testKey }));
    expect(details.pricingModel.products).toHaveLength(1);
    expect(details.pricingModel.products[0].prices[0].id).toBe(read.defaultPrice.id);
  });

  it("updates a product, and a price with new terms becomes the new default", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const created = await createProduct(
      ctx,
      m,
      pm.id,
      { slug: "w" },
      { type: "single_payment", unitPrice: 1000, slug: "w-once" },
    );
    const before = await ok(ctx.api("GET", `/api/v1/products/${created.id}`, { key: m.testKey }));

    const renamed = await ok(
      ctx.api("PUT", `/api/v1/products/${created.id}`, {
        key: m.testKey,
        body: {
          product: { id: created.id, name: "Gadget", active: false },
          price: { type: "single_payment", unitPrice: 1000, name: "Once" },
        },
      }),
    );
    expect(renamed.product).toMatchObject({ name: "Gadget", active: false, slug: "w" });
    const same = await ok(ctx.api("GET", `/api/v1/products/${created.id}`, { key: m.testKey }));
    expect(same.prices).toHaveLength(1);
    expect(same.defaultPrice).toMatchObject({ id: before.defaultPrice.id, name: "Once" });

    await ok(
      ctx.api("PUT", `/api/v1/products/${created.id}`, {
        key: m.testKey,
        body: {
          product: { id: created.id },
          price: { type: "single_payment", unitPrice: 1200, slug: "w-once" },
        },
      }),
    );
    const after = await ok(ctx.api("GET", `/api/v1/products/${created.id}`, { key: m.testKey }));
    expect(after.prices).toHaveLength(2);
    expect(after.defaultPrice).toMatchObject({ unitPrice: 1200, slug: "w-once", isDefault: true });
    const old = after.prices.find((p: any) => p.id === before.defaultPrice.id);
    expect(old).toMatchObject({ unitPrice: 1000, isDefault: false, slug: null });
  });

  it("rejects bad product input", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const post = (body: unknown) => ctx.api("POST", "/api/v1/products", { key: m.testKey, body });
    const price = { type: "single_payment", unitPrice: 100 };

    const noPrice = await post({ product: { name: "x", pricingModelId: pm.id } });
    expect(noPrice.status).toBe(400);
    const unwrapped = await post({ name: "x", pricingModelId: pm.id, price });
    expect(unwrapped.status).toBe(400);
    const badImage = await post({
      product: { name: "x", pricingModelId: pm.id, imageURL: "javascript:alert(1)" },
      price,
    });
    expect(badImage.status).toBe(400);
    const wrongType = await post({ product: { name: 42, pricingModelId: pm.id }, price });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.code).toBe("BAD_REQUEST");

    const unknownPm = await post({ product: { name: "x", pricingModelId: "pricing_model_nope" }, price });
    expect(unknownPm.status).toBe(404);
    expect(unknownPm.body.code).toBe("NOT_FOUND");

    await createProduct(ctx, m, pm.id, { slug: "dup" });
    const dup = await post({ product: { name: "y", pricingModelId: pm.id, slug: "dup" }, price });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe("CONFLICT");
    expect(dup.headers.get("x-should-retry")).toBe("false");
    // The failed create left nothing behind.
    const list = await ok(ctx.api("GET", "/api/v1/products", { key: m.testKey }));
    expect(list.total).toBe(1);

    const other = await createPricingModel(ctx, m, { name: "Other" });
    await createProduct(ctx, m, other.id, { slug: "dup" });

    const missing = await ctx.api("GET", "/api/v1/products/prod_nope", { key: m.testKey });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("NOT_FOUND");
  });

  it("isolates products by organization and mode", async () => {
    const m = await ctx.merchant();
    const other = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const created = await createProduct(ctx, m, pm.id);
    for (const key of [other.testKey, m.liveKey]) {
      expect((await ctx.api("GET", `/api/v1/products/${created.id}`, { key })).status).toBe(404);
      const put = await ctx.api("PUT", `/api/v1/products/${created.id}`, {
        key,
        body: { product: { name: "Hijack" } },
      });
      expect(put.status).toBe(404);
      const list = await ok(ctx.api("GET", "/api/v1/products", { key }));
      expect(list).toMatchObject({ data: [], total: 0 });
      // Another tenant cannot attach a product to this pricing model either.
      const attach = await ctx.api("POST", "/api/v1/products", {
        key,
        body: {
          product: { name: "x", pricingModelId: pm.id },
          price: { type: "single_payment", unitPrice: 1 },
        },
      });
      expect(attach.status).toBe(404);
    }
    expect((await ok(ctx.api("GET", `/api/v1/products/${created.id}`, { key: m.testKey }))).name).toBe(
      "Widget",
    );
  });
});
