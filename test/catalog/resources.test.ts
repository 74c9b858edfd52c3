import { describe, expect, it } from "vitest";
import { createPricingModel, createResource, ok, type TestMerchant, testContext } from "../support/index.js";

const ctx = await testContext();

const post = (m: TestMerchant, resource: unknown, key = m.testKey) =>
  ctx.api("POST", "/api/v1/resources", { key, body: { resource } });
const put = (m: TestMerchant, id: string, resource: unknown, key = m.testKey) =>
  ctx.api("PUT", `/api/v1/resources/${id}`, { key, body: { resource } });
const get = (id: string, key: string) => ctx.api("GET", `/api/v1/resources/${id}`, { key });
const list = (key: string, pricingModelId?: string) =>
  ctx.api("GET", `/api/v1/resources${pricingModelId ? `?pricingModelId=${pricingModelId}` : ""}`, { key });

describe("resources", () => {
  it("creates, reads, updates and lists a pricing model's resources as {resources}", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const other = await createPricingModel(ctx, m, { name: "Other" });
    const res = await post(m, { name: "Seats", slug: "seats", pricingModelId: pm.id });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const seats = res.body.resource;
    expect(seats).toEqual({
      id: expect.stringMatching(/^resource_/),
      name: "Seats",
      slug: "seats",
      active: true,
      pricingModelId: pm.id,
      organizationId: m.organizationId,
      livemode: false,
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
    });
    expect((await ok(get(seats.id, m.testKey))).resource).toEqual(seats);
    const projects = await createResource(ctx, m, pm.id, {
      name: "Projects",
      slug: "projects",
      active: false,
    });
    await createResource(ctx, m, other.id, { slug: "seats" });

    const listed = await ok(list(m.testKey, pm.id));
    expect(Object.keys(listed)).toEqual(["resources"]);
    expect(listed.resources).toEqual([seats, projects]);

    const updated = await ok(put(m, seats.id, { id: seats.id, name: "Users", slug: "users", active: false }));
    expect(updated.resource).toMatchObject({ id: seats.id, name: "Users", slug: "users", active: false });
    expect((await ok(list(m.testKey, pm.id))).resources.map((r: any) => r.slug)).toEqual([
      "users",
      "projects",
    ]);
  });

  it("lists the default pricing model's resources when none is named", async () => {
    const m = await ctx.merchant();
    expect(await ok(list(m.testKey))).toEqual({ resources: [] });
    const pm = await createPricingModel(ctx, m, { name: "Main", isDefault: true });
    const other = await createPricingModel(ctx, m, { name: "Other" });
    const seats = await createResource(ctx, m, pm.id);
    await createResource(ctx, m, other.id);
    expect((await ok(list(m.testKey))).resources.map((r: any) => r.id)).toEqual([seats.id]);
  });

  it("keeps slugs unique per pricing model and rejects bad input", async () => {
    const m = await ctx.merchant();
    const pm = await createPricingModel(ctx, m);
    const seats = await createResource(ctx, m, pm.id, { slug: "seats" });
    const again = await post(m, { name: "Seats", slug: "seats", pricingModelId: pm.id });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("CONFLICT");
    const projects = await createResource(ctx, m, pm.id, { slug: "projects" });
    expect((await put(m, projects.id, { slug: "seats" })).status).toBe(409);
    const bodies: unknown[] = [
      { name: "x", pricingModelId: pm.id },
      { slug: "x", pricingModelId: pm.id },
      { name: "x", slug: "" },
      { name: "x", slug: "x", pricingModelId: pm.id, active: "yes" },
    ];
    for (const body of bodies) expect((await post(m, body)).status, JSON.stringify(body)).toBe(400);
    expect((await post(m, { name: "x", slug: "x", pricingModelId: "pricing_model_nope" })).status).toBe(404);
    expect((await put(m, seats.id, { id: "resource_other" })).status).toBe(400);
    expect((await put(m, "resource_nope", { name: "x" })).status).toBe(404);
    expect((await list(m.testKey, "pricing_model_nope")).status).toBe(404);
    expect((await ok(list(m.testKey, pm.id))).resources).toHaveLength(2);
  });

  it("isolates resources by organization and mode", async () => {
    const m = await ctx.merchant();
    const other = await ctx.merchant();
    const pm = await createPricingModel(ctx, m, { name: "Main", isDefault: true });
    const seats = await createResource(ctx, m, pm.id);
    for (const key of [other.testKey, m.liveKey]) {
      const read = await get(seats.id, key);
      expect(read.status).toBe(404);
      expect(read.body.code).toBe("NOT_FOUND");
      expect((await put(m, seats.id, { name: "Hijack" }, key)).status).toBe(404);
      expect((await list(key, pm.id)).status).toBe(404);
      expect(await ok(list(key))).toEqual({ resources: [] });
      expect((await post(m, { name: "x", slug: "x", pricingModelId: pm.id }, key)).status).toBe(404);
    }
    expect((await ok(get(seats.id, m.testKey))).resource).toEqual(seats);
  });
});
