import { type APIError, Flowglad } from "@flowglad/node";
import { describe, expect, it } from "vitest";
import {
  anyMs,
  type CatalogFixture,
  catalogFixture,
  expectListEnvelope,
  flowgladClient,
  nullableString,
  payCheckout,
  type RequestLog,
  serveGlade,
} from "../support/index.js";

const glade = await serveGlade();
const URLS = { successUrl: "https://merchant.example/done", cancelUrl: "https://merchant.example/cart" };

async function setup(): Promise<{ f: CatalogFixture; client: Flowglad }> {
  const f = await catalogFixture(glade.ctx);
  return { f, client: flowgladClient(glade, f.merchant.testKey) };
}

async function newCustomer(client: Flowglad, externalId: string, email = `${externalId}@example.com`) {
  // Flowglad answers this one call as {data: {customer}}; @flowglad/server reads exactly that path.
  const created = await client.customers.create({
    customer: { externalId, email, name: `Customer ${externalId}` },
  });
  return created.data.customer;
}

/** Rejects with the given error class and top-level code, and nothing else. */
async function expectApiError(
  promise: Promise<unknown>,
  errorClass: new (...args: never[]) => APIError,
  code: string,
) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(errorClass);
  const apiError = err as APIError;
  expect(apiError.error).toMatchObject({ code, message: expect.any(String) });
  expect(apiError.message).toBe(`${apiError.status} ${(apiError.error as { message: string }).message}`);
  return apiError;
}

const sessionShape = (fields: Record<string, unknown>) =>
  expect.objectContaining({
    id: expect.stringMatching(/^chckt_session_/),
    status: "open",
    livemode: false,
    createdAt: anyMs(),
    updatedAt: anyMs(),
    expires: anyMs(),
    quantity: expect.any(Number),
    customerEmail: nullableString(),
    customerName: nullableString(),
    discountId: null,
    outputName: nullableString(),
    pricingModelId: expect.any(String),
    organizationId: expect.any(String),
    successUrl: URLS.successUrl,
    cancelUrl: URLS.cancelUrl,
    ...fields,
  });

describe("@flowglad/node checkoutSessions", () => {
  it("creates and retrieves an identified product session by price slug, with quantity and outputs", async () => {
    const { f, client } = await setup();
    const customer = await newCustomer(client, "user_ada");
    const log: RequestLog = [];
    const logged = flowgladClient(glade, f.merchant.testKey, { log });
    const created = await logged.checkoutSessions.create({
      checkoutSession: {
        type: "product",
        customerExternalId: "user_ada",
        priceSlug: f.slugs.oneTime,
        quantity: 2,
        outputName: "Pro for Ada",
        outputMetadata: { plan: "pro", seats: 2, gift: false },
        ...URLS,
      },
    });
    expect(log).toEqual([
      {
        method: "POST",
        path: "/api/v1/checkout-sessions",
        body: { checkoutSession: expect.objectContaining({ type: "product", priceSlug: "pro-once" }) },
      },
    ]);
    expect(created.url).toBe(`${glade.baseUrl}/checkout/${created.checkoutSession.id}`);
    expect(created.checkoutSession).toEqual(
      sessionShape({
        type: "product",
        customerId: customer.id,
        priceId: f.oneTimePriceId,
        pricingModelId: f.pricingModelId,
        organizationId: f.merchant.organizationId,
        quantity: 2,
        outputName: "Pro for Ada",
        outputMetadata: { plan: "pro", seats: 2, gift: false },
        customerEmail: "user_ada@example.com",
        customerName: "Customer user_ada",
      }),
    );
    const fetched = await client.checkoutSessions.retrieve(created.checkoutSession.id);
    expect(fetched).toEqual(created);
    // The hosted page the url points to is really there.
    const page = await fetch(created.url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
  });

  it("creates an anonymous product session by price id, with no customer until payment", async () => {
    const { f, client } = await setup();
    const created = await client.checkoutSessions.create({
      checkoutSession: { type: "product", anonymous: true, priceId: f.monthlyPriceId, ...URLS },
    });
    expect(created.checkoutSession).toEqual(
      sessionShape({ type: "product", customerId: null, priceId: f.monthlyPriceId, quantity: 1 }),
    );
    expect(await client.checkoutSessions.retrieve(created.checkoutSession.id)).toEqual(created);
  });

  it("creates add_payment_method and activate_subscription sessions for a subscription", async () => {
    const { f, client } = await setup();
    const customer = await newCustomer(client, "user_sub");
    const { subscription } = await client.subscriptions.create({
      customerExternalId: "user_sub",
      priceId: f.monthlyPriceId,
    });
    expect(subscription).toMatchObject({ customerId: customer.id, status: "incomplete" });

    const addPm = await client.checkoutSessions.create({
      checkoutSession: {
        type: "add_payment_method",
        customerExternalId: "user_sub",
        targetSubscriptionId: subscription.id,
        automaticallyUpdateSubscriptions: true,
        ...URLS,
      },
    });
    expect(addPm.checkoutSession).toEqual(
      sessionShape({
        type: "add_payment_method",
        customerId: customer.id,
        targetSubscriptionId: subscription.id,
        automaticallyUpdateSubscriptions: true,
        preserveBillingCycleAnchor: expect.any(Boolean),
      }),
    );
    expect(addPm.url).toContain(addPm.checkoutSession.id);
    expect(await client.checkoutSessions.retrieve(addPm.checkoutSession.id)).toEqual(addPm);

    const activate = await client.checkoutSessions.create({
      checkoutSession: {
        type: "activate_subscription",
        customerExternalId: "user_sub",
        targetSubscriptionId: subscription.id,
        ...URLS,
      },
    });
    expect(activate.checkoutSession).toEqual(
      sessionShape({
        type: "activate_subscription",
        customerId: customer.id,
        targetSubscriptionId: subscription.id,
        priceId: f.monthlyPriceId,
      }),
    );
    expect(await client.checkoutSessions.retrieve(activate.checkoutSession.id)).toEqual(activate);
  });

  it("lists sessions in the Flowglad envelope, following nextCursor page by page", async () => {
    const { f, client } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await client.checkoutSessions.create({
        checkoutSession: { type: "product", anonymous: true, priceId: f.oneTimePriceId, ...URLS },
      });
      ids.push(s.checkoutSession.id);
    }
    const first = await client.checkoutSessions.list({ limit: "2" });
    expectListEnvelope(first);
    expect(first).toMatchObject({ hasMore: true, total: 3, nextCursor: expect.any(String) });
    expect(first.data).toHaveLength(2);
    const second = await client.checkoutSessions.list({ cursor: first.nextCursor, limit: "2" });
    expect(second).toMatchObject({ hasMore: false, total: 3 });
    const seen = [...first.data, ...second.data].map((s) => s.id);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it("turns bad input and unknown ids into typed errors with a top-level code", async () => {
    const { f, client } = await setup();
    await newCustomer(client, "user_err");
    await expectApiError(
      client.checkoutSessions.retrieve("chckt_session_nope"),
      Flowglad.NotFoundError,
      "NOT_FOUND",
    );
    await expectApiError(
      client.checkoutSessions.create({
        checkoutSession: {
          type: "product",
          customerExternalId: "user_err",
          priceId: f.oneTimePriceId,
          priceSlug: f.slugs.oneTime,
          ...URLS,
        } as never,
      }),
      Flowglad.BadRequestError,
      "BAD_REQUEST",
    );
    await expectApiError(
      client.checkoutSessions.create({
        checkoutSession: {
          type: "product",
          customerExternalId: "user_err",
          priceId: f.oneTimePriceId,
          successUrl: "javascript:alert(1)",
          cancelUrl: URLS.cancelUrl,
        },
      }),
      Flowglad.BadRequestError,
      "BAD_REQUEST",
    );
    // A first-time user: the customer must exist first (FlowgladServer.getBilling creates it).
    await expectApiError(
      client.checkoutSessions.create({
        checkoutSession: {
          type: "product",
          customerExternalId: "never_seen",
          priceId: f.oneTimePriceId,
          ...URLS,
        },
      }),
      Flowglad.NotFoundError,
      "NOT_FOUND",
    );
    const badKey = flowgladClient(glade, "sk_test_0000000000000000000000");
    await expect(badKey.checkoutSessions.list()).rejects.toBeInstanceOf(Flowglad.AuthenticationError);
  });

  it("never shows a session to another organization or the other mode", async () => {
    const { f, client } = await setup();
    const s = await client.checkoutSessions.create({
      checkoutSession: { type: "product", anonymous: true, priceId: f.oneTimePriceId, ...URLS },
    });
    const other = await glade.ctx.merchant();
    for (const key of [other.testKey, f.merchant.liveKey]) {
      const outsider = flowgladClient(glade, key);
      await expectApiError(
        outsider.checkoutSessions.retrieve(s.checkoutSession.id),
        Flowglad.NotFoundError,
        "NOT_FOUND",
      );
      expect((await outsider.checkoutSessions.list()).data.map((x) => x.id)).not.toContain(
        s.checkoutSession.id,
      );
    }
  });
});

describe("@flowglad/node customers", () => {
  it("creates ({data:{customer}}), retrieves, updates, lists and archives by externalId", async () => {
    const { f, client } = await setup();
    // Sent raw in the path: the client keeps "@" and ":" as they are.
    const externalId = "ada@example.com:1";
    const created = await newCustomer(client, externalId, "ada@example.com");
    expect(created).toEqual({
      id: expect.stringMatching(/^cus_/),
      externalId,
      email: "ada@example.com",
      name: `Customer ${externalId}`,
      archived: false,
      livemode: false,
      organizationId: f.merchant.organizationId,
      pricingModelId: f.pricingModelId,
      domain: null,
      iconURL: null,
      logoURL: null,
      userId: null,
      invoiceNumberBase: expect.any(String),
      createdAt: anyMs(),
      updatedAt: anyMs(),
    });
    expect((await client.customers.retrieve(externalId)).customer).toEqual(created);

    const updated = await client.customers.update(externalId, {
      customer: { name: "Ada Lovelace", email: "ada@lovelace.example", domain: "lovelace.example" },
    });
    expect(updated.customer).toEqual({
      ...created,
      name: "Ada Lovelace",
      email: "ada@lovelace.example",
      domain: "lovelace.example",
      updatedAt: anyMs(),
    });

    const page = await client.customers.list();
    expectListEnvelope(page);
    expect(page.data.map((c) => c.externalId)).toContain(externalId);

    // @flowglad/server's archiveCustomer() is a raw POST through the same client.
    const archived = await client.post<{ customer: { archived: boolean } }>(
      `/api/v1/customers/${encodeURIComponent(externalId)}/archive`,
      { body: {} },
    );
    expect(archived.customer.archived).toBe(true);
  });

  it("answers an unknown customer with 404 and code NOT_FOUND, which findOrCreate relies on", async () => {
    const { client } = await setup();
    const err = await expectApiError(client.customers.retrieve("ghost"), Flowglad.NotFoundError, "NOT_FOUND");
    expect(err.status).toBe(404);
    await expectApiError(client.customers.retrieveBilling("ghost"), Flowglad.NotFoundError, "NOT_FOUND");
    await expectApiError(
      client.customers.update("ghost", { customer: { name: "x" } }),
      Flowglad.NotFoundError,
      "NOT_FOUND",
    );
  });

  it("answers a duplicate externalId with a 409 the client does not retry", async () => {
    const { f } = await setup();
    const log: RequestLog = [];
    const retrying = flowgladClient(glade, f.merchant.testKey, { maxRetries: 2, log });
    await newCustomer(retrying, "dup");
    const err = await expectApiError(newCustomer(retrying, "dup"), Flowglad.ConflictError, "CONFLICT");
    expect(err.headers?.get("x-should-retry")).toBe("false");
    expect(log.filter((r) => r.method === "POST")).toHaveLength(2);
  });

  it("rejects a customer without a valid email with 400, not 5xx", async () => {
    const { client } = await setup();
    await expectApiError(
      client.customers.create({ customer: { externalId: "x", email: "not-an-email", name: "X" } }),
      Flowglad.BadRequestError,
      "BAD_REQUEST",
    );
  });

  it("returns the billing view the SDK helpers read", async () => {
    const { f, client } = await setup();
    const customer = await newCustomer(client, "user_bill");
    const billing = await client.customers.retrieveBilling("user_bill");
    expect(billing.customer).toEqual(customer);
    expect(billing.billingPortalUrl).toEqual(expect.any(String));
    expect(billing.pricingModel).toMatchObject({ id: f.pricingModelId, isDefault: true, livemode: false });
    expect(billing.catalog).toEqual(billing.pricingModel);
    const product = billing.pricingModel.products.find((p) => p.id === f.productId);
    expect(product).toMatchObject({
      features: expect.any(Array),
      defaultPrice: expect.objectContaining({ id: f.oneTimePriceId }),
    });
    expect(product?.prices.map((p) => p.id).sort()).toEqual(
      [f.oneTimePriceId, f.monthlyPriceId, f.trialPriceId, f.freePriceId].sort(),
    );
    expect(billing).toMatchObject({
      subscriptions: [],
      currentSubscriptions: [],
      purchases: [],
      invoices: [],
      paymentMethods: [],
    });
  });

  it("keeps customers apart per organization and per mode", async () => {
    const { f, client } = await setup();
    await newCustomer(client, "private");
    const other = await glade.ctx.merchant();
    for (const key of [other.testKey, f.merchant.liveKey]) {
      const outsider = flowgladClient(glade, key);
      await expectApiError(outsider.customers.retrieve("private"), Flowglad.NotFoundError, "NOT_FOUND");
      await expectApiError(
        outsider.customers.retrieveBilling("private"),
        Flowglad.NotFoundError,
        "NOT_FOUND",
      );
      await expectApiError(
        outsider.customers.update("private", { customer: { name: "Mallory" } }),
        Flowglad.NotFoundError,
        "NOT_FOUND",
      );
    }
    expect((await client.customers.retrieve("private")).customer.name).toBe("Customer private");
  });
});

describe("@flowglad/node catalog", () => {
  it("creates and reads pricing models, products and prices in the Flowglad shapes", async () => {
    const client = flowgladClient(glade, (await glade.ctx.merchant()).testKey);
    const { pricingModel } = await client.pricingModels.create({
      pricingModel: { name: "SDK", isDefault: true },
    });
    expect(pricingModel).toEqual({
      id: expect.any(String),
      name: "SDK",
      isDefault: true,
      livemode: false,
      organizationId: expect.any(String),
      createdAt: anyMs(),
      updatedAt: anyMs(),
    });
    expect((await client.pricingModels.retrieveDefault()).pricingModel).toMatchObject({
      id: pricingModel.id,
      products: [],
    });

    const { product } = await client.products.create({
      product: {
        name: "Seats",
        slug: "seats",
        active: true,
        pricingModelId: pricingModel.id,
        description: "Per seat",
      },
      price: {
        type: "subscription",
        unitPrice: 1200,
        intervalUnit: "month",
        intervalCount: 1,
        isDefault: true,
        slug: "seats-monthly",
      },
    });
    expect(product).toMatchObject({
      id: expect.any(String),
      name: "Seats",
      slug: "seats",
      active: true,
      pricingModelId: pricingModel.id,
    });

    // products.retrieve is the one product call that answers unwrapped.
    const full = await client.products.retrieve(product.id);
    expect(full).toMatchObject({
      id: product.id,
      features: [],
      defaultPrice: expect.objectContaining({ slug: "seats-monthly" }),
    });
    expect(full.prices).toHaveLength(1);
    expect(full.prices[0]).toEqual(
      expect.objectContaining({
        type: "subscription",
        unitPrice: 1200,
        currency: "USD",
        intervalUnit: "month",
        intervalCount: 1,
        isDefault: true,
        active: true,
        productId: product.id,
        pricingModelId: pricingModel.id,
        createdAt: anyMs(),
      }),
    );

    const renamed = await client.products.update(product.id, {
      product: { id: product.id, name: "Team seats", active: true },
    });
    expect(renamed.product).toMatchObject({ id: product.id, name: "Team seats" });

    const { price } = await client.prices.create({
      price: {
        type: "single_payment",
        productId: product.id,
        unitPrice: 5000,
        isDefault: false,
        slug: "seats-setup",
      },
    });
    expect(price).toMatchObject({
      type: "single_payment",
      unitPrice: 5000,
      intervalUnit: null,
      slug: "seats-setup",
    });
    const renamedPrice = await client.prices.update(price.id, {
      price: { id: price.id, type: "single_payment", isDefault: false, name: "Setup fee" },
    });
    expect(renamedPrice.price).toMatchObject({ id: price.id, name: "Setup fee" });

    const prices = await client.prices.list();
    expectListEnvelope(prices);
    expect(prices.data.map((p) => p.id)).toEqual(expect.arrayContaining([price.id, full.prices[0]?.id]));
    const products = await client.products.list();
    expect(products).toMatchObject({ total: 1, hasMore: false });
    const models = await client.pricingModels.list();
    expect(models.data.map((m) => m.id)).toContain(pricingModel.id);
    const details = await client.pricingModels.retrieve(pricingModel.id);
    expect(details.pricingModel.products.map((p) => p.id)).toEqual([product.id]);
    const renamedModel = await client.pricingModels.update(pricingModel.id, {
      pricingModel: { id: pricingModel.id, name: "SDK 2" },
    });
    expect(renamedModel.pricingModel).toMatchObject({ name: "SDK 2" });
  });

  it("rejects invalid catalog input with 400 and hides catalogs across tenants", async () => {
    const { f, client } = await setup();
    await expectApiError(
      client.prices.create({
        price: { type: "single_payment", productId: f.productId, unitPrice: -5, isDefault: false },
      }),
      Flowglad.BadRequestError,
      "BAD_REQUEST",
    );
    const outsider = flowgladClient(glade, (await glade.ctx.merchant()).testKey);
    await expectApiError(outsider.products.retrieve(f.productId), Flowglad.NotFoundError, "NOT_FOUND");
    await expectApiError(
      flowgladClient(glade, f.merchant.liveKey).products.retrieve(f.productId),
      Flowglad.NotFoundError,
      "NOT_FOUND",
    );
  });
});

describe("@flowglad/node subscriptions", () => {
  it("creates (flat body), retrieves, lists, cancels and uncancels", async () => {
    const { f, client } = await setup();
    const customer = await newCustomer(client, "user_plan");
    // A paid subscription, through the hosted checkout, so it is active with a billing period.
    const session = await client.checkoutSessions.create({
      checkoutSession: {
        type: "product",
        customerExternalId: "user_plan",
        priceSlug: f.slugs.monthly,
        ...URLS,
      },
    });
    await payCheckout(glade.ctx, session.checkoutSession.id);
    const list = await client.subscriptions.list();
    expectListEnvelope(list);
    expect(list.data).toHaveLength(1);
    const id = list.data[0]?.id as string;
    const { subscription } = await client.subscriptions.retrieve(id);
    expect(subscription).toEqual(
      expect.objectContaining({
        id,
        customerId: customer.id,
        priceId: f.monthlyPriceId,
        status: "active",
        current: true,
        renews: true,
        interval: "month",
        intervalCount: 1,
        livemode: false,
        startDate: anyMs(),
        currentBillingPeriodStart: anyMs(),
        currentBillingPeriodEnd: anyMs(),
        defaultPaymentMethodId: expect.any(String),
        canceledAt: null,
      }),
    );

    const scheduled = await client.subscriptions.cancel(id, {
      cancellation: { timing: "at_end_of_current_billing_period" },
    });
    expect(scheduled.subscription).toMatchObject({
      id,
      status: "cancellation_scheduled",
      cancelScheduledAt: anyMs(),
    });
    const restored = await client.subscriptions.uncancel(id);
    expect(restored.subscription).toMatchObject({ id, status: "active", cancelScheduledAt: null });
    const ended = await client.subscriptions.cancel(id, { cancellation: { timing: "immediately" } });
    expect(ended.subscription).toMatchObject({ id, status: "canceled", canceledAt: anyMs(), current: false });

    const created = await client.subscriptions.create({
      customerId: customer.id,
      priceSlug: f.slugs.trial,
    });
    expect(created.subscription).toMatchObject({
      customerId: customer.id,
      priceId: f.trialPriceId,
      status: expect.any(String),
    });
  });

  it("adjusts a subscription: an immediate prorated upgrade, then a downgrade scheduled for the period end", async () => {
    const { f, client } = await setup();
    const log: RequestLog = [];
    const logged = flowgladClient(glade, f.merchant.testKey, { log });
    await newCustomer(client, "user_adjust");
    // Paid through the hosted checkout, so it is active with a card on file and a running period.
    const session = await client.checkoutSessions.create({
      checkoutSession: {
        type: "product",
        customerExternalId: "user_adjust",
        priceSlug: f.slugs.monthly,
        ...URLS,
      },
    });
    await payCheckout(glade.ctx, session.checkoutSession.id);
    const id = (await client.subscriptions.list()).data[0]?.id as string;

    const upgraded = await logged.subscriptions.adjust(id, {
      adjustment: {
        timing: "immediately",
        newSubscriptionItems: [{ priceId: f.trialPriceId, quantity: 2 }],
        prorateCurrentBillingPeriod: true,
      },
    });
    expect(log).toEqual([
      {
        method: "POST",
        path: `/api/v1/subscriptions/${id}/adjust`,
        body: { adjustment: expect.objectContaining({ timing: "immediately" }) },
      },
    ]);
    expect(Object.keys(upgraded).sort()).toEqual([
      "isUpgrade",
      "resolvedTiming",
      "subscription",
      "subscriptionItems",
    ]);
    expect(upgraded).toMatchObject({ isUpgrade: true, resolvedTiming: "immediately" });
    expect(upgraded.subscription).toEqual(
      expect.objectContaining({ id, priceId: f.trialPriceId, status: "active", updatedAt: anyMs() }),
    );
    expect(upgraded.subscriptionItems).toEqual([
      expect.objectContaining({
        id: expect.any(String),
        subscriptionId: id,
        priceId: f.trialPriceId,
        quantity: 2,
        unitPrice: 1500,
        type: "static",
        livemode: false,
        addedDate: anyMs(),
        createdAt: anyMs(),
        updatedAt: anyMs(),
        expiredAt: null,
      }),
    ]);
    // The prorated difference was charged on top of the first payment.
    const payments = await client.payments.list();
    expect(payments.data).toHaveLength(2);

    const scheduled = await client.subscriptions.adjust(id, {
      adjustment: { timing: "auto", newSubscriptionItems: [{ priceSlug: f.slugs.monthly }] },
    });
    expect(scheduled).toMatchObject({
      isUpgrade: false,
      resolvedTiming: "at_end_of_current_billing_period",
      subscription: { id, priceId: f.trialPriceId },
    });
    expect(scheduled.subscriptionItems).toEqual([
      expect.objectContaining({
        priceId: f.trialPriceId,
        expiredAt: scheduled.subscription.currentBillingPeriodEnd,
      }),
    ]);
    expect((await client.payments.list()).data).toHaveLength(2);
  });

  it("reports adjust errors as typed, non-retried errors", async () => {
    const { f } = await setup();
    const log: RequestLog = [];
    const retrying = flowgladClient(glade, f.merchant.testKey, { maxRetries: 2, log });
    await newCustomer(retrying, "user_adjust_err");
    // Incomplete (no card yet): its plan cannot change.
    const { subscription } = await retrying.subscriptions.create({
      customerExternalId: "user_adjust_err",
      priceId: f.monthlyPriceId,
    });
    const conflict = await expectApiError(
      retrying.subscriptions.adjust(subscription.id, {
        adjustment: {
          timing: "immediately",
          newSubscriptionItems: [{ priceId: f.trialPriceId, quantity: 1 }],
        },
      }),
      Flowglad.ConflictError,
      "CONFLICT",
    );
    expect(conflict.headers?.get("x-should-retry")).toBe("false");
    const active = await retrying.subscriptions.create({
      customerExternalId: "user_adjust_err",
      priceId: f.monthlyPriceId,
      doNotCharge: true,
    });
    expect(active.subscription.status).toBe("active");
    await expectApiError(
      retrying.subscriptions.adjust(active.subscription.id, {
        adjustment: { timing: "immediately", newSubscriptionItems: [{ priceId: f.oneTimePriceId }] },
      }),
      Flowglad.BadRequestError,
      "BAD_REQUEST",
    );
    await expectApiError(
      retrying.subscriptions.adjust("sub_nope", {
        adjustment: { timing: "auto", newSubscriptionItems: [{ priceId: f.trialPriceId }] },
      }),
      Flowglad.NotFoundError,
      "NOT_FOUND",
    );
    expect(log.filter((r) => r.path.endsWith("/adjust"))).toHaveLength(3);
  });

  it("hides subscriptions across tenants and reports unknown ones as NOT_FOUND", async () => {
    const { f, client } = await setup();
    await newCustomer(client, "user_iso");
    const { subscription } = await client.subscriptions.create({
      customerExternalId: "user_iso",
      priceId: f.monthlyPriceId,
    });
    for (const key of [(await glade.ctx.merchant()).testKey, f.merchant.liveKey]) {
      const outsider = flowgladClient(glade, key);
      await expectApiError(
        outsider.subscriptions.retrieve(subscription.id),
        Flowglad.NotFoundError,
        "NOT_FOUND",
      );
      await expectApiError(
        outsider.subscriptions.cancel(subscription.id, { cancellation: { timing: "immediately" } }),
        Flowglad.NotFoundError,
        "NOT_FOUND",
      );
    }
    await expectApiError(client.subscriptions.retrieve("sub_nope"), Flowglad.NotFoundError, "NOT_FOUND");
  });
});

describe("@flowglad/node records after a paid checkout", () => {
  it("reads payment methods, invoices, line items, payments (with refund) and purchases", async () => {
    const { f, client } = await setup();
    const customer = await newCustomer(client, "user_paid");
    const session = await client.checkoutSessions.create({
      checkoutSession: {
        type: "product",
        customerExternalId: "user_paid",
        priceId: f.oneTimePriceId,
        quantity: 2,
        ...URLS,
      },
    });
    await payCheckout(glade.ctx, session.checkoutSession.id);
    const done = (await client.checkoutSessions.retrieve(session.checkoutSession.id)).checkoutSession;
    expect(done.status).toBe("succeeded");

    const payments = await client.payments.list();
    expectListEnvelope(payments);
    expect(payments.data).toHaveLength(1);
    const payment = (await client.payments.retrieve(payments.data[0]?.id as string)).payment;
    expect(payment).toMatchObject({
      customerId: customer.id,
      amount: 3998,
      currency: "USD",
      status: "succeeded",
      livemode: false,
      createdAt: anyMs(),
    });

    const refunded = await client.payments.refund(payment.id, { partialAmount: 1000 });
    expect(refunded.payment).toMatchObject({
      id: payment.id,
      status: "succeeded",
      refunded: true,
      refundedAmount: 1000,
      refundedAt: anyMs(),
    });

    const invoices = await client.invoices.list();
    expectListEnvelope(invoices);
    const invoiceId = invoices.data[0]?.id as string;
    const { invoice, invoiceLineItems } = await client.invoices.retrieve(invoiceId);
    expect(invoice).toMatchObject({
      id: invoiceId,
      customerId: customer.id,
      status: "partially_refunded",
      currency: "USD",
    });
    expect(invoiceLineItems).toHaveLength(1);
    expect(invoiceLineItems[0]).toMatchObject({ invoiceId, priceId: f.oneTimePriceId, quantity: 2 });
    // Line items answer unwrapped on retrieve.
    const line = await client.invoiceLineItems.retrieve(invoiceLineItems[0]?.id as string);
    expect(line).toMatchObject({ id: invoiceLineItems[0]?.id, invoiceId });
    expectListEnvelope(await client.invoiceLineItems.list());

    const methods = await client.paymentMethods.list();
    expectListEnvelope(methods);
    expect(methods.total).toBe(1);
    const pm = await client.paymentMethods.retrieve(methods.data[0]?.id as string);
    expect(pm.paymentMethod).toMatchObject({ customerId: customer.id, type: "card", livemode: false });
    expect(payment.paymentMethodId).toBe(pm.paymentMethod.id);

    // No SDK resource for purchases: they come with billing, and through the client's raw GET.
    const billing = await client.customers.retrieveBilling("user_paid");
    expect(billing.purchases).toHaveLength(1);
    const purchase = billing.purchases[0];
    expect(purchase).toMatchObject({
      customerId: customer.id,
      priceId: f.oneTimePriceId,
      status: "partial_refund",
      priceType: "single_payment",
    });
    const raw = await client.get<{ purchase: { id: string } }>(`/api/v1/purchases/${purchase?.id}`);
    expect(raw.purchase.id).toBe(purchase?.id);
    expect(billing.invoices).toHaveLength(1);
    expect(billing.invoices[0]?.invoice.id).toBe(invoiceId);

    // None of it is visible to another organization or the live key.
    for (const key of [(await glade.ctx.merchant()).testKey, f.merchant.liveKey]) {
      const outsider = flowgladClient(glade, key);
      await expectApiError(outsider.payments.retrieve(payment.id), Flowglad.NotFoundError, "NOT_FOUND");
      await expectApiError(outsider.invoices.retrieve(invoiceId), Flowglad.NotFoundError, "NOT_FOUND");
      await expectApiError(outsider.payments.refund(payment.id, {}), Flowglad.NotFoundError, "NOT_FOUND");
      expect((await outsider.payments.list()).total).toBe(0);
    }
  });

  it("saves the card of a subscription checkout as a payment method", async () => {
    const { f, client } = await setup();
    const customer = await newCustomer(client, "user_card");
    const session = await client.checkoutSessions.create({
      checkoutSession: {
        type: "product",
        customerExternalId: "user_card",
        priceId: f.monthlyPriceId,
        ...URLS,
      },
    });
    await payCheckout(glade.ctx, session.checkoutSession.id, "5555 5555 5555 4444");
    const methods = await client.paymentMethods.list();
    expect(methods.total).toBe(1);
    const { paymentMethod } = await client.paymentMethods.retrieve(methods.data[0]?.id as string);
    expect(paymentMethod).toMatchObject({
      customerId: customer.id,
      type: "card",
      livemode: false,
      default: true,
      paymentMethodData: expect.objectContaining({ brand: "mastercard", last4: "4444" }),
      createdAt: anyMs(),
    });
    const billing = await client.customers.retrieveBilling("user_card");
    expect(billing.paymentMethods.map((p) => p.id)).toEqual([paymentMethod.id]);
    expect(billing.currentSubscriptions?.map((s) => s.priceId)).toEqual([f.monthlyPriceId]);
    expect(billing.currentSubscription?.subscriptionItems[0]).toMatchObject({
      priceId: f.monthlyPriceId,
      quantity: 1,
    });
    await expectApiError(
      flowgladClient(glade, f.merchant.liveKey).paymentMethods.retrieve(paymentMethod.id),
      Flowglad.NotFoundError,
      "NOT_FOUND",
    );
  });
});
