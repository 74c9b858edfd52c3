import { describe, expect, it } from "vitest";
import {
  createFeature,
  createPricingModel,
  createProduct,
  ok,
  type TestMerchant,
  testContext,
} from "../support/index.js";

const ctx = await testContext();

const attach = (m: TestMerchant, productId: string, featureId: string, key = m.testKey) =>
  ctx.api("POST", "/api/v1/product-features", { key, body: { productFeature: { productId, featureId } } });
const expire = (id: string, key: string) =>
  ctx.api("POST", `/api/v1/product-features/${id}/expire`, { key, body: {} });
const liveFeatures = async (m: TestMerchant, productId: string) =>
  (await ok(ctx.api("GET", `/api/v1/products/${productId}`, { key: m.testKey }))).features.map(
    (f: { slug: string }) => f.slug,
  );

async function world() {
  const m = await ctx.merchant();
  const pm = await createPricingModel(ctx, m);
  const product = await createProduct(ctx, m, pm.id);
  const sso = await createFeature(ctx, m, pm.id, { slug: "sso" });
  const audit = await createFeature(ctx, m, pm.id, { slug: "audit" });
  const api = await createFeature(ctx, m, pm.id, { slug: "api" });
  return { m, pm, product, sso, audit, api };
}

describe("product features", () => {
  it("attaches a feature once, reads, lists and expires the attachment", async () => {
    const { m, pm, product, sso, audit } = await world();
    const res = await attach(m, product.id, sso.id);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const pf = res.body.productFeature;
    expect(pf).toEqual({
      id: expect.stringMatching(/^product_feature_/),
      productId: product.id,
      featureId: sso.id,
      pricingModelId: pm.id,
      organizationId: m.organizationId,
      livemode: false,
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
      expiredAt: null,
    });
    // Attaching a live pair again is the same attachment.
    expect((await ok(attach(m, product.id, sso.id))).productFeature).toEqual(pf);
    const read = await ok(ctx.api("GET", `/api/v1/product-features/${pf.id}`, { key: m.testKey }));
    expect(read.productFeature).toEqual(pf);
    expect(await liveFeatures(m, product.id)).toEqual(["sso"]);

    const other = await createProduct(ctx, m, pm.id, { name: "Other" });
    await ok(attach(m, other.id, audit.id));
    const all = await ok(ctx.api("GET", "/api/v1/product-features", { key: m.testKey }));
    expect(all.total).toBe(2);
    const mine = await ok(
      ctx.api("GET", `/api/v1/product-features?productId=${product.id}`, { key: m.testKey }),
    );
    expect(mine).toMatchObject({ total: 1, hasMore: false, data: [pf] });

    const expired = (await ok(expire(pf.id, m.testKey))).productFeature;
    expect(expired).toMatchObject({ id: pf.id, expiredAt: expect.any(Number) });
    expect(expired.expiredAt).toBeGreaterThanOrEqual(pf.createdAt);
    // Expiring again changes nothing.
    expect((await ok(expire(pf.id, m.testKey))).productFeature).toEqual(expired);
    expect(await liveFeatures(m, product.id)).toEqual([]);

    // Attaching again afterwards is a new attachment; the expired one stays as history.
    const again = (await ok(attach(m, product.id, sso.id))).productFeature;
    expect(again.id).not.toBe(pf.id);
    expect(again.expiredAt).toBeNull();
    expect(
      (await ok(ctx.api("GET", `/api/v1/product-features?productId=${product.id}`, { key: m.testKey })))
        .total,
    ).toBe(2);
  });

  it("makes one live attachment of a pair attached concurrently", async () => {
    const { m, product, sso } = await world();
    const answers = await Promise.all(Array.from({ length: 6 }, () => attach(m, product.id, sso.id)));
    const ids = new Set(answers.map((a) => (a.status === 200 ? a.body.productFeature.id : `${a.status}`)));
    expect([...ids]).toHaveLength(1);
    expect([...ids][0]).toMatch(/^product_feature_/);
  });

  it("refuses a feature of another pricing model and ids that do not exist", async () => {
    const { m, product, sso } = await world();
    const elsewhere = await createPricingModel(ctx, m, { name: "Elsewhere" });
    const foreign = await createFeature(ctx, m, elsewhere.id);
    const cross = await attach(m, product.id, foreign.id);
    expect(cross.status).toBe(400);
    expect(cross.body.code).toBe("BAD_REQUEST");
    expect((await attach(m, "prod_nope", sso.id)).status).toBe(404);
    expect((await attach(m, product.id, "feature_nope")).status).toBe(404);
    expect((await expire("product_feature_nope", m.testKey)).status).toBe(404);
    const bad = await ctx.api("POST", "/api/v1/product-features", {
      key: m.testKey,
      body: { productFeature: { productId: product.id } },
    });
    expect(bad.status).toBe(400);
    expect((await ok(ctx.api("GET", "/api/v1/product-features", { key: m.testKey }))).total).toBe(0);
  });

  it("isolates attachments by organization and mode", async () => {
    const { m, product, sso } = await world();
    const other = await ctx.merchant();
    const pf = (await ok(attach(m, product.id, sso.id))).productFeature;
    for (const key of [other.testKey, m.liveKey]) {
      expect((await ctx.api("GET", `/api/v1/product-features/${pf.id}`, { key })).status).toBe(404);
      expect((await expire(pf.id, key)).status).toBe(404);
      expect((await attach(m, product.id, sso.id, key)).status).toBe(404);
      expect((await ok(ctx.api("GET", "/api/v1/product-features", { key }))).data).toEqual([]);
      const filtered = await ok(ctx.api("GET", `/api/v1/product-features?productId=${product.id}`, { key }));
      expect(filtered.data).toEqual([]);
    }
    expect(
      (await ok(ctx.api("GET", `/api/v1/product-features/${pf.id}`, { key: m.testKey }))).productFeature,
    ).toEqual(pf);
  });
});

describe("featureIds on products", () => {
  it("attaches them on create, in the order given", async () => {
    const { m, pm, sso, audit } = await world();
    const body = {
      product: { name: "Team", pricingModelId: pm.id },
      price: { type: "single_payment", unitPrice: 100 },
      featureIds: [audit.id, sso.id, audit.id],
    };
    const created = await ok(ctx.api("POST", "/api/v1/products", { key: m.testKey, body }));
    const full = await ok(ctx.api("GET", `/api/v1/products/${created.product.id}`, { key: m.testKey }));
    expect(full.features).toEqual([audit, sso]);
  });

  it("writes nothing when one of them cannot be attached", async () => {
    const { m, pm, sso } = await world();
    const elsewhere = await createPricingModel(ctx, m, { name: "Elsewhere" });
    const foreign = await createFeature(ctx, m, elsewhere.id);
    const other = await ctx.merchant();
    const theirs = await createFeature(ctx, other, (await createPricingModel(ctx, other)).id);
    const before = await ok(ctx.api("GET", "/api/v1/products", { key: m.testKey }));
    for (const [featureIds, status] of [
      [[sso.id, foreign.id], 400],
      [[sso.id, "feature_nope"], 404],
      [[theirs.id], 404],
    ] as const) {
      const res = await ctx.api("POST", "/api/v1/products", {
        key: m.testKey,
        body: {
          product: { name: "Half", pricingModelId: pm.id },
          price: { type: "single_payment", unitPrice: 100 },
          featureIds,
        },
      });
      expect(res.status, JSON.stringify(featureIds)).toBe(status);
    }
    expect(await ok(ctx.api("GET", "/api/v1/products", { key: m.testKey }))).toEqual(before);
    expect((await ok(ctx.api("GET", "/api/v1/product-features", { key: m.testKey }))).total).toBe(0);
  });

  it("on update, makes the live features exactly the set given; omitted leaves them alone", async () => {
    const { m, product, sso, audit, api } = await world();
    const update = (body: Record<string, unknown>) =>
      ctx.api("PUT", `/api/v1/products/${product.id}`, { key: m.testKey, body: { product: {}, ...body } });
    await ok(update({ featureIds: [sso.id, audit.id] }));
    expect(await liveFeatures(m, product.id)).toEqual(["sso", "audit"]);
    const kept = (
      await ok(ctx.api("GET", `/api/v1/product-features?productId=${product.id}`, { key: m.testKey }))
    ).data.find((pf: any) => pf.featureId === audit.id);

    await ok(update({ featureIds: [audit.id, api.id] }));
    expect(await liveFeatures(m, product.id)).toEqual(["audit", "api"]);
    const history = (
      await ok(ctx.api("GET", `/api/v1/product-features?productId=${product.id}`, { key: m.testKey }))
    ).data;
    expect(history).toHaveLength(3);
    // The feature kept keeps its attachment; the one dropped is expired, not deleted.
    expect(history.find((pf: any) => pf.featureId === audit.id)).toEqual(kept);
    expect(history.find((pf: any) => pf.featureId === sso.id).expiredAt).toEqual(expect.any(Number));

    await ok(update({ product: { name: "Renamed" } }));
    expect(await liveFeatures(m, product.id)).toEqual(["audit", "api"]);

    // A bad set changes nothing, not even the rest of the update.
    const elsewhere = await createPricingModel(ctx, m, { name: "Elsewhere" });
    const foreign = await createFeature(ctx, m, elsewhere.id);
    const refused = await update({ product: { name: "Should not stick" }, featureIds: [sso.id, foreign.id] });
    expect(refused.status).toBe(400);
    expect(await liveFeatures(m, product.id)).toEqual(["audit", "api"]);
    expect((await ok(ctx.api("GET", `/api/v1/products/${product.id}`, { key: m.testKey }))).name).toBe(
      "Renamed",
    );

    await ok(update({ featureIds: [] }));
    expect(await liveFeatures(m, product.id)).toEqual([]);
  });
});
