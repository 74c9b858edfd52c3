import { describe, expect, it } from "vitest";
import {
  createCustomer,
  createFeature,
  createPrice,
  createPricingModel,
  createProduct,
  createResource,
  createUsageMeter,
  ok,
  testContext,
} from "../support/index.js";

const ctx = await testContext();

describe("pricing-model details with features and usage meters", () => {
  it("shows each product's live features and each meter with its usage prices", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m, { name: "Main", isDefault: true });
    const calls = await createUsageMeter(ctx, m, pm.id, { slug: "calls" }, { unitPrice: 3 });
    const tokens = await createUsageMeter(ctx, m, pm.id, { slug: "tokens" });
    const overage = await createPrice(ctx, m, {
      type: "usage",
      pricingModelId: pm.id,
      usageMeterId: calls.id,
      unitPrice: 5,
      slug: "calls-overage",
      active: false,
    });
    const seats = await createResource(ctx, m, pm.id);
    const sso = await createFeature(ctx, m, pm.id, { slug: "sso" });
    const credits = await createFeature(ctx, m, pm.id, {
      type: "usage_credit_grant",
      slug: "credits",
      amount: 100,
      renewalFrequency: "once",
      usageMeterId: calls.id,
    });
    const seatCap = await createFeature(ctx, m, pm.id, {
      type: "resource",
      slug: "seat-cap",
      amount: 3,
      resourceId: seats.id,
      active: false,
    });
    const pro = await createProduct(ctx, m, pm.id, { name: "Pro", slug: "pro" });
    await ok(
      ctx.api("PUT", `/api/v1/products/${pro.id}`, {
        key: m.testKey,
        body: { product: {}, featureIds: [sso.id, credits.id, seatCap.id] },
      }),
    );
    const basic = await createProduct(ctx, m, pm.id, { name: "Basic", slug: "basic" });

    const { pricingModel } = await ok(ctx.api("GET", `/api/v1/pricing-models/${pm.id}`, { key: m.testKey }));
    const bySlug = Object.fromEntries(pricingModel.products.map((p: any) => [p.slug, p]));
    expect(bySlug.pro.features).toEqual([sso, credits, seatCap]);
    expect(bySlug.basic.features).toEqual([]);
    expect(pricingModel.usageMeters.map((u: any) => u.id)).toEqual([calls.id, tokens.id]);
    const [callsRow, tokensRow] = pricingModel.usageMeters;
    expect(callsRow).toMatchObject({ ...calls, defaultPrice: { unitPrice: 3, isDefault: true } });
    expect(callsRow.prices.map((p: any) => [p.unitPrice, p.isDefault])).toEqual([
      [3, true],
      [5, false],
    ]);
    expect(callsRow.prices[1]).toEqual(overage);
    // A meter without prices has no defaultPrice at all, as Flowglad leaves it out.
    expect(tokensRow).toEqual({ ...tokens, prices: [] });
    // Usage prices live under their meter, not among any product's prices.
    expect(pricingModel.products.flatMap((p: any) => p.prices).some((p: any) => p.type === "usage")).toBe(
      false,
    );

    // The default pricing model reads the same.
    const def = await ok(ctx.api("GET", "/api/v1/pricing-models/default", { key: m.testKey }));
    expect(def.pricingModel).toEqual(pricingModel);

    // A product's own read shows the same features.
    const read = await ok(ctx.api("GET", `/api/v1/products/${pro.id}`, { key: m.testKey }));
    expect(read.features).toEqual([sso, credits, seatCap]);
    expect((await ok(ctx.api("GET", `/api/v1/products/${basic.id}`, { key: m.testKey }))).features).toEqual(
      [],
    );
  });

  it("the customer's billing view leaves out inactive features and inactive usage prices", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m, { name: "Main", isDefault: true });
    const meter = await createUsageMeter(ctx, m, pm.id, { slug: "calls" }, { unitPrice: 3 });
    await createPrice(ctx, m, {
      type: "usage",
      pricingModelId: pm.id,
      usageMeterId: meter.id,
      unitPrice: 5,
      active: false,
    });
    const on = await createFeature(ctx, m, pm.id, { slug: "on" });
    const off = await createFeature(ctx, m, pm.id, { slug: "off", active: false });
    await ctx.api("POST", "/api/v1/products", {
      key: m.testKey,
      body: {
        product: { name: "Pro", pricingModelId: pm.id },
        price: { type: "single_payment", unitPrice: 100 },
        featureIds: [on.id, off.id],
      },
    });
    await createCustomer(ctx, m.testKey, "viewer");
    const billing = await ok(ctx.api("GET", "/api/v1/customers/viewer/billing", { key: m.testKey }));
    expect(billing.pricingModel.products[0].features.map((f: any) => f.slug)).toEqual(["on"]);
    expect(billing.pricingModel.usageMeters).toHaveLength(1);
    expect(billing.pricingModel.usageMeters[0].prices.map((p: any) => p.unitPrice)).toEqual([3]);
    expect(billing.catalog).toEqual(billing.pricingModel);
    // The merchant's own view still has both.
    const full = await ok(ctx.api("GET", `/api/v1/pricing-models/${pm.id}`, { key: m.testKey }));
    expect(full.pricingModel.products[0].features.map((f: any) => f.slug)).toEqual(["on", "off"]);
    expect(full.pricingModel.usageMeters[0].prices).toHaveLength(2);
  });
});
