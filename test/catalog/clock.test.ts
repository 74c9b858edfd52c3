import { describe, expect, it } from "vitest";
import {
  createFeature,
  createPricingModel,
  createResource,
  createUsageMeter,
  ok,
  ownDatabase,
  settableClock,
  testContext,
  writtenAt,
} from "../support/index.js";

/**
 * The catalog's definitions written at the app clock's instant (as test/lib/clock.test.ts checks for the rest):
 * every row a write makes or changes, and an attachment's expiry, carry deps.now().
 */
const clock = settableClock();
// Sweeping every table needs a database no other test file writes to meanwhile.
const ctx = await testContext({ now: clock.now }, { databaseUrl: await ownDatabase() });

const T0 = new Date("2032-03-04T05:06:07.089Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

async function atInstant(at: Date, operation: () => Promise<unknown>): Promise<Set<string>> {
  const { tables, problems } = await writtenAt(ctx.deps.db, clock, at, operation);
  expect(problems).toEqual([]);
  return tables;
}

describe("catalog definitions on one clock", () => {
  it("stamps meters, prices, resources, features and attachments with deps.now()", async () => {
    const m = await ctx.merchant("Clockwork catalog");
    const key = m.testKey;
    const pm = await createPricingModel(ctx, m, { name: "Main", isDefault: true });

    let meterId = "";
    const meter = await atInstant(minutes(0), async () => {
      meterId = (await createUsageMeter(ctx, m, pm.id, {}, { unitPrice: 1 })).id;
    });
    expect(meter).toEqual(new Set(["usage_meters", "prices"]));
    expect(
      await atInstant(minutes(1), () =>
        ok(ctx.api("PUT", `/api/v1/usage-meters/${meterId}`, { key, body: { usageMeter: { name: "N" } } })),
      ),
    ).toEqual(new Set(["usage_meters"]));

    let resourceId = "";
    expect(
      await atInstant(minutes(2), async () => {
        resourceId = (await createResource(ctx, m, pm.id)).id;
      }),
    ).toEqual(new Set(["resources"]));
    expect(
      await atInstant(minutes(3), () =>
        ok(ctx.api("PUT", `/api/v1/resources/${resourceId}`, { key, body: { resource: { active: false } } })),
      ),
    ).toEqual(new Set(["resources"]));

    let featureId = "";
    expect(
      await atInstant(minutes(4), async () => {
        featureId = (await createFeature(ctx, m, pm.id, { type: "resource", amount: 2, resourceId })).id;
      }),
    ).toEqual(new Set(["features"]));
    expect(
      await atInstant(minutes(5), () =>
        ok(ctx.api("PUT", `/api/v1/features/${featureId}`, { key, body: { feature: { amount: 3 } } })),
      ),
    ).toEqual(new Set(["features"]));

    let productId = "";
    const created = await atInstant(minutes(6), async () => {
      const body = {
        product: { name: "Team", pricingModelId: pm.id },
        price: { type: "single_payment", unitPrice: 100 },
        featureIds: [featureId],
      };
      productId = (await ok(ctx.api("POST", "/api/v1/products", { key, body }))).product.id;
    });
    expect(created).toEqual(new Set(["products", "prices", "product_features"]));

    // Dropping the feature expires its attachment at this instant; attaching it again is a new row.
    const synced = await atInstant(minutes(7), () =>
      ok(ctx.api("PUT", `/api/v1/products/${productId}`, { key, body: { product: {}, featureIds: [] } })),
    );
    expect(synced).toEqual(new Set(["products", "product_features"]));
    let attachmentId = "";
    expect(
      await atInstant(minutes(8), async () => {
        const body = { productFeature: { productId, featureId } };
        attachmentId = (await ok(ctx.api("POST", "/api/v1/product-features", { key, body }))).productFeature
          .id;
      }),
    ).toEqual(new Set(["product_features"]));
    expect(
      await atInstant(minutes(9), () =>
        ok(ctx.api("POST", `/api/v1/product-features/${attachmentId}/expire`, { key, body: {} })),
      ),
    ).toEqual(new Set(["product_features"]));
    const read = await ok(ctx.api("GET", `/api/v1/product-features/${attachmentId}`, { key }));
    expect(read.productFeature.expiredAt).toBe(minutes(9).getTime());

    await ok(
      ctx.api("POST", "/api/v1/product-features", {
        key,
        body: { productFeature: { productId, featureId } },
      }),
    );
    const cloned = await atInstant(minutes(10), () =>
      ok(ctx.api("POST", `/api/v1/pricing-models/${pm.id}/clone`, { key, body: { name: "Copy" } })),
    );
    expect(cloned).toEqual(
      new Set([
        "pricing_models",
        "products",
        "prices",
        "usage_meters",
        "resources",
        "features",
        "product_features",
      ]),
    );
  });
});
