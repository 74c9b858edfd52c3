import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  auditLog,
  discounts,
  features,
  prices,
  pricingModels,
  productFeatures,
} from "../../src/db/schema/index.js";
import { catalogFixture, dashboardUser, ok, signInDashboard, testContext } from "../support/index.js";

const ctx = await testContext();

async function world(role: "owner" | "admin" | "viewer" = "admin") {
  const f = await catalogFixture(ctx, { merchantName: `Forms ${role}` });
  const user = await dashboardUser(ctx, f.merchant.organizationId, role);
  return { f, visit: await signInDashboard(ctx, user.email) };
}

const audited = async (organizationId: string, action: string) =>
  ctx.deps.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.organizationId, organizationId), eq(auditLog.action, action)));

const DISCOUNT = {
  name: "Launch",
  code: "LAUNCH10",
  amountType: "percent",
  amount: "10",
  currency: "USD",
  duration: "once",
  numberOfPayments: "",
};

describe("catalog forms", () => {
  it("creates a pricing model, with the name's error next to it when it is missing", async () => {
    const { f, visit } = await world();
    const form = await visit.get("/dashboard/catalog/pricing-models/new");
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="isDefault"');
    const count = async () =>
      (
        await ctx.deps.db
          .select()
          .from(pricingModels)
          .where(eq(pricingModels.organizationId, f.merchant.organizationId))
      ).length;
    const before = await count();
    const refused = await visit.post("/dashboard/catalog/pricing-models", { name: "  " });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/aria-invalid="true" aria-describedby="name-error"/);
    expect(await count()).toBe(before);
    const made = await visit.post("/dashboard/catalog/pricing-models", { name: "Enterprise" });
    expect(made.status).toBe(303);
    expect(made.headers.get("location")).toMatch(
      /^\/dashboard\/catalog\?done=model-created#model-pricing_model_/,
    );
    expect(await count()).toBe(before + 1);
    expect((await visit.get("/dashboard/catalog?done=model-created")).text).toContain(
      "Pricing model created.",
    );
    expect(await audited(f.merchant.organizationId, "pricing_model.created")).toHaveLength(1);
  });

  it("creates discounts field by field, refuses a taken code, and switches one off and on", async () => {
    const { f, visit } = await world();
    const path = `/dashboard/catalog/pricing-models/${f.pricingModelId}/discounts`;
    expect((await visit.get(`${path}/new`)).status).toBe(200);
    const bad = await visit.post(path, {
      ...DISCOUNT,
      code: "no spaces",
      amount: "150",
      duration: "number_of_payments",
      numberOfPayments: "",
    });
    expect(bad.status).toBe(400);
    for (const field of ["code", "amount", "numberOfPayments"])
      expect(bad.text).toContain(`id="${field}-error"`);
    const ofOrg = () =>
      ctx.deps.db.select().from(discounts).where(eq(discounts.organizationId, f.merchant.organizationId));
    expect(await ofOrg()).toHaveLength(0);

    expect((await visit.post(path, DISCOUNT)).status).toBe(303);
    const fixed = await visit.post(path, {
      ...DISCOUNT,
      name: "Five off",
      code: "FIVE",
      amountType: "fixed",
      amount: "5.00",
      duration: "number_of_payments",
      numberOfPayments: "3",
    });
    expect(fixed.status).toBe(303);
    const rows = await ofOrg();
    expect(rows.find((d) => d.code === "FIVE")).toMatchObject({
      amountType: "fixed",
      amount: 500,
      duration: "number_of_payments",
      numberOfPayments: 3,
      pricingModelId: f.pricingModelId,
    });
    const taken = await visit.post(path, { ...DISCOUNT, code: "launch10" });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain("Another discount of this pricing model has this code.");
    expect(await ofOrg()).toHaveLength(2);

    const launch = rows.find((d) => d.code === "LAUNCH10");
    const off = await visit.post(`/dashboard/catalog/discounts/${launch?.id}/active`, { active: "false" });
    expect(off.status).toBe(303);
    const api = async () =>
      (await ok(ctx.api("GET", `/api/v1/discounts/${launch?.id}`, { key: f.merchant.testKey }))).discount;
    expect((await api()).active).toBe(false);
    expect(
      (await visit.post(`/dashboard/catalog/discounts/${launch?.id}/active`, { active: "true" })).status,
    ).toBe(303);
    expect((await api()).active).toBe(true);
    expect(await audited(f.merchant.organizationId, "discount.created")).toHaveLength(2);
    expect(await audited(f.merchant.organizationId, "discount.deactivated")).toHaveLength(1);
  });

  it("creates a feature, attaches it to a product and detaches it", async () => {
    const { f, visit } = await world();
    const path = `/dashboard/catalog/pricing-models/${f.pricingModelId}/features`;
    const bad = await visit.post(path, { name: "Seats", slug: "Seats!" });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="slug-error"');
    expect((await visit.post(path, { name: "Priority support", slug: "priority-support" })).status).toBe(303);
    expect((await visit.post(path, { name: "Again", slug: "priority-support" })).text).toContain(
      "Another feature of this pricing model has this slug.",
    );
    const [feature] = await ctx.deps.db
      .select()
      .from(features)
      .where(
        and(eq(features.organizationId, f.merchant.organizationId), eq(features.slug, "priority-support")),
      );
    expect(feature?.type).toBe("toggle");

    const productPage = await visit.get(`/dashboard/catalog/products/${f.productId}`);
    expect(productPage.text).toContain("Attach a feature of this pricing model");
    const attach = await visit.post(`/dashboard/catalog/products/${f.productId}/features`, {
      featureId: feature?.id ?? "",
    });
    expect(attach.status).toBe(303);
    const live = () =>
      ctx.deps.db
        .select()
        .from(productFeatures)
        .where(
          and(eq(productFeatures.productId, f.productId), eq(productFeatures.featureId, feature?.id ?? "")),
        );
    expect((await live()).filter((r) => r.expiredAt === null)).toHaveLength(1);
    expect((await visit.get(`/dashboard/catalog/products/${f.productId}`)).text).toContain(
      "priority-support",
    );
    const detach = await visit.post(`/dashboard/catalog/products/${f.productId}/features`, {
      featureId: feature?.id ?? "",
      detach: "true",
    });
    expect(detach.status).toBe(303);
    expect((await live()).filter((r) => r.expiredAt === null)).toHaveLength(0);
    expect(await audited(f.merchant.organizationId, "product_feature.detached")).toHaveLength(1);
  });

  it("adds another price to a product, with errors next to the fields", async () => {
    const { f, visit } = await world();
    const path = `/dashboard/catalog/products/${f.productId}/prices`;
    expect((await visit.get(`${path}/new`)).status).toBe(200);
    const count = async () =>
      (await ctx.deps.db.select().from(prices).where(eq(prices.productId, f.productId))).length;
    const before = await count();
    const bad = await visit.post(path, {
      priceType: "subscription",
      unitAmount: "abc",
      currency: "USD",
      intervalUnit: "",
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="unitAmount-error"');
    expect(bad.text).toContain('id="intervalUnit-error"');
    expect(await count()).toBe(before);
    const made = await visit.post(path, {
      priceType: "subscription",
      unitAmount: "49.00",
      currency: "EUR",
      intervalUnit: "year",
      isDefault: "true",
    });
    expect(made.status).toBe(303);
    const id = /#price-(price_\w+)$/.exec(made.headers.get("location") ?? "")?.[1];
    const page = await visit.get(`/dashboard/catalog/products/${f.productId}`);
    expect(page.text).toContain("€49.00 / year");
    expect(page.text).toContain(`/price/${id}/purchase`);
    const [row] = await ctx.deps.db
      .select()
      .from(prices)
      .where(eq(prices.id, id ?? ""));
    expect(row).toMatchObject({ unitPrice: 4900, currency: "EUR", intervalUnit: "year", isDefault: true });
  });

  it("lets a viewer see no form and change nothing, and finds nothing of another organization", async () => {
    const viewer = await world("viewer");
    const other = await world("admin");
    const paths = [
      "/dashboard/catalog/pricing-models/new",
      `/dashboard/catalog/pricing-models/${viewer.f.pricingModelId}/discounts/new`,
      `/dashboard/catalog/pricing-models/${viewer.f.pricingModelId}/features/new`,
      `/dashboard/catalog/products/${viewer.f.productId}/prices/new`,
    ];
    for (const path of paths) expect((await viewer.visit.get(path)).status, path).toBe(403);
    expect((await viewer.visit.get("/dashboard/catalog")).text).not.toContain("New pricing model");
    const posts: [string, Record<string, string>][] = [
      ["/dashboard/catalog/pricing-models", { name: "Nope" }],
      [`/dashboard/catalog/pricing-models/${viewer.f.pricingModelId}/discounts`, DISCOUNT],
      [`/dashboard/catalog/pricing-models/${viewer.f.pricingModelId}/features`, { name: "N", slug: "n" }],
      [
        `/dashboard/catalog/products/${viewer.f.productId}/prices`,
        { priceType: "single_payment", unitAmount: "1", currency: "USD" },
      ],
    ];
    for (const [path, fields] of posts)
      expect((await viewer.visit.post(path, fields)).status, path).toBe(403);

    // The admin of another organization names this one's ids: not found, nothing written.
    const theirs: [string, Record<string, string>][] = [
      [`/dashboard/catalog/pricing-models/${viewer.f.pricingModelId}/discounts`, DISCOUNT],
      [`/dashboard/catalog/pricing-models/${viewer.f.pricingModelId}/features`, { name: "N", slug: "n" }],
      [
        `/dashboard/catalog/products/${viewer.f.productId}/prices`,
        { priceType: "single_payment", unitAmount: "1", currency: "USD" },
      ],
      [`/dashboard/catalog/products/${viewer.f.productId}/features`, { featureId: "feature_x" }],
    ];
    for (const [path, fields] of theirs) {
      expect((await other.visit.get(`${path}/new`)).status === 404 || path.endsWith("/features")).toBe(true);
      expect((await other.visit.post(path, fields)).status, path).toBe(404);
    }
    const org = viewer.f.merchant.organizationId;
    expect(await ctx.deps.db.select().from(discounts).where(eq(discounts.organizationId, org))).toHaveLength(
      0,
    );
    expect(
      await ctx.deps.db
        .select()
        .from(features)
        .where(and(eq(features.organizationId, org), eq(features.slug, "n"))),
    ).toHaveLength(0);
    // The fixture's API calls are audited too; no dashboard user changed anything.
    expect(
      await ctx.deps.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.organizationId, org), eq(auditLog.actorType, "user"))),
    ).toHaveLength(0);
  });
});
