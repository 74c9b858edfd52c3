import { describe, expect, it } from "vitest";
import {
  ensureDefaultPricingModel,
  getDefaultPriceForProduct,
  getPricingModelDetails,
  resolveCheckoutPrice,
  seedDemoCatalog,
} from "../../src/catalog/index.js";
import type { Merchant } from "../../src/context/index.js";
import { testContext } from "../support/index.js";

const ctx = await testContext();

async function merchants(): Promise<{ test: Merchant; live: Merchant; other: Merchant }> {
  const m = await ctx.merchant();
  const o = await ctx.merchant();
  return {
    test: { organizationId: m.organizationId, livemode: false, apiKeyId: "test" },
    live: { organizationId: m.organizationId, livemode: true, apiKeyId: "live" },
    other: { organizationId: o.organizationId, livemode: false, apiKeyId: "other" },
  };
}

describe("catalog services", () => {
  it("creates one default pricing model even under concurrent first use", async () => {
    const { test, live } = await merchants();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => ensureDefaultPricingModel(ctx.deps.db, test, ctx.deps.now())),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const liveDefault = await ensureDefaultPricingModel(ctx.deps.db, live, ctx.deps.now());
    expect(liveDefault.id).not.toBe(results[0]?.id);
    expect(liveDefault.livemode).toBe(true);
  });

  it("seeds the demo catalog idempotently", async () => {
    const { test } = await merchants();
    const first = await seedDemoCatalog(ctx.deps.db, test, ctx.deps.now());
    const [second, third] = await Promise.all([
      seedDemoCatalog(ctx.deps.db, test, ctx.deps.now()),
      seedDemoCatalog(ctx.deps.db, test, ctx.deps.now()),
    ]);
    for (const again of [second, third]) {
      expect(again.product.id).toBe(first.product.id);
      expect(again.oneTimePrice.id).toBe(first.oneTimePrice.id);
      expect(again.monthlyPrice.id).toBe(first.monthlyPrice.id);
      expect(again.pricingModel.id).toBe(first.pricingModel.id);
    }
    expect(first.pricingModel.isDefault).toBe(true);
    expect(first.product).toMatchObject({ name: "Glade Pro", slug: "glade-pro" });
    expect(first.oneTimePrice).toMatchObject({
      type: "single_payment",
      slug: "pro-lifetime",
      unitPrice: 19900,
      currency: "USD",
      productId: first.product.id,
    });
    expect(first.monthlyPrice).toMatchObject({
      type: "subscription",
      slug: "pro-monthly",
      unitPrice: 1900,
      currency: "USD",
      intervalUnit: "month",
      intervalCount: 1,
      trialPeriodDays: 14,
      productId: first.product.id,
    });
    const details = await getPricingModelDetails(ctx.deps.db, test, first.pricingModel.id);
    expect(details.products).toHaveLength(1);
    expect(details.products[0]?.prices.map((p) => p.slug).sort()).toEqual(["pro-lifetime", "pro-monthly"]);
    const def = await getDefaultPriceForProduct(ctx.deps.db, test, first.product.id);
    expect(def?.id).toBe(first.oneTimePrice.id);
  });

  it("resolves checkout prices by id or slug, only inside the merchant's org and mode", async () => {
    const { test, live, other } = await merchants();
    const seeded = await seedDemoCatalog(ctx.deps.db, test, ctx.deps.now());

    const byId = await resolveCheckoutPrice(
      ctx.deps.db,
      test,
      { priceId: seeded.monthlyPrice.id },
      ctx.deps.now(),
    );
    expect(byId.price.id).toBe(seeded.monthlyPrice.id);
    expect(byId.product?.id).toBe(seeded.product.id);

    const bySlug = await resolveCheckoutPrice(
      ctx.deps.db,
      test,
      { priceSlug: "pro-lifetime" },
      ctx.deps.now(),
    );
    expect(bySlug.price.id).toBe(seeded.oneTimePrice.id);
    const inModel = await resolveCheckoutPrice(
      ctx.deps.db,
      test,
      {
        priceSlug: "pro-lifetime",
        pricingModelId: seeded.pricingModel.id,
      },
      ctx.deps.now(),
    );
    expect(inModel.price.id).toBe(seeded.oneTimePrice.id);

    await expect(resolveCheckoutPrice(ctx.deps.db, test, {}, ctx.deps.now())).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      resolveCheckoutPrice(
        ctx.deps.db,
        test,
        { priceId: seeded.oneTimePrice.id, priceSlug: "pro-lifetime" },
        ctx.deps.now(),
      ),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      resolveCheckoutPrice(ctx.deps.db, test, { priceSlug: "nope" }, ctx.deps.now()),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    for (const stranger of [live, other]) {
      await expect(
        resolveCheckoutPrice(ctx.deps.db, stranger, { priceId: seeded.oneTimePrice.id }, ctx.deps.now()),
      ).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(
        resolveCheckoutPrice(ctx.deps.db, stranger, { priceSlug: "pro-lifetime" }, ctx.deps.now()),
      ).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(
        getPricingModelDetails(ctx.deps.db, stranger, seeded.pricingModel.id),
      ).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
    }
  });

  it("leaves inactive products and prices out of the customer-facing details", async () => {
    const m = await ctx.merchant();
    const merchant: Merchant = { organizationId: m.organizationId, livemode: false, apiKeyId: "k" };
    const seeded = await seedDemoCatalog(ctx.deps.db, merchant, ctx.deps.now());
    const off = await ctx.api("PUT", `/api/v1/prices/${seeded.monthlyPrice.id}`, {
      key: m.testKey,
      body: { price: { active: false } },
    });
    expect(off.status).toBe(200);
    const all = await getPricingModelDetails(ctx.deps.db, merchant, seeded.pricingModel.id);
    const active = await getPricingModelDetails(ctx.deps.db, merchant, seeded.pricingModel.id, {
      activeOnly: true,
    });
    expect(all.products[0]?.prices).toHaveLength(2);
    expect(active.products[0]?.prices.map((p) => p.id)).toEqual([seeded.oneTimePrice.id]);

    await ctx.api("PUT", `/api/v1/products/${seeded.product.id}`, {
      key: m.testKey,
      body: { product: { active: false } },
    });
    const none = await getPricingModelDetails(ctx.deps.db, merchant, seeded.pricingModel.id, {
      activeOnly: true,
    });
    expect(none.products).toEqual([]);
  });
});
