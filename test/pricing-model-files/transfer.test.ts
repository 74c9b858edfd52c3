import { describe, expect, it } from "vitest";
import { catalogFixture, createUsageMeter, ok, type TestMerchant, testContext } from "../support/index.js";

const ctx = await testContext();

/** A file with every kind of object the format carries. */
const FILE = {
  name: "Everything",
  isDefault: false,
  features: [
    { type: "toggle", slug: "sso", name: "SSO", description: "Single sign-on", active: true },
    {
      type: "usage_credit_grant",
      slug: "monthly-calls",
      name: "1,000 calls a month",
      description: "",
      active: true,
      amount: 1000,
      renewalFrequency: "every_billing_period",
      usageMeterSlug: "calls",
    },
    {
      type: "resource",
      slug: "five-seats",
      name: "5 seats",
      description: "",
      active: true,
      amount: 5,
      resourceSlug: "seats",
    },
  ],
  products: [
    {
      product: {
        name: "Lifetime",
        slug: "lifetime",
        description: null,
        active: true,
        singularQuantityLabel: null,
        pluralQuantityLabel: null,
      },
      price: {
        type: "single_payment",
        slug: "lifetime-once",
        name: null,
        unitPrice: 19900,
        currency: "USD",
        isDefault: true,
        active: true,
      },
      features: ["sso"],
    },
    {
      product: {
        name: "Team",
        slug: "team",
        description: "For teams",
        active: true,
        singularQuantityLabel: "seat",
        pluralQuantityLabel: "seats",
      },
      price: {
        type: "subscription",
        slug: "team-monthly",
        name: "Monthly",
        unitPrice: 2900,
        currency: "USD",
        isDefault: true,
        active: true,
        intervalUnit: "month",
        intervalCount: 1,
        trialPeriodDays: 14,
      },
      prices: [
        {
          type: "subscription",
          slug: "team-yearly",
          name: "Yearly",
          unitPrice: 29000,
          currency: "USD",
          isDefault: false,
          active: true,
          intervalUnit: "year",
          intervalCount: 1,
          trialPeriodDays: null,
        },
      ],
      features: ["five-seats", "monthly-calls", "sso"],
    },
  ],
  usageMeters: [
    {
      usageMeter: { name: "API calls", slug: "calls", aggregationType: "sum" },
      prices: [
        {
          type: "usage",
          slug: "calls-overage",
          name: null,
          unitPrice: 2,
          currency: "USD",
          isDefault: true,
          active: true,
          usageEventsPerUnit: 10,
          intervalUnit: "month",
          intervalCount: 1,
        },
      ],
    },
    {
      usageMeter: { name: "Active users", slug: "users", aggregationType: "count_distinct_properties" },
      prices: [],
    },
  ],
  resources: [{ slug: "seats", name: "Seats", active: true }],
  discounts: [
    {
      name: "Always",
      code: "ALWAYS",
      amountType: "percent",
      amount: 5,
      duration: "forever",
      numberOfPayments: null,
      active: true,
    },
    {
      name: "Launch",
      code: "LAUNCH",
      amountType: "fixed",
      amount: 1000,
      duration: "once",
      numberOfPayments: null,
      active: true,
    },
    {
      name: "Three",
      code: "THREE",
      amountType: "percent",
      amount: 20,
      duration: "number_of_payments",
      numberOfPayments: 3,
      active: false,
    },
  ],
};

const setup = (key: string, body: unknown) => ctx.api("POST", "/api/v1/pricing-models/setup", { key, body });
const exportOf = (key: string, id: string) => ctx.api("GET", `/api/v1/pricing-models/${id}/export`, { key });

async function pricingModelCount(m: TestMerchant, key = m.testKey) {
  return (await ok(ctx.api("GET", "/api/v1/pricing-models?limit=100", { key }))).total as number;
}

describe("pricing models in and out", () => {
  it("imports a file with every kind of object and exports exactly the same file", async () => {
    const m = await ctx.merchant();
    const created = await ok(setup(m.testKey, FILE));
    const details = created.pricingModel;
    expect(details.name).toBe("Everything");
    expect(details.products.map((p: { slug: string }) => p.slug).sort()).toEqual(["lifetime", "team"]);
    const team = details.products.find((p: { slug: string }) => p.slug === "team");
    expect(team.defaultPrice.slug).toBe("team-monthly");
    expect(team.features.map((f: { slug: string }) => f.slug).sort()).toEqual([
      "five-seats",
      "monthly-calls",
      "sso",
    ]);
    const exported = (await ok(exportOf(m.testKey, details.id))).pricingModel;
    // The export lists everything in slug order.
    const features = [...FILE.features].sort((x, y) => x.slug.localeCompare(y.slug));
    expect(exported).toEqual({ ...FILE, features });
  });

  it("moves a model into the other mode and another organization, and round-trips again", async () => {
    const a = await ctx.merchant();
    const first = await ok(setup(a.testKey, FILE));
    const file = (await ok(exportOf(a.testKey, first.pricingModel.id))).pricingModel;
    const live = await ok(setup(a.liveKey, file));
    expect(live.pricingModel.livemode).toBe(true);
    expect((await ok(exportOf(a.liveKey, live.pricingModel.id))).pricingModel).toEqual(file);
    const b = await ctx.merchant();
    const copied = await ok(setup(b.testKey, file));
    expect((await ok(exportOf(b.testKey, copied.pricingModel.id))).pricingModel).toEqual(file);
    // Another organization's or mode's model is not found.
    expect((await exportOf(b.testKey, first.pricingModel.id)).status).toBe(404);
    expect((await exportOf(a.liveKey, first.pricingModel.id)).status).toBe(404);
  });

  it("exports a catalog made through the API as a file that imports", async () => {
    const f = await catalogFixture(ctx);
    const file = (await ok(exportOf(f.merchant.testKey, f.pricingModelId))).pricingModel;
    expect(file.products[0].price).toMatchObject({ slug: "pro-once", unitPrice: 1999 });
    const other = await ctx.merchant();
    const copied = await ok(setup(other.testKey, { ...file, isDefault: true }));
    expect(copied.pricingModel.isDefault).toBe(true);
    expect((await ok(exportOf(other.testKey, copied.pricingModel.id))).pricingModel).toEqual({
      ...file,
      isDefault: true,
    });
  });

  it("exports a product's own usage prices with their product, and imports them back onto it", async () => {
    // Found by the fuzz suite under load: the export answered 500 once a product had a usage price.
    const f = await catalogFixture(ctx);
    const key = f.merchant.testKey;
    const meter = await createUsageMeter(
      ctx,
      f.merchant,
      f.pricingModelId,
      { slug: "api-calls" },
      { unitPrice: 1 },
    );
    const usage = { type: "usage", unitPrice: 5, currency: "USD", usageMeterId: meter.id };
    await ok(
      ctx.api("POST", "/api/v1/prices", {
        key,
        body: { price: { ...usage, productId: f.productId, slug: "pro-calls" } },
      }),
    );
    await ok(
      ctx.api("POST", "/api/v1/products", {
        key,
        body: {
          product: { name: "Metered", slug: "metered", pricingModelId: f.pricingModelId },
          price: { ...usage, slug: "metered-calls" },
        },
      }),
    );
    const file = (await ok(exportOf(key, f.pricingModelId))).pricingModel;
    const product = (slug: string) =>
      file.products.find((p: { product: { slug: string } }) => p.product.slug === slug);
    expect(product("metered").price).toMatchObject({
      type: "usage",
      slug: "metered-calls",
      usageMeterSlug: "api-calls",
    });
    expect(product(f.productId).prices).toContainEqual(
      expect.objectContaining({ slug: "pro-calls", usageMeterSlug: "api-calls" }),
    );
    const meterPrices = file.usageMeters.find(
      (m: { usageMeter: { slug: string } }) => m.usageMeter.slug === "api-calls",
    ).prices;
    expect(meterPrices.map((p: { slug: string }) => p.slug)).not.toContain("pro-calls");
    expect(meterPrices.map((p: { slug: string }) => p.slug)).not.toContain("metered-calls");

    const other = await ctx.merchant();
    const copied = await ok(setup(other.testKey, file));
    expect((await ok(exportOf(other.testKey, copied.pricingModel.id))).pricingModel).toEqual(file);
    const broken = structuredClone(file);
    broken.products.find(
      (p: { product: { slug: string } }) => p.product.slug === "metered",
    ).price.usageMeterSlug = "nope";
    const refused = await setup(other.testKey, broken);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/usageMeterSlug: no usage meter "nope"/);
  });

  it("refuses a malformed file with a 400 naming the first bad path, and writes nothing", async () => {
    const m = await ctx.merchant();
    const before = await pricingModelCount(m);
    const bad = (change: (file: typeof FILE) => unknown) => change(structuredClone(FILE));
    const cases: [unknown, string][] = [
      [
        bad((f) => {
          (f.products[1] as { price: { unitPrice: unknown } }).price.unitPrice = "lots";
          return f;
        }),
        "products.1.price.unitPrice",
      ],
      [bad((f) => ({ ...f, name: undefined })), "name"],
      [
        bad((f) => {
          f.products[0]?.features.push("missing-feature");
          return f;
        }),
        "products.0.features.1",
      ],
      [
        bad((f) => {
          (f.features[1] as { usageMeterSlug: string }).usageMeterSlug = "nope";
          return f;
        }),
        "features.1.usageMeterSlug",
      ],
      [
        bad((f) => {
          (f.products[1] as { product: { slug: string } }).product.slug = "lifetime";
          return f;
        }),
        "products.1.product.slug",
      ],
      [
        bad((f) => {
          (f.usageMeters[0]?.prices[0] as { slug: string }).slug = "team-yearly";
          return f;
        }),
        "usageMeters.0.prices.0.slug",
      ],
    ];
    for (const [body, path] of cases) {
      const res = await setup(m.testKey, body);
      expect(res.status, path).toBe(400);
      expect(res.body.code).toBe("BAD_REQUEST");
      expect(JSON.stringify(res.body), path).toContain(path.split(".").at(-1) as string);
      if (!res.body.message.includes("Invalid request")) expect(res.body.message).toContain(path);
    }
    // A rule only the last step checks (a percent discount above 100) rolls everything back.
    const late = bad((f) => {
      (f.discounts[2] as { amount: number }).amount = 150;
      return f;
    });
    const refused = await setup(m.testKey, late);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain("discount.amount");
    expect(await pricingModelCount(m)).toBe(before);
  });
});
