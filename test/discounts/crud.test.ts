import { describe, expect, it } from "vitest";
import { discountAmountFor } from "../../src/discounts/index.js";
import {
  anyMs,
  createPricingModel,
  expectListEnvelope,
  flowgladClient,
  ok,
  type RequestLog,
  serveGlade,
  type TestMerchant,
} from "../support/index.js";

const glade = await serveGlade();
const ctx = glade.ctx;

const post = (m: TestMerchant, discount: unknown, key = m.testKey) =>
  ctx.api("POST", "/api/v1/discounts", { key, body: { discount } });
const put = (m: TestMerchant, id: string, discount: unknown, key = m.testKey) =>
  ctx.api("PUT", `/api/v1/discounts/${id}`, { key, body: { discount } });
const get = (id: string, key: string) => ctx.api("GET", `/api/v1/discounts/${id}`, { key });

const tenOff = { name: "Ten off", code: "TEN", amountType: "percent", amount: 10, duration: "forever" };

describe("discount codes", () => {
  it("creates in the default pricing model, reads, lists with redemption counts, and updates", async () => {
    const m = await ctx.merchant();
    const created = (await ok(post(m, tenOff))).discount;
    const defaultModel = (await ok(ctx.api("GET", "/api/v1/pricing-models/default", { key: m.testKey })))
      .pricingModel;
    expect(created).toEqual({
      id: expect.stringMatching(/^discount_/),
      name: "Ten off",
      code: "TEN",
      amountType: "percent",
      amount: 10,
      duration: "forever",
      numberOfPayments: null,
      active: true,
      pricingModelId: defaultModel.id,
      organizationId: m.organizationId,
      livemode: false,
      createdAt: anyMs(),
      updatedAt: anyMs(),
    });
    expect((await ok(get(created.id, m.testKey))).discount).toEqual({ ...created, redemptionCount: 0 });

    const pm = await createPricingModel(ctx, m);
    const three = (
      await ok(
        post(m, {
          name: "Three months",
          code: "THREE",
          amountType: "fixed",
          amount: 500,
          duration: "number_of_payments",
          numberOfPayments: 3,
          pricingModelId: pm.id,
        }),
      )
    ).discount;
    expect(three).toMatchObject({ pricingModelId: pm.id, numberOfPayments: 3, amountType: "fixed" });
    const page = await ok(ctx.api("GET", "/api/v1/discounts?limit=1", { key: m.testKey }));
    expect(page).toMatchObject({ total: 2, hasMore: true, data: [{ id: three.id, redemptionCount: 0 }] });

    const changed = (await ok(put(m, three.id, { id: three.id, duration: "once", active: false }))).discount;
    expect(changed).toMatchObject({ duration: "once", numberOfPayments: null, active: false, amount: 500 });
    expect((await ok(get(three.id, m.testKey))).discount).toMatchObject({ duration: "once", active: false });
  });

  it("keeps codes unique per pricing model without regard to case", async () => {
    const m = await ctx.merchant();
    await ok(post(m, tenOff));
    const again = await post(m, { ...tenOff, code: "ten" });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: "CONFLICT", message: expect.stringContaining('"ten"') });
    const pm = await createPricingModel(ctx, m);
    expect((await post(m, { ...tenOff, code: "ten", pricingModelId: pm.id })).status).toBe(200);
    const other = await ctx.merchant();
    expect((await post(other, tenOff)).status).toBe(200);
  });

  it("refuses terms that do not fit together, naming the field", async () => {
    const m = await ctx.merchant();
    const cases: [unknown, string][] = [
      [{ ...tenOff, amount: 101 }, "discount.amount"],
      [{ ...tenOff, duration: "number_of_payments" }, "discount.numberOfPayments"],
      [{ ...tenOff, numberOfPayments: 2 }, "discount.numberOfPayments"],
      [{ ...tenOff, amount: 0 }, "amount"],
      [{ ...tenOff, code: "no spaces" }, "code"],
      [{ ...tenOff, amountType: "percentage" }, "amountType"],
    ];
    for (const [body, path] of cases) {
      const res = await post(m, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe("BAD_REQUEST");
      expect(JSON.stringify(res.body)).toContain(path.split(".").at(-1));
    }
    const created = (await ok(post(m, tenOff))).discount;
    const bad = await put(m, created.id, { amount: 150 });
    expect(bad.status).toBe(400);
    expect((await ok(get(created.id, m.testKey))).discount.amount).toBe(10);
    const mismatched = await put(m, created.id, { id: "discount_other", name: "x" });
    expect(mismatched.status).toBe(400);
  });

  it("hides another merchant's or mode's discounts", async () => {
    const m = await ctx.merchant();
    const created = (await ok(post(m, tenOff))).discount;
    const other = await ctx.merchant();
    expect((await get(created.id, other.testKey)).status).toBe(404);
    expect((await put(other, created.id, { name: "mine" })).status).toBe(404);
    expect((await get(created.id, m.liveKey)).status).toBe(404);
    const pmOfOther = await createPricingModel(ctx, other);
    expect((await post(m, { ...tenOff, pricingModelId: pmOfOther.id })).status).toBe(404);
  });

  it("works through the official client", async () => {
    const m = await ctx.merchant();
    const log: RequestLog = [];
    const client = flowgladClient(glade, m.testKey, { log });
    const { discount } = await client.discounts.create({
      discount: { name: "Launch", code: "LAUNCH", amountType: "fixed", amount: 1000, duration: "once" },
    });
    expect(discount).toMatchObject({ code: "LAUNCH", duration: "once", numberOfPayments: null });
    const read = await client.discounts.retrieve(discount.id);
    expect(read.discount.redemptionCount).toBe(0);
    const updated = await client.discounts.update(discount.id, {
      discount: {
        id: discount.id,
        amount: 2,
        amountType: "percent",
        code: "LAUNCH2",
        duration: "number_of_payments",
        numberOfPayments: 2,
      },
    });
    expect(updated.discount).toMatchObject({ code: "LAUNCH2", amountType: "percent", numberOfPayments: 2 });
    const list = await client.discounts.list();
    expectListEnvelope(list);
    expect(list.data.map((d) => d.id)).toEqual([discount.id]);
    expect(log.map((l) => `${l.method} ${l.path}`)).toEqual([
      "POST /api/v1/discounts",
      `GET /api/v1/discounts/${discount.id}`,
      `PUT /api/v1/discounts/${discount.id}`,
      "GET /api/v1/discounts",
    ]);
  });
});

describe("discountAmountFor", () => {
  it("caps a fixed discount at the subtotal", () => {
    expect(discountAmountFor({ amountType: "fixed", amount: 500 }, 2000)).toBe(500);
    expect(discountAmountFor({ amountType: "fixed", amount: 5000 }, 2000)).toBe(2000);
  });

  it("rounds a percent half up to the minor unit, exactly at the largest amounts", () => {
    expect(discountAmountFor({ amountType: "percent", amount: 10 }, 125)).toBe(13); // 12.5 → 13
    expect(discountAmountFor({ amountType: "percent", amount: 10 }, 124)).toBe(12); // 12.4 → 12
    expect(discountAmountFor({ amountType: "percent", amount: 33 }, 999)).toBe(330); // 329.67 → 330
    expect(discountAmountFor({ amountType: "percent", amount: 100 }, 999)).toBe(999);
    const max = Number.MAX_SAFE_INTEGER;
    expect(discountAmountFor({ amountType: "percent", amount: 50 }, max)).toBe(
      Number((BigInt(max) + 1n) / 2n),
    );
  });
});
