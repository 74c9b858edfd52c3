import { entitledFixture, subscribeTo } from "./entitlements.js";
import { flowgladClient } from "./sdk.js";
import type { ServedGlade } from "./server.js";
import { newTransactionId, usageFixture } from "./usage-events.js";

/** A response and the `@flowglad/node` type (`resources/<file>.d.ts`) it must satisfy. */
export type ParityCheck = { what: string; file: string; type: string; value: unknown };

/**
 * What the official client's writes answer (create, update, clone, adjust, cancel, claim...), each made for real
 * on fresh tenants: the catalog's own (a pricing model, its products, each type of price, a meter, a resource),
 * a subscription with resource features, and a metered one that records a usage event.
 */
export async function writeResponses(glade: ServedGlade): Promise<ParityCheck[]> {
  const checks: ParityCheck[] = [];
  const fits = (what: string, file: string, type: string, value: unknown) =>
    checks.push({ what, file, type, value });

  const m = await glade.ctx.merchant();
  const client = flowgladClient(glade, m.testKey);
  const created = await client.pricingModels.create({ pricingModel: { name: "Writes" } });
  const pricingModelId = created.pricingModel.id;
  fits("pricingModels.create", "pricing-models", "PricingModelCreateResponse", created);
  fits(
    "pricingModels.update",
    "pricing-models",
    "PricingModelUpdateResponse",
    await client.pricingModels.update(pricingModelId, { pricingModel: { id: pricingModelId, name: "W2" } }),
  );

  const product = await client.products.create({
    product: { name: "Seats", slug: "w-seats", active: true, pricingModelId, description: "Per seat" },
    price: {
      type: "subscription",
      unitPrice: 1200,
      intervalUnit: "month",
      intervalCount: 1,
      isDefault: true,
      slug: "w-seats-monthly",
    },
  });
  const productId = product.product.id;
  fits("products.create", "products", "ProductCreateResponse", product);
  fits(
    "products.update",
    "products",
    "ProductUpdateResponse",
    await client.products.update(productId, { product: { id: productId, name: "Team seats", active: true } }),
  );

  const once = await client.prices.create({
    price: { type: "single_payment", productId, unitPrice: 5000, isDefault: false, slug: "w-setup" },
  });
  fits("prices.create (single_payment)", "prices", "PriceCreateResponse", once);
  fits(
    "prices.create (subscription)",
    "prices",
    "PriceCreateResponse",
    await client.prices.create({
      price: {
        type: "subscription",
        productId,
        unitPrice: 12000,
        intervalUnit: "year",
        intervalCount: 1,
        trialPeriodDays: 7,
        isDefault: false,
        slug: "w-seats-yearly",
      },
    }),
  );
  fits(
    "prices.update",
    "prices",
    "PriceUpdateResponse",
    await client.prices.update(once.price.id, {
      price: { id: once.price.id, type: "single_payment", isDefault: false, name: "Setup fee" },
    }),
  );

  const meter = await client.usageMeters.create({
    usageMeter: { name: "API calls", slug: "w-calls", pricingModelId },
  });
  const meterId = meter.usageMeter.id;
  fits("usageMeters.create", "usage-meters", "UsageMeterCreateResponse", meter);
  fits(
    "usageMeters.update",
    "usage-meters",
    "UsageMeterUpdateResponse",
    await client.usageMeters.update(meterId, { usageMeter: { id: meterId, name: "Requests" } }),
  );
  fits(
    "usageMeters.retrieve",
    "usage-meters",
    "UsageMeterRetrieveResponse",
    await client.usageMeters.retrieve(meterId),
  );
  fits(
    "prices.create (usage)",
    "prices",
    "PriceCreateResponse",
    await client.prices.create({
      price: {
        type: "usage",
        usageMeterId: meterId,
        intervalUnit: "month",
        intervalCount: 1,
        unitPrice: 3,
        usageEventsPerUnit: 100,
        isDefault: false,
        slug: "w-calls-price",
      },
    }),
  );

  const resource = await client.resources.create({
    resource: { name: "Desks", slug: "w-desks", pricingModelId },
  });
  const resourceId = resource.resource.id;
  fits("resources.create", "resources", "ResourceCreateResponse", resource);
  fits(
    "resources.update",
    "resources",
    "ResourceUpdateResponse",
    await client.resources.update(resourceId, { resource: { id: resourceId, name: "Hot desks" } }),
  );
  fits(
    "resources.retrieve",
    "resources",
    "ResourceRetrieveResponse",
    await client.resources.retrieve(resourceId),
  );
  fits(
    "resources.list",
    "resources",
    "ResourceListResponse",
    await client.resources.list({ pricingModelId }),
  );
  fits(
    "pricingModels.clone",
    "pricing-models",
    "PricingModelCloneResponse",
    await client.pricingModels.clone(pricingModelId, { name: "W copy" }),
  );

  // A subscription whose plan grants seats: claims, then the subscription's own writes.
  const e = await entitledFixture(glade.ctx, { seats: 3 });
  const entitled = flowgladClient(glade, e.key);
  const sub = (await subscribeTo(glade.ctx, e)).id as string;
  fits(
    "resourceClaims.claim",
    "resource-claims",
    "ResourceClaimClaimResponse",
    await entitled.resourceClaims.claim(sub, { resourceSlug: "seats", externalIds: ["ann", "bob"] }),
  );
  fits(
    "resourceClaims.release",
    "resource-claims",
    "ResourceClaimReleaseResponse",
    await entitled.resourceClaims.release(sub, { resourceSlug: "seats", externalId: "ann" }),
  );
  fits(
    "resourceClaims.retrieveUsage",
    "resource-claims",
    "ResourceClaimRetrieveUsageResponse",
    await entitled.resourceClaims.retrieveUsage(sub, { resourceSlug: "seats" }),
  );
  fits(
    "resourceClaims.listUsages",
    "resource-claims",
    "ResourceClaimListUsagesResponse",
    await entitled.resourceClaims.listUsages(sub),
  );
  fits(
    "customers.update",
    "customers",
    "CustomerUpdateResponse",
    await entitled.customers.update(e.externalId, { customer: { name: "Ada L." } }),
  );
  fits(
    "subscriptions.cancel (scheduled)",
    "subscriptions",
    "SubscriptionCancelResponse",
    await entitled.subscriptions.cancel(sub, {
      cancellation: { timing: "at_end_of_current_billing_period" },
    }),
  );
  fits(
    "subscriptions.uncancel",
    "subscriptions",
    "SubscriptionUncancelResponse",
    await entitled.subscriptions.uncancel(sub),
  );
  fits(
    "subscriptions.adjust (scheduled)",
    "subscriptions",
    "SubscriptionAdjustResponse",
    await entitled.subscriptions.adjust(sub, {
      adjustment: {
        timing: "at_end_of_current_billing_period",
        newSubscriptionItems: [{ priceId: e.monthly.id, quantity: 2 }],
      },
    }),
  );
  fits(
    "subscriptions.cancel (now)",
    "subscriptions",
    "SubscriptionCancelResponse",
    await entitled.subscriptions.cancel(sub, { cancellation: { timing: "immediately" } }),
  );

  // A metered subscription records an event.
  const u = await usageFixture(glade.ctx);
  const metered = flowgladClient(glade, u.key);
  const event = await metered.usageEvents.create({
    usageEvent: {
      amount: 3,
      subscriptionId: u.subscriptionId,
      transactionId: newTransactionId(),
      priceId: u.sum.priceId,
      properties: { user: "ada" },
    },
  });
  fits("usageEvents.create", "usage-events", "UsageEventCreateResponse", event);
  fits(
    "usageEvents.retrieve",
    "usage-events",
    "UsageEventRetrieveResponse",
    await metered.usageEvents.retrieve(event.usageEvent.id),
  );
  return checks;
}
