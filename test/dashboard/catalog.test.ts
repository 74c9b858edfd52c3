import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, prices, products } from "../../src/db/schema/index.js";
import {
  createFeature,
  createPricingModel,
  createProduct,
  type DashboardVisit,
  dashboardUser,
  ok,
  signInDashboard,
  type TestMerchant,
  testContext,
} from "../support/index.js";

const ctx = await testContext();

const FORM = {
  name: "Glade Pro",
  description: "Everything, forever.",
  slug: "",
  pricingModelId: "",
  priceType: "single_payment",
  unitAmount: "19.99",
  currency: "USD",
  intervalUnit: "month",
};

async function owner(name = "Catalog Org", role: "owner" | "admin" | "viewer" = "owner") {
  const m = await ctx.merchant(name);
  const user = await dashboardUser(ctx, m.organizationId, role);
  return { m, user, visit: await signInDashboard(ctx, user.email) };
}

/** A product made in the dashboard; its id is in the redirect. */
async function createInDashboard(visit: DashboardVisit, fields: Partial<typeof FORM> = {}) {
  const res = await visit.post("/dashboard/catalog/products", { ...FORM, ...fields });
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  const location = res.headers.get("location") ?? "";
  const productId = /\/dashboard\/catalog\/products\/(prod_[0-9A-Za-z]+)\?done=created$/.exec(location)?.[1];
  expect(productId).toBeDefined();
  return productId as string;
}

async function productRow(id: string) {
  const [row] = await ctx.deps.db.select().from(products).where(eq(products.id, id));
  return row;
}

async function pricesOf(productId: string) {
  return ctx.deps.db.select().from(prices).where(eq(prices.productId, productId));
}

async function auditOf(organizationId: string, action: string) {
  return ctx.deps.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.organizationId, organizationId), eq(auditLog.action, action)));
}

/** A product and its single price in `m`'s catalog, made with the API key of `key`'s mode. */
async function apiProduct(m: TestMerchant, key = m.testKey) {
  const pm = await createPricingModel(ctx, m, { name: "Other" }, key);
  const product = await createProduct(ctx, m, pm.id, { name: "Theirs" }, undefined, key);
  const full = await ok(ctx.api("GET", `/api/v1/products/${product.id}`, { key }));
  return {
    pricingModelId: pm.id as string,
    productId: product.id as string,
    priceId: full.prices[0].id as string,
  };
}

describe("dashboard catalog", () => {
  it("tells a new merchant to create a product, then creates it with its first price, audited", async () => {
    const { m, user, visit } = await owner();
    const empty = await visit.get("/dashboard/catalog");
    expect(empty.status).toBe(200);
    expect(empty.text).toContain("Your test catalog is empty.");
    expect(empty.text).toContain('href="/dashboard/catalog/products/new"');
    const form = await visit.get("/dashboard/catalog/products/new");
    expect(form.status).toBe(200);
    expect(form.text).toContain("Default (created with this product)");

    const productId = await createInDashboard(visit);
    const product = await productRow(productId);
    expect(product).toMatchObject({
      name: "Glade Pro",
      description: "Everything, forever.",
      livemode: false,
    });
    const [price] = await pricesOf(productId);
    expect(price).toMatchObject({
      type: "single_payment",
      unitPrice: 1999,
      currency: "USD",
      isDefault: true,
    });
    const url = `http://glade.test/price/${price?.id}/purchase`;

    const shown = await visit.get(`/dashboard/catalog/products/${productId}?done=created`);
    expect(shown.text).toContain("Product created.");
    expect(shown.text).toContain("$19.99 once");
    expect(shown.text).toMatch(new RegExp(`<input id="link-${price?.id}"[^>]*readonly value="${url}"`));
    const catalog = await visit.get("/dashboard/catalog");
    expect(catalog.text).toContain("Default pricing model");
    expect(catalog.text).toContain(`value="${url}"`);
    // The purchase link sells.
    expect((await ctx.api("GET", `/price/${price?.id}/purchase`)).status).toBe(200);

    const [entry] = await auditOf(m.organizationId, "product.created");
    expect(entry).toMatchObject({
      actorType: "user",
      actorId: user.id,
      objectId: productId,
      livemode: false,
    });
    expect(entry?.after).toMatchObject({
      product: { id: productId, name: "Glade Pro", active: true },
      price: { id: price?.id, unitPrice: 1999, currency: "USD" },
    });
  });

  it("creates a subscription price in the chosen pricing model from major units", async () => {
    const { m, visit } = await owner();
    const pm = await createPricingModel(ctx, m, { name: "Plans", isDefault: true });
    const productId = await createInDashboard(visit, {
      name: "Team",
      pricingModelId: pm.id,
      priceType: "subscription",
      unitAmount: "1,250.5",
      currency: "EUR",
      intervalUnit: "year",
      slug: "team",
    });
    expect(await productRow(productId)).toMatchObject({ pricingModelId: pm.id, slug: "team" });
    const [price] = await pricesOf(productId);
    expect(price).toMatchObject({
      type: "subscription",
      unitPrice: 125050,
      currency: "EUR",
      intervalUnit: "year",
    });
    const jpy = await createInDashboard(visit, {
      name: "Yen",
      pricingModelId: pm.id,
      unitAmount: "500",
      currency: "JPY",
    });
    expect((await pricesOf(jpy))[0]?.unitPrice).toBe(500);
  });

  it("shows each error next to its field and creates nothing", async () => {
    const { m, visit } = await owner();
    const pm = await createPricingModel(ctx, m, { name: "Plans", isDefault: true });
    const cases: [Partial<typeof FORM>, string][] = [
      [{ name: " " }, "name"],
      [{ unitAmount: "19.999" }, "unitAmount"],
      [{ unitAmount: "0" }, "unitAmount"],
      [{ unitAmount: "12.5", currency: "JPY" }, "unitAmount"],
      [{ currency: "XXX" }, "currency"],
      [{ priceType: "usage" }, "priceType"],
      [{ priceType: "subscription", intervalUnit: "" }, "intervalUnit"],
      [{ slug: "Not A Slug" }, "slug"],
    ];
    for (const [fields, field] of cases) {
      const res = await visit.post("/dashboard/catalog/products", {
        ...FORM,
        pricingModelId: pm.id,
        ...fields,
      });
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.text).toMatch(
        new RegExp(`id="${field}"[^>]*aria-invalid="true"[^>]*aria-describedby="${field}-error"`),
      );
      expect(res.text).toContain(`id="${field}-error"`);
    }
    await createInDashboard(visit, { pricingModelId: pm.id, slug: "taken" });
    const taken = await visit.post("/dashboard/catalog/products", {
      ...FORM,
      pricingModelId: pm.id,
      slug: "taken",
    });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain("Another product of this pricing model has this slug.");
    const listed = await ok(ctx.api("GET", "/api/v1/products", { key: m.testKey }));
    expect(listed.data).toHaveLength(1);
  });

  it("edits a product and archives a price and switches its purchase link, each audited before and after", async () => {
    const { m, visit } = await owner();
    const productId = await createInDashboard(visit);
    const [price] = await pricesOf(productId);
    const priceId = price?.id as string;

    const bad = await visit.post(`/dashboard/catalog/products/${productId}`, { name: "", description: "x" });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="name-error"');
    const saved = await visit.post(`/dashboard/catalog/products/${productId}`, {
      name: "Glade Max",
      description: "",
    });
    expect(saved.status).toBe(303);
    expect(await productRow(productId)).toMatchObject({
      name: "Glade Max",
      description: null,
      active: false,
    });
    const [edit] = await auditOf(m.organizationId, "product.updated");
    expect(edit?.before).toMatchObject({
      name: "Glade Pro",
      description: "Everything, forever.",
      active: true,
    });
    expect(edit?.after).toMatchObject({ name: "Glade Max", description: null, active: false });
    await visit.post(`/dashboard/catalog/products/${productId}`, { name: "Glade Max", active: "true" });
    expect((await productRow(productId))?.active).toBe(true);

    const archived = await visit.post(`/dashboard/catalog/prices/${priceId}/active`, { active: "false" });
    expect(archived.status).toBe(303);
    expect(archived.headers.get("location")).toBe(
      `/dashboard/catalog/products/${productId}?done=archived#price-${priceId}`,
    );
    expect((await pricesOf(productId))[0]?.active).toBe(false);
    expect((await ctx.api("GET", `/price/${priceId}/purchase`)).status).not.toBe(200);
    const [archive] = await auditOf(m.organizationId, "price.archived");
    expect(archive).toMatchObject({ objectType: "price", objectId: priceId });
    expect(archive?.before).toMatchObject({ active: true });
    expect(archive?.after).toMatchObject({ active: false });
    expect((await visit.get(`/dashboard/catalog/products/${productId}`)).text).toContain("Unarchive price");
    await visit.post(`/dashboard/catalog/prices/${priceId}/active`, { active: "true" });
    expect((await pricesOf(productId))[0]?.active).toBe(true);
    expect(await auditOf(m.organizationId, "price.unarchived")).toHaveLength(1);

    expect(
      (await visit.post(`/dashboard/catalog/prices/${priceId}/purchase-link`, { enabled: "false" })).status,
    ).toBe(303);
    expect((await pricesOf(productId))[0]?.purchasePageEnabled).toBe(false);
    expect((await ctx.api("GET", `/price/${priceId}/purchase`)).status).not.toBe(200);
    expect((await visit.get(`/dashboard/catalog/products/${productId}`)).text).toContain(
      "Enable purchase link",
    );
    const [disable] = await auditOf(m.organizationId, "price.purchase_link_disabled");
    expect(disable?.before).toMatchObject({ purchasePageEnabled: true });
    expect(disable?.after).toMatchObject({ purchasePageEnabled: false });
    await visit.post(`/dashboard/catalog/prices/${priceId}/purchase-link`, { enabled: "true" });
    expect((await ctx.api("GET", `/price/${priceId}/purchase`)).status).toBe(200);
    expect(await auditOf(m.organizationId, "price.purchase_link_enabled")).toHaveLength(1);

    expect(
      (await visit.post(`/dashboard/catalog/prices/${priceId}/active`, { active: "maybe" })).status,
    ).toBe(400);
  });

  it("lists the pricing model's discounts and features read-only, and pages pricing models", async () => {
    const { m, visit } = await owner();
    const pm = await createPricingModel(ctx, m, { name: "Plans", isDefault: true });
    await ok(
      ctx.api("POST", "/api/v1/discounts", {
        key: m.testKey,
        body: {
          discount: {
            name: "Launch",
            code: "LAUNCH10",
            amountType: "percent",
            amount: 10,
            duration: "once",
            pricingModelId: pm.id,
          },
        },
      }),
    );
    await createFeature(ctx, m, pm.id, { name: "Single sign-on" });
    const page = await visit.get("/dashboard/catalog");
    expect(page.text).toContain("LAUNCH10");
    expect(page.text).toContain("10% off");
    expect(page.text).toContain("Single sign-on");
    expect(page.text).not.toContain("No discounts in this pricing model");

    for (let i = 1; i <= 5; i++) await createPricingModel(ctx, m, { name: `Model ${i}` });
    const first = await visit.get("/dashboard/catalog");
    expect(first.text).toContain("Model 5");
    expect(first.text).not.toContain(">Plans");
    const older = /href="\/dashboard\/catalog\?cursor=([^"]+)"/.exec(first.text)?.[1];
    expect(older).toBeDefined();
    const second = await visit.get(`/dashboard/catalog?cursor=${older}`);
    expect(second.text).toContain("Plans");
    expect(second.text).not.toContain("Model 5");
    expect((await visit.get("/dashboard/catalog?cursor=garbage")).status).toBe(400);
  });

  it("lets a viewer look but change nothing", async () => {
    const { m, visit: admin } = await owner("Viewer Org", "admin");
    const productId = await createInDashboard(admin);
    const priceId = (await pricesOf(productId))[0]?.id as string;
    const viewerUser = await dashboardUser(ctx, m.organizationId, "viewer");
    const viewer = await signInDashboard(ctx, viewerUser.email);
    const page = await viewer.get(`/dashboard/catalog/products/${productId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("/purchase");
    expect(page.text).not.toContain("Archive price");
    expect((await viewer.get("/dashboard/catalog")).text).not.toContain("New product in");
    expect((await viewer.get("/dashboard/catalog/products/new")).status).toBe(403);
    const posts: [string, Record<string, string>][] = [
      ["/dashboard/catalog/products", FORM],
      [`/dashboard/catalog/products/${productId}`, { name: "Changed" }],
      [`/dashboard/catalog/prices/${priceId}/active`, { active: "false" }],
      [`/dashboard/catalog/prices/${priceId}/purchase-link`, { enabled: "false" }],
    ];
    for (const [path, fields] of posts) expect((await viewer.post(path, fields)).status, path).toBe(403);
    expect(await productRow(productId)).toMatchObject({ name: "Glade Pro", active: true });
    expect((await pricesOf(productId))[0]).toMatchObject({ active: true, purchasePageEnabled: true });
    expect((await ok(ctx.api("GET", "/api/v1/products", { key: m.testKey }))).data).toHaveLength(1);
  });

  it("refuses every form without the session's token", async () => {
    const { m, visit } = await owner();
    const productId = await createInDashboard(visit);
    const priceId = (await pricesOf(productId))[0]?.id as string;
    const posts: [string, Record<string, string>][] = [
      ["/dashboard/catalog/products", FORM],
      [`/dashboard/catalog/products/${productId}`, { name: "Changed" }],
      [`/dashboard/catalog/prices/${priceId}/active`, { active: "false" }],
      [`/dashboard/catalog/prices/${priceId}/purchase-link`, { enabled: "false" }],
    ];
    for (const [path, fields] of posts) {
      expect((await visit.post(path, { ...fields, csrf: "wrong" })).status, path).toBe(403);
      const body = new URLSearchParams(fields).toString();
      const missing = await ctx.api("POST", path, {
        rawBody: body,
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: visit.cookie },
      });
      expect(missing.status, path).toBe(403);
      const crossSite = await visit.post(path, fields, { origin: "https://evil.example" });
      expect(crossSite.status, path).toBe(403);
    }
    expect(await productRow(productId)).toMatchObject({ name: "Glade Pro", active: true });
    expect((await pricesOf(productId))[0]).toMatchObject({ active: true, purchasePageEnabled: true });
    expect((await ok(ctx.api("GET", "/api/v1/products", { key: m.testKey }))).data).toHaveLength(1);
  });

  it("answers 404 for another organization's or the other mode's ids and changes nothing", async () => {
    const { m, visit } = await owner();
    await createInDashboard(visit);
    const stranger = await ctx.merchant("Stranger");
    const theirs = await apiProduct(stranger);
    const live = await apiProduct(m, m.liveKey);
    for (const other of [theirs, live]) {
      expect((await visit.get(`/dashboard/catalog/products/${other.productId}`)).status).toBe(404);
      const posts: [string, Record<string, string>][] = [
        ["/dashboard/catalog/products", { ...FORM, pricingModelId: other.pricingModelId }],
        [`/dashboard/catalog/products/${other.productId}`, { name: "Hijacked" }],
        [`/dashboard/catalog/prices/${other.priceId}/active`, { active: "false" }],
        [`/dashboard/catalog/prices/${other.priceId}/purchase-link`, { enabled: "false" }],
      ];
      for (const [path, fields] of posts) expect((await visit.post(path, fields)).status, path).toBe(404);
      expect(await productRow(other.productId)).toMatchObject({ name: "Theirs", active: true });
      const [price] = await pricesOf(other.productId);
      expect(price).toMatchObject({ active: true, purchasePageEnabled: true });
      expect(await pricesOf(other.productId)).toHaveLength(1);
      const catalog = await visit.get("/dashboard/catalog");
      expect(catalog.text).not.toContain(other.productId);
    }
    expect((await ok(ctx.api("GET", "/api/v1/products", { key: stranger.testKey }))).data).toHaveLength(1);
    expect((await ok(ctx.api("GET", "/api/v1/products", { key: m.testKey }))).data).toHaveLength(1);
    expect((await ok(ctx.api("GET", "/api/v1/products", { key: m.liveKey }))).data).toHaveLength(1);
    expect(await auditOf(stranger.organizationId, "product.updated")).toHaveLength(0);

    // Switched to live data, the live product is the visitor's and the test one is not.
    expect(
      (await visit.post("/dashboard/view", { livemode: "true", back: "/dashboard/catalog" })).status,
    ).toBe(303);
    expect((await visit.get(`/dashboard/catalog/products/${live.productId}`)).status).toBe(200);
    expect((await visit.get("/dashboard/catalog")).text).toContain("Theirs");
  });
});
