import { Flowglad } from "@flowglad/node";
import { describe, expect, it } from "vitest";
import {
  anyMs,
  createFeature,
  createResource,
  expectListEnvelope,
  flowgladClient,
  type RequestLog,
  serveGlade,
} from "../support/index.js";

/** The official client against usage meters, resources and products' features, checking every declared field. */
const glade = await serveGlade();

async function setup() {
  const m = await glade.ctx.merchant();
  const log: RequestLog = [];
  const client = flowgladClient(glade, m.testKey, { log });
  const { pricingModel } = await client.pricingModels.create({
    pricingModel: { name: "SDK", isDefault: true },
  });
  return { m, client, log, pricingModelId: pricingModel.id };
}

const meterShape = (fields: Record<string, unknown>) => ({
  id: expect.stringMatching(/^usage_meter_/),
  aggregationType: expect.toBeOneOf(["sum", "count_distinct_properties"]),
  createdAt: anyMs(),
  updatedAt: anyMs(),
  livemode: false,
  name: expect.any(String),
  organizationId: expect.any(String),
  pricingModelId: expect.any(String),
  slug: expect.any(String),
  ...fields,
});

const resourceShape = (fields: Record<string, unknown>) => ({
  id: expect.stringMatching(/^resource_/),
  active: expect.any(Boolean),
  createdAt: anyMs(),
  updatedAt: anyMs(),
  livemode: false,
  name: expect.any(String),
  organizationId: expect.any(String),
  pricingModelId: expect.any(String),
  slug: expect.any(String),
  ...fields,
});

describe("@flowglad/node usage meters", () => {
  it("creates (with a price), retrieves, updates and lists", async () => {
    const { client, log, pricingModelId } = await setup();
    const { usageMeter } = await client.usageMeters.create({
      usageMeter: { name: "API calls", slug: "api-calls", pricingModelId },
      price: { type: "usage", unitPrice: 2, usageEventsPerUnit: 10 },
    });
    expect(usageMeter).toEqual(
      meterShape({ name: "API calls", slug: "api-calls", aggregationType: "sum", pricingModelId }),
    );
    expect(log.at(-1)).toMatchObject({ method: "POST", path: "/api/v1/usage-meters" });

    expect((await client.usageMeters.retrieve(usageMeter.id)).usageMeter).toEqual(usageMeter);
    const { usageMeter: updated } = await client.usageMeters.update(usageMeter.id, {
      usageMeter: { id: usageMeter.id, name: "Requests", aggregationType: "sum" },
    });
    expect(updated).toEqual({ ...usageMeter, name: "Requests", updatedAt: anyMs() });

    const refused = await client.usageMeters
      .update(usageMeter.id, {
        usageMeter: { id: usageMeter.id, aggregationType: "count_distinct_properties" },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(Flowglad.BadRequestError);

    const users = await client.usageMeters.create({
      usageMeter: {
        name: "Users",
        slug: "users",
        pricingModelId,
        aggregationType: "count_distinct_properties",
      },
    });
    const page = await client.usageMeters.list({ limit: "1" });
    expectListEnvelope(page);
    expect(page).toMatchObject({ total: 2, hasMore: true });
    expect(page.data).toEqual([users.usageMeter]);
    const rest = await client.usageMeters.list({
      limit: "1",
      ...(page.nextCursor ? { cursor: page.nextCursor } : {}),
    });
    expect(rest.data).toEqual([updated]);

    // The pricing model's details carry the meter with its usage price, as the SDK's type declares.
    const { pricingModel } = await client.pricingModels.retrieve(pricingModelId);
    const [meterRow] = pricingModel.usageMeters;
    expect(meterRow).toEqual({
      ...updated,
      prices: [
        expect.objectContaining({
          type: "usage",
          usageMeterId: usageMeter.id,
          unitPrice: 2,
          usageEventsPerUnit: 10,
        }),
      ],
      defaultPrice: expect.objectContaining({
        usageMeterId: usageMeter.id,
        isDefault: true,
        intervalUnit: "month",
        intervalCount: 1,
      }),
    });
  });

  it("answers another tenant with NOT_FOUND", async () => {
    const { client, pricingModelId } = await setup();
    const { usageMeter } = await client.usageMeters.create({
      usageMeter: { name: "Calls", slug: "calls", pricingModelId },
    });
    const outsider = flowgladClient(glade, (await glade.ctx.merchant()).testKey);
    const err = await outsider.usageMeters.retrieve(usageMeter.id).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Flowglad.NotFoundError);
  });
});

describe("@flowglad/node resources", () => {
  it("creates, retrieves, updates and lists a pricing model's resources as {resources}", async () => {
    const { client, log, pricingModelId } = await setup();
    const { resource } = await client.resources.create({
      resource: { name: "Seats", slug: "seats", pricingModelId },
    });
    expect(resource).toEqual(resourceShape({ name: "Seats", slug: "seats", active: true, pricingModelId }));
    expect((await client.resources.retrieve(resource.id)).resource).toEqual(resource);
    const { resource: updated } = await client.resources.update(resource.id, {
      resource: { id: resource.id, name: "Users", active: false },
    });
    expect(updated).toEqual({ ...resource, name: "Users", active: false, updatedAt: anyMs() });
    const listed = await client.resources.list({ pricingModelId });
    expect(listed).toEqual({ resources: [updated] });
    expect(log.at(-1)).toMatchObject({
      method: "GET",
      path: `/api/v1/resources?pricingModelId=${pricingModelId}`,
    });
  });
});

describe("@flowglad/node products with features", () => {
  it("creates a product with featureIds and retrieves its features", async () => {
    const { m, client, pricingModelId } = await setup();
    const { usageMeter } = await client.usageMeters.create({
      usageMeter: { name: "Calls", slug: "calls", pricingModelId },
    });
    const seats = await createResource(glade.ctx, m, pricingModelId);
    const toggle = await createFeature(glade.ctx, m, pricingModelId, { slug: "sso", description: "SAML" });
    const credits = await createFeature(glade.ctx, m, pricingModelId, {
      type: "usage_credit_grant",
      slug: "credits",
      amount: 500,
      renewalFrequency: "every_billing_period",
      usageMeterId: usageMeter.id,
    });
    const seatCap = await createFeature(glade.ctx, m, pricingModelId, {
      type: "resource",
      slug: "seat-cap",
      amount: 10,
      resourceId: seats.id,
    });
    const { product } = await client.products.create({
      product: { name: "Team", active: true, pricingModelId },
      price: {
        type: "subscription",
        unitPrice: 1500,
        intervalUnit: "month",
        intervalCount: 1,
        isDefault: true,
      },
      featureIds: [toggle.id, credits.id, seatCap.id],
    });
    const full = await client.products.retrieve(product.id);
    expect(full.features).toHaveLength(3);
    const [t, c, r] = full.features;
    const common = {
      active: true,
      createdAt: anyMs(),
      updatedAt: anyMs(),
      livemode: false,
      organizationId: m.organizationId,
      pricingModelId,
    };
    expect(t).toEqual({
      ...common,
      id: toggle.id,
      type: "toggle",
      name: expect.any(String),
      slug: "sso",
      description: "SAML",
      amount: null,
      renewalFrequency: null,
      resourceId: null,
      usageMeterId: null,
    });
    expect(c).toEqual({
      ...common,
      id: credits.id,
      type: "usage_credit_grant",
      name: expect.any(String),
      slug: "credits",
      description: "",
      amount: 500,
      renewalFrequency: "every_billing_period",
      usageMeterId: usageMeter.id,
      resourceId: null,
    });
    expect(r).toEqual({
      ...common,
      id: seatCap.id,
      type: "resource",
      name: expect.any(String),
      slug: "seat-cap",
      description: "",
      amount: 10,
      resourceId: seats.id,
      renewalFrequency: null,
      usageMeterId: null,
    });

    await client.products.update(product.id, {
      product: { id: product.id, name: "Team", active: true },
      featureIds: [seatCap.id],
    });
    expect((await client.products.retrieve(product.id)).features.map((f) => f.id)).toEqual([seatCap.id]);
    const { pricingModel } = await client.pricingModels.retrieve(pricingModelId);
    expect(pricingModel.products[0]?.features.map((f) => f.id)).toEqual([seatCap.id]);
  });
});
