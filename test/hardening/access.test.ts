import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { checkoutSessions, customers, payments, purchases } from "../../src/db/schema/index.js";
import { createApiKey, revokeApiKey } from "../../src/organizations/index.js";
import { LIVE_MODE_NEEDS_PROCESSOR } from "../../src/processors/index.js";
import {
  connectBody,
  connectionContext,
  fakeStripeAccount,
  newEncryptionKey,
  newWebhookSecret,
  ownDatabase,
} from "../processors/connection-fixtures.js";
import {
  CARDS,
  catalogFixture,
  createCustomer,
  createFeature,
  createResource,
  createSession,
  createUsageMeter,
  createWebhook,
  ok,
  submitCheckoutForm,
  URLS,
} from "../support/index.js";

/**
 * Item 4 of issue #7: every operation of the live OpenAPI document, called with keys that must not reach
 * organization A's test-mode data. New routes join the matrix by being registered; a route with a request
 * body also needs a valid body below, and the test says so by name when one is missing.
 *
 * A's data includes a Stripe connection, so the app can seal secrets and verify keys (against a fake
 * Stripe), and the file keeps its own database: `glade start` refuses a database holding secrets sealed
 * with a key it does not have, and other files start servers on the shared one.
 */
const databaseUrl = await ownDatabase();
const encryptionKey = newEncryptionKey();
const testStripe = await fakeStripeAccount("test");
const ctx = await connectionContext(databaseUrl, { stripeApiUrl: testStripe.apiUrl, encryptionKey });
/** The same database served by a process whose Stripe has live-mode keys. */
const liveStripe = await fakeStripeAccount("live");
const liveCtx = await connectionContext(databaseUrl, { stripeApiUrl: liveStripe.apiUrl, encryptionKey });
const STRIPE_CONNECTION = connectBody(testStripe, newWebhookSecret());

type Operation = {
  method: string;
  path: string;
  pathParams: string[];
  query: { name: string; required: boolean }[];
  bodyRequired: boolean;
  hasBody: boolean;
};

type Doc = {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string; required?: boolean }[];
        requestBody?: { required?: boolean };
      }
    >
  >;
};

const docRes = await ctx.api("GET", "/api/openapi.json");
const doc = docRes.body as Doc;
const OPERATIONS: Operation[] = Object.entries(doc.paths)
  .filter(([path]) => path.startsWith("/api/v1/"))
  .flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      pathParams: (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name),
      query: (op.parameters ?? [])
        .filter((p) => p.in === "query")
        .map((p) => ({ name: p.name, required: p.required === true })),
      bodyRequired: op.requestBody?.required === true,
      hasBody: op.requestBody !== undefined,
    })),
  );
/** How many operations the document had when this matrix was written; fewer means routes went missing. */
const KNOWN_OPERATION_COUNT = 95;

/**
 * Operations on the caller's own one-per-mode resource, named by no id (the processor connection): any key
 * reaches its own tenant's, never A's. What another key gets must be what a tenant without A's data gets
 * from the same calls, so each call is repeated with a control tenant's key of the same mode.
 */
const TENANT_SINGLETONS = new Set(["/api/v1/processors/stripe"]);

type Ids = {
  pricingModelId: string;
  productId: string;
  priceId: string;
  monthlyPriceId: string;
  customerId: string;
  customerExternalId: string;
  openSessionId: string;
  paidSessionId: string;
  purchaseId: string;
  invoiceId: string;
  lineItemId: string;
  paymentId: string;
  paymentMethodId: string;
  subscriptionId: string;
  webhookId: string;
  eventId: string;
  processorConnectionId: string;
  usageMeterId: string;
  featureId: string;
  resourceId: string;
  productFeatureId: string;
  subscriptionItemId: string;
  subscriptionItemFeatureId: string;
  resourceSlug: string;
  usageEventId: string;
  discountId: string;
  apiKeyId: string;
};

/** Which of A's ids goes into `{param}` after a given collection segment. */
const ID_FOR_COLLECTION: Record<string, keyof Ids> = {
  "pricing-models": "pricingModelId",
  products: "productId",
  prices: "priceId",
  customers: "customerExternalId",
  "checkout-sessions": "openSessionId",
  purchases: "purchaseId",
  invoices: "invoiceId",
  "invoice-line-items": "lineItemId",
  payments: "paymentId",
  "payment-methods": "paymentMethodId",
  subscriptions: "subscriptionId",
  "resource-claims": "subscriptionId",
  "subscription-item-features": "subscriptionItemFeatureId",
  webhooks: "webhookId",
  events: "eventId",
  "usage-meters": "usageMeterId",
  features: "featureId",
  resources: "resourceId",
  "product-features": "productFeatureId",
  "usage-events": "usageEventId",
  discounts: "discountId",
  "api-keys": "apiKeyId",
};

const ID_FOR_QUERY: Record<string, keyof Ids> = {
  subscriptionId: "subscriptionId",
  customerId: "customerId",
  invoiceId: "invoiceId",
  eventId: "eventId",
  priceId: "priceId",
  productId: "productId",
  pricingModelId: "pricingModelId",
  webhookId: "webhookId",
  resourceSlug: "resourceSlug",
};

/**
 * Valid bodies, so a refusal can only come from scoping (never from validation). Creates reference A's
 * objects wherever the API lets a body name one: another tenant must not be able to build on them.
 */
const BODIES: Record<string, (ids: Ids) => unknown> = {
  "POST /api/v1/pricing-models": () => ({ pricingModel: { name: "Matrix model" } }),
  "PUT /api/v1/pricing-models/{id}": () => ({ pricingModel: { name: "Hijacked" } }),
  "POST /api/v1/pricing-models/setup": () => ({
    name: "Matrix import",
    features: [{ type: "toggle", slug: "matrix", name: "Matrix" }],
    products: [],
    usageMeters: [],
  }),
  "POST /api/v1/pricing-models/{id}/clone": () => ({
    name: "Matrix clone",
    destinationEnvironment: "livemode",
  }),
  "POST /api/v1/products": (ids) => ({
    product: { name: "Hijack", pricingModelId: ids.pricingModelId, active: true },
    price: { type: "single_payment", unitPrice: 100, currency: "USD" },
  }),
  "PUT /api/v1/products/{id}": () => ({ product: { name: "Hijacked" } }),
  "POST /api/v1/prices": (ids) => ({
    price: { type: "single_payment", unitPrice: 1, currency: "USD", productId: ids.productId },
  }),
  "PUT /api/v1/prices/{id}": () => ({ price: { name: "Hijacked" } }),
  "POST /api/v1/usage-meters": (ids) => ({
    usageMeter: { name: "Hijack", slug: "hijack", pricingModelId: ids.pricingModelId },
    price: { unitPrice: 1 },
  }),
  "PUT /api/v1/usage-meters/{id}": () => ({ usageMeter: { name: "Hijacked" } }),
  "POST /api/v1/discounts": (ids) => ({
    discount: {
      name: "Hijack",
      code: "HIJACK",
      amountType: "percent",
      amount: 100,
      duration: "forever",
      pricingModelId: ids.pricingModelId,
    },
  }),
  "PUT /api/v1/discounts/{id}": () => ({ discount: { amount: 100, amountType: "percent" } }),
  "POST /api/v1/resources": (ids) => ({
    resource: { name: "Hijack", slug: "hijack", pricingModelId: ids.pricingModelId },
  }),
  "PUT /api/v1/resources/{id}": () => ({ resource: { name: "Hijacked" } }),
  "POST /api/v1/features": (ids) => ({
    feature: {
      type: "usage_credit_grant",
      name: "Hijack",
      slug: "hijack",
      pricingModelId: ids.pricingModelId,
      amount: 1,
      renewalFrequency: "once",
      usageMeterId: ids.usageMeterId,
    },
  }),
  "PUT /api/v1/features/{id}": () => ({ feature: { name: "Hijacked" } }),
  "POST /api/v1/product-features": (ids) => ({
    productFeature: { productId: ids.productId, featureId: ids.featureId },
  }),
  "POST /api/v1/product-features/{id}/expire": () => ({}),
  "POST /api/v1/customers": (ids) => ({
    customer: {
      externalId: "matrix-new",
      email: "m@example.com",
      name: "M",
      pricingModelId: ids.pricingModelId,
    },
  }),
  "PUT /api/v1/customers/{externalId}": () => ({ customer: { name: "Hijacked" } }),
  "POST /api/v1/customers/{externalId}/archive": () => ({}),
  "POST /api/v1/customers/{externalId}/billing-portal-sessions": () => ({
    returnUrl: "https://evil.example/portal",
  }),
  "POST /api/v1/events/{id}/redeliver": (ids) => ({ webhookId: ids.webhookId }),
  "POST /api/v1/webhooks": () => ({ webhook: { url: "https://hooks.example/matrix" } }),
  "PUT /api/v1/webhooks/{id}": () => ({ webhook: { url: "https://evil.example/steal" } }),
  "POST /api/v1/webhooks/{id}/rotate-secret": () => ({}),
  "POST /api/v1/checkout-sessions": (ids) => ({
    checkoutSession: {
      type: "product",
      customerExternalId: ids.customerExternalId,
      priceId: ids.priceId,
      ...URLS,
    },
  }),
  "POST /api/v1/checkout-sessions/{id}/expire": () => ({}),
  "POST /api/v1/payments/{id}/refund": () => ({}),
  "POST /api/v1/subscriptions": (ids) => ({ customerId: ids.customerId, priceId: ids.monthlyPriceId }),
  "POST /api/v1/subscriptions/{id}/cancel": () => ({ cancellation: { timing: "immediately" } }),
  "POST /api/v1/subscriptions/{id}/uncancel": () => ({}),
  "POST /api/v1/subscriptions/{id}/adjust": (ids) => ({
    adjustment: { timing: "immediately", newSubscriptionItems: [{ priceId: ids.priceId, quantity: 2 }] },
  }),
  "POST /api/v1/subscriptions/{id}/preview-adjust": (ids) => ({
    adjustment: { timing: "immediately", newSubscriptionItems: [{ priceId: ids.priceId, quantity: 2 }] },
  }),
  "POST /api/v1/subscriptions/{id}/cancel-scheduled-adjustment": () => ({}),
  "POST /api/v1/processors/stripe": () => STRIPE_CONNECTION,
  "POST /api/v1/subscription-item-features": (ids) => ({
    subscriptionItemFeature: { subscriptionItemId: ids.subscriptionItemId, featureId: ids.featureId },
  }),
  "PUT /api/v1/subscription-item-features/{id}": (ids) => ({
    subscriptionItemFeature: { id: ids.subscriptionItemFeatureId, expiredAt: null },
  }),
  "POST /api/v1/subscription-item-features/{id}/expire": () => ({}),
  "POST /api/v1/resource-claims/{subscriptionId}/claim": (ids) => ({
    resourceSlug: ids.resourceSlug,
    quantity: 1,
  }),
  "POST /api/v1/resource-claims/{subscriptionId}/release": (ids) => ({
    resourceSlug: ids.resourceSlug,
    quantity: 1,
  }),
  "POST /api/v1/usage-events": (ids) => ({
    usageEvent: {
      amount: 1,
      subscriptionId: ids.subscriptionId,
      transactionId: "matrix-usage",
      usageMeterId: ids.usageMeterId,
    },
  }),
  "POST /api/v1/usage-events/bulk": (ids) => ({
    usageEvents: [
      {
        amount: 1,
        subscriptionId: ids.subscriptionId,
        transactionId: "matrix-usage-bulk",
        usageMeterId: ids.usageMeterId,
      },
    ],
  }),
};

/** Organization A with one of everything in test mode, made through the API and the hosted page. */
async function tenantWithEverything() {
  const f = await catalogFixture(ctx, {
    productName: `Secret Product ${Math.random().toString(36).slice(2)}`,
  });
  const key = f.merchant.testKey;
  const customer = await createCustomer(ctx, key, `acme-user-${Math.random().toString(36).slice(2, 8)}`);
  const webhook = await createWebhook(ctx, key, { url: "https://hooks.acme.example/glade" });
  const paidSessionId = (
    await createSession(ctx, key, {
      type: "product",
      customerExternalId: customer.externalId,
      priceId: f.oneTimePriceId,
    })
  ).body.checkoutSession.id as string;
  expect((await submitCheckoutForm(ctx, paidSessionId, { cardNumber: CARDS.ok })).status).toBe(303);
  const subSessionId = (
    await createSession(ctx, key, {
      type: "product",
      customerExternalId: customer.externalId,
      priceId: f.monthlyPriceId,
    })
  ).body.checkoutSession.id as string;
  expect((await submitCheckoutForm(ctx, subSessionId, { cardNumber: CARDS.ok })).status).toBe(303);
  const openSessionId = (
    await createSession(ctx, key, {
      type: "product",
      customerExternalId: customer.externalId,
      priceId: f.oneTimePriceId,
    })
  ).body.checkoutSession.id as string;
  const paid = (await ok(ctx.api("GET", `/api/v1/checkout-sessions/${paidSessionId}`, { key }), "session"))
    .checkoutSession;
  const sub = (await ok(ctx.api("GET", `/api/v1/checkout-sessions/${subSessionId}`, { key }), "session"))
    .checkoutSession;
  const invoice = await ok(ctx.api("GET", `/api/v1/invoices/${paid.invoiceId}`, { key }), "invoice");
  const evts = await ok(ctx.api("GET", "/api/v1/events?limit=1", { key }), "events");
  const connection = (
    await ok(ctx.api("POST", "/api/v1/processors/stripe", { key, body: STRIPE_CONNECTION }), "connect", 201)
  ).processorConnection;
  const meter = await createUsageMeter(ctx, f.merchant, f.pricingModelId, {}, { unitPrice: 1 });
  const resource = await createResource(ctx, f.merchant, f.pricingModelId);
  const feature = await createFeature(ctx, f.merchant, f.pricingModelId, {
    type: "resource",
    amount: 2,
    resourceId: resource.id,
  });
  const attachment = (
    await ok(
      ctx.api("POST", "/api/v1/product-features", {
        key,
        body: { productFeature: { productId: f.productId, featureId: feature.id } },
      }),
      "product feature",
    )
  ).productFeature;
  // The subscription holds the attached feature from its attachment on: a grant, and a claim against it.
  const billing = await ok(
    ctx.api("GET", `/api/v1/customers/${customer.externalId}/billing`, { key }),
    "billing",
  );
  const subDetails = billing.subscriptions.find((s: { id: string }) => s.id === sub.subscriptionId);
  await ok(
    ctx.api("POST", `/api/v1/resource-claims/${sub.subscriptionId}/claim`, {
      key,
      body: { resourceSlug: resource.slug, externalId: "acme-seat" },
    }),
    "claim",
  );
  const usageEvent = (
    await ok(
      ctx.api("POST", "/api/v1/usage-events", {
        key,
        body: {
          usageEvent: {
            amount: 3,
            subscriptionId: sub.subscriptionId,
            transactionId: "acme-usage",
            usageMeterId: meter.id,
          },
        },
      }),
      "usage event",
    )
  ).usageEvent;
  const discount = (
    await ok(
      ctx.api("POST", "/api/v1/discounts", {
        key,
        body: {
          discount: {
            name: "Acme ten",
            code: "ACME10",
            amountType: "percent",
            amount: 10,
            duration: "once",
            pricingModelId: f.pricingModelId,
          },
        },
      }),
      "discount",
    )
  ).discount;
  const ids: Ids = {
    pricingModelId: f.pricingModelId,
    productId: f.productId,
    priceId: f.oneTimePriceId,
    monthlyPriceId: f.monthlyPriceId,
    customerId: customer.id,
    customerExternalId: customer.externalId,
    openSessionId,
    paidSessionId,
    purchaseId: paid.purchaseId,
    invoiceId: paid.invoiceId,
    lineItemId: invoice.invoiceLineItems[0].id,
    paymentId: paid.paymentId,
    paymentMethodId: paid.paymentMethodId,
    subscriptionId: sub.subscriptionId,
    webhookId: webhook.id,
    eventId: evts.data[0].id,
    processorConnectionId: connection.id,
    usageMeterId: meter.id,
    featureId: feature.id,
    resourceId: resource.id,
    productFeatureId: attachment.id,
    subscriptionItemId: subDetails.subscriptionItems[0].id,
    subscriptionItemFeatureId: subDetails.experimental.featureItems[0].id,
    resourceSlug: resource.slug,
    usageEventId: usageEvent.id,
    discountId: discount.id,
    // A second test key of A's, so revoking it (as A) leaves A's own key working for the rest of the matrix.
    apiKeyId: (
      await createApiKey(
        ctx.deps.db,
        { organizationId: f.merchant.organizationId, livemode: false, name: "Matrix second key" },
        ctx.deps.now(),
      )
    ).key.id,
  };
  for (const [name, value] of Object.entries(ids)) expect(value, name).toEqual(expect.any(String));
  const secrets = [
    ...Object.values(ids),
    sub.paymentMethodId,
    f.merchant.testKey,
    f.merchant.liveKey,
    webhook.secret,
    STRIPE_CONNECTION.secretKey,
    STRIPE_CONNECTION.webhookSecret,
    customer.email,
    customer.name,
    "hooks.acme.example",
    "acme-seat",
  ];
  const product = await ok(ctx.api("GET", `/api/v1/products/${f.productId}`, { key }), "product");
  secrets.push(product.name);
  return { f, ids, secrets };
}

/** Same shape, other characters: an id that exists nowhere. */
function ghostOf(value: string): string {
  const cut = value.lastIndexOf("_") + 1 || value.lastIndexOf("-") + 1;
  const tail = value.slice(cut).replace(/[0-9A-Za-z]/g, () => "Zq7"[Math.floor(Math.random() * 3)] ?? "Z");
  return `${value.slice(0, cut)}${tail}`;
}

/** `undesigned`: the operation needs a body and BODIES has none yet; `{}` stands in until one is written. */
type Call = { method: string; url: string; body: unknown; sent: string; undesigned: boolean };

function buildCall(op: Operation, ids: Ids): Call {
  let url = op.path;
  for (const param of op.pathParams) {
    const segments = op.path.split("/");
    const at = segments.indexOf(`{${param}}`);
    const collection = segments[at - 1] ?? "";
    const idName = ID_FOR_COLLECTION[collection];
    if (!idName)
      throw new Error(`access matrix: no id for {${param}} in ${op.path}; add "${collection}" to it`);
    url = url.replace(`{${param}}`, encodeURIComponent(ids[idName]));
  }
  const query = new URLSearchParams();
  for (const q of op.query) {
    const idName = ID_FOR_QUERY[q.name];
    if (idName) query.set(q.name, ids[idName]);
    else if (q.name === "limit") query.set("limit", "100");
    else if (q.required)
      throw new Error(`access matrix: no value for required query ${q.name} of ${op.path}`);
  }
  if ([...query.keys()].length > 0) url += `?${query.toString()}`;
  const builder = BODIES[`${op.method} ${op.path}`];
  const undesigned = op.bodyRequired && !builder;
  const body = builder ? builder(ids) : undesigned ? {} : undefined;
  return { method: op.method, url, body, sent: `${url} ${JSON.stringify(body ?? null)}`, undesigned };
}

function leaks(text: string, secrets: string[], sent: string): string[] {
  return secrets.filter((s) => s.length > 0 && !sent.includes(s) && text.includes(s));
}

async function call(c: Call, key: string | undefined) {
  return ctx.api(c.method, c.url, {
    ...(key === undefined ? {} : { key }),
    ...(c.body === undefined ? {} : { body: c.body }),
  });
}

function expectErrorBody(res: { body: any; headers: Headers }, code: string, where: string) {
  expect(res.headers.get("content-type") ?? "", where).toContain("application/json");
  expect(res.body, where).toMatchObject({
    code,
    message: expect.any(String),
    error: expect.any(String),
    request_id: expect.any(String),
  });
}

describe("access control matrix over every API operation", () => {
  let A: Awaited<ReturnType<typeof tenantWithEverything>>;
  let B: Awaited<ReturnType<typeof ctx.merchant>>;
  /** The control for TENANT_SINGLETONS: sent every call B's test key and A's live key are, in its own modes. */
  let C: Awaited<ReturnType<typeof ctx.merchant>>;
  let revokedKey: string;
  let ghostIds: Ids;
  const snapshot = async () => {
    const out: Record<string, string> = {};
    for (const op of OPERATIONS.filter((o) => o.method === "GET")) {
      const c = buildCall(op, A.ids);
      const res = await call(c, A.f.merchant.testKey);
      // The billing view mints a fresh one-time portal link on every read: the rest must not change.
      out[c.url] =
        `${res.status} ${res.text.replace(/\/billing\/enter\/[0-9A-Za-z]+/g, "/billing/enter/<token>")}`;
    }
    return out;
  };
  let before: Record<string, string>;

  beforeAll(async () => {
    A = await tenantWithEverything();
    B = await ctx.merchant("Tenant B");
    C = await ctx.merchant("Tenant C (control)");
    // B has data of its own, so "empty list" is not how B's lists pass.
    await createCustomer(ctx, B.testKey, "b-user");
    const extra = await createApiKey(
      ctx.deps.db,
      {
        organizationId: A.f.merchant.organizationId,
        livemode: false,
      },
      ctx.deps.now(),
    );
    // Used once (so a cache would remember it), then revoked.
    expect((await ctx.api("GET", "/api/v1/customers", { key: extra.secret })).status).toBe(200);
    await revokeApiKey(ctx.deps.db, extra.key.id, ctx.deps.now());
    revokedKey = extra.secret;
    ghostIds = Object.fromEntries(Object.entries(A.ids).map(([k, v]) => [k, ghostOf(v)])) as Ids;
    before = await snapshot();
  }, 240_000);

  it("covers every operation of the document, each with a valid body where one is required", () => {
    expect(docRes.status).toBe(200);
    expect(OPERATIONS.length).toBeGreaterThanOrEqual(KNOWN_OPERATION_COUNT);
    for (const op of OPERATIONS) expect(() => buildCall(op, A.ids), `${op.method} ${op.path}`).not.toThrow();
    const undesigned = OPERATIONS.filter((op) => buildCall(op, A.ids).undesigned).map(
      (op) => `${op.method} ${op.path}`,
    );
    // A new operation with a body: write a valid one in BODIES so a refusal can only come from scoping.
    expect(undesigned).toEqual([]);
  });

  it("refuses no key, a revoked key and malformed keys with 401 on every operation", async () => {
    const malformed = [
      "",
      "sk_test_",
      "sk_test_short",
      `sk_test_${"A".repeat(40)}`,
      `${A.f.merchant.testKey.slice(0, -1)}${A.f.merchant.testKey.endsWith("a") ? "b" : "a"}`,
      A.f.merchant.testKey.replace("sk_test_", "sk_live_"),
      A.f.merchant.testKey.toUpperCase(),
      `Basic ${Buffer.from("user:pass").toString("base64")}`,
      "Bearer",
      `${A.f.merchant.testKey} ${A.f.merchant.liveKey}`,
      "' OR '1'='1",
      `sk_test_${"x".repeat(5000)}`,
    ];
    let calls = 0;
    for (const op of OPERATIONS) {
      const c = buildCall(op, A.ids);
      for (const key of [undefined, revokedKey, ...malformed]) {
        const res = await call(c, key);
        const where = `${op.method} ${c.url} with ${key === undefined ? "no key" : JSON.stringify(key.slice(0, 40))}`;
        expect(res.status, where).toBe(401);
        expectErrorBody(res, "UNAUTHORIZED", where);
        expect(leaks(res.text, A.secrets, c.sent), where).toEqual([]);
        calls++;
      }
    }
    expect(calls).toBe(OPERATIONS.length * 14);
  });

  it("another organization's key and the other mode's key see and change nothing of A's", async () => {
    let checked = 0;
    for (const op of OPERATIONS) {
      const real = buildCall(op, A.ids);
      const ghost = buildCall(op, ghostIds);
      const namesA = real.sent !== ghost.sent;
      for (const [who, key, sameOrg] of [
        ["org B test key", B.testKey, false],
        ["A's live key", A.f.merchant.liveKey, true],
      ] as const) {
        const where = `${op.method} ${real.url} with ${who}`;
        const res = await call(real, key);
        expect(res.status, where).toBeLessThan(500);
        expect(res.headers.get("content-type") ?? "", where).toContain("application/json");
        // Same org, other mode: the org id itself is legitimately in the answer, nothing else of A's is.
        const secrets = sameOrg ? A.secrets : [...A.secrets, A.f.merchant.organizationId];
        expect(leaks(res.text, secrets, real.sent), where).toEqual([]);
        if (TENANT_SINGLETONS.has(op.path)) {
          // The caller's own connection (B's, or A's live one): it must fare exactly as a tenant that never
          // saw A's data, sent the same calls in the same mode.
          const control = await call(real, sameOrg ? C.liveKey : C.testKey);
          expect(`${res.status} ${res.body.code}`, `${where}: ${res.text}`).toBe(
            `${control.status} ${control.body.code}`,
          );
        } else if (namesA) {
          // Naming A's objects must look exactly like naming objects that do not exist.
          const control = await call(ghost, key);
          expect(control.status, `${where} (nonexistent ids)`).toBe(res.status);
          expect(control.body.code, `${where} (nonexistent ids)`).toBe(res.body.code);
          // In the path or the body that is "not found"; as a list filter it may also be an empty page.
          if (real.undesigned) {
            // No valid body yet (reported by the coverage test): validation may answer first.
            expect([400, 404], `${where}: ${res.text}`).toContain(res.status);
          } else if (sameOrg && res.body.message === LIVE_MODE_NEEDS_PROCESSOR) {
            // A has no live processor: what would take live payments is refused before any id is looked
            // at, exactly as with ids that exist nowhere (compared above).
            expectErrorBody(res, "UNPROCESSABLE_CONTENT", where);
          } else if (op.pathParams.length > 0 || real.body !== undefined) {
            expect(res.status, `${where}: ${res.text}`).toBe(404);
            expectErrorBody(res, "NOT_FOUND", where);
          } else if (res.status === 200) {
            expect(res.body.data, where).toEqual([]);
          }
        } else {
          expect(res.status, `${where}: ${res.text}`).toBeLessThan(300);
        }
        checked++;
      }
    }
    expect(checked).toBe(OPERATIONS.length * 2);

    // Nothing A can see changed, whatever B and A's live key tried.
    expect(await snapshot()).toEqual(before);
  });

  it("lists called with another key never contain A's ids", async () => {
    const lists = OPERATIONS.filter(
      (o) => o.method === "GET" && o.pathParams.length === 0 && !TENANT_SINGLETONS.has(o.path),
    );
    expect(lists.length).toBeGreaterThanOrEqual(10);
    for (const op of lists) {
      const url = `${op.path}?limit=100`;
      for (const key of [B.testKey, A.f.merchant.liveKey]) {
        const res = await ctx.api("GET", url, { key });
        expect(res.status, `${url}`).toBe(200);
        const ids = JSON.stringify(res.body);
        for (const id of Object.values(A.ids)) expect(ids, `${url} leaks ${id}`).not.toContain(id);
      }
      // A's own key does see A's data in the same list (the check above is not vacuous).
      const own = await ctx.api("GET", url, { key: A.f.merchant.testKey });
      expect(own.status).toBe(200);
    }
    const ownCustomers = await ctx.api("GET", "/api/v1/customers?limit=100", { key: A.f.merchant.testKey });
    expect(JSON.stringify(ownCustomers.body)).toContain(A.ids.customerId);
  });
});

describe("a processor connection belongs to one organization and one mode", () => {
  const PATH = "/api/v1/processors/stripe";

  it("a test-mode key cannot read, replace or delete the live connection; another organization's keys neither", async () => {
    const owner = await ctx.merchant("Two modes");
    const other = await ctx.merchant("Another organization");
    const test = (
      await ok(ctx.api("POST", PATH, { key: owner.testKey, body: STRIPE_CONNECTION }), "test", 201)
    ).processorConnection;
    const liveBody = connectBody(liveStripe);
    const live = (await ok(liveCtx.api("POST", PATH, { key: owner.liveKey, body: liveBody }), "live", 201))
      .processorConnection;
    const liveView = async () => (await ctx.api("GET", PATH, { key: owner.liveKey })).body;
    const before = await liveView();
    expect(before.processorConnection.id).toBe(live.id);
    /**
     * What no answer to another mode's or organization's key may contain, unless the caller sent it (a
     * caller that sent the live secret key gets its hint back for its own connection).
     */
    const liveSecrets = [live.id, liveBody.secretKey, liveBody.webhookSecret];
    const attempts: [string, () => Promise<{ status: number; text: string; body: any }>, number][] = [
      ["test key reads", () => ctx.api("GET", PATH, { key: owner.testKey }), 200],
      [
        "test key writes live keys",
        () => liveCtx.api("POST", PATH, { key: owner.testKey, body: liveBody }),
        400,
      ],
      ["test key deletes", () => ctx.api("DELETE", PATH, { key: owner.testKey }), 200],
      ["test key deletes again", () => ctx.api("DELETE", PATH, { key: owner.testKey }), 404],
      ["other org's live key reads", () => ctx.api("GET", PATH, { key: other.liveKey }), 404],
      ["other org's live key deletes", () => ctx.api("DELETE", PATH, { key: other.liveKey }), 404],
      ["other org's test key deletes", () => ctx.api("DELETE", PATH, { key: other.testKey }), 404],
      // Its own live connection, made with the same Stripe keys: a new one, not the owner's.
      [
        "other org's live key connects",
        () => liveCtx.api("POST", PATH, { key: other.liveKey, body: liveBody }),
        201,
      ],
    ];
    for (const [what, attempt, status] of attempts) {
      const res = await attempt();
      expect(res.status, `${what}: ${res.text}`).toBe(status);
      const sent = what.includes("writes") || what.includes("connects") ? JSON.stringify(liveBody) : "";
      // The owner's test key may show the organization's id (its own connection's webhook URL); nothing of live.
      const secrets = [
        ...liveSecrets,
        ...(sent ? [] : [live.secretKeyHint]),
        ...(what.startsWith("test key") ? [] : [owner.organizationId]),
      ];
      expect(leaks(res.text, secrets, sent), what).toEqual([]);
    }
    expect((await ctx.api("GET", PATH, { key: owner.testKey })).status).toBe(404);
    expect(test.id).not.toBe(live.id);
    // The live connection is exactly as it was.
    expect(await liveView()).toEqual(before);
  });
});

describe("the hosted page and its confirm endpoint", () => {
  const form = { "content-type": "application/x-www-form-urlencoded" };

  it("cannot change price, amount, quantity, currency or customer through the form", async () => {
    const f = await catalogFixture(ctx);
    const key = f.merchant.testKey;
    const owner = await createCustomer(ctx, key, "owner");
    const other = await createCustomer(ctx, key, "other");
    const otherOrg = await catalogFixture(ctx);
    const session = (
      await createSession(ctx, key, {
        type: "product",
        customerExternalId: "owner",
        priceId: f.oneTimePriceId,
        quantity: 2,
      })
    ).body.checkoutSession.id as string;
    const bystander = (
      await createSession(ctx, key, {
        type: "product",
        customerExternalId: "other",
        priceId: f.oneTimePriceId,
      })
    ).body.checkoutSession.id as string;

    const res = await submitCheckoutForm(ctx, session, {
      cardNumber: CARDS.ok,
      email: "mallory@evil.example",
      name: "Mallory",
      amount: "1",
      amountTotal: "1",
      unitPrice: "1",
      unitAmount: "1",
      price: "1",
      priceId: f.freePriceId,
      quantity: "99",
      currency: "JPY",
      customerId: other.id,
      customerExternalId: "other",
      organizationId: otherOrg.merchant.organizationId,
      livemode: "true",
      sessionId: bystander,
      checkoutSessionId: bystander,
      id: bystander,
    });
    expect(res.status).toBe(303);

    const [row] = await ctx.deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, session));
    expect(row).toMatchObject({
      status: "succeeded",
      customerId: owner.id,
      quantity: 2,
      priceId: f.oneTimePriceId,
    });
    expect(row?.customerEmail).toBe(owner.email);
    const paid = await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, session));
    expect(paid.map((p) => [p.amount, p.currency, p.customerId, p.livemode])).toEqual([
      [3998, "USD", owner.id, false],
    ]);
    const [purchase] = await ctx.deps.db
      .select()
      .from(purchases)
      .where(eq(purchases.checkoutSessionId, session));
    expect(purchase).toMatchObject({ priceId: f.oneTimePriceId, quantity: 2, customerId: owner.id });
    const [ownerRow] = await ctx.deps.db.select().from(customers).where(eq(customers.id, owner.id));
    expect(ownerRow).toMatchObject({ email: owner.email, name: owner.name });
    const [bystanderRow] = await ctx.deps.db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.id, bystander));
    expect(bystanderRow?.status).toBe("open");
    expect(await ctx.deps.db.select().from(payments).where(eq(payments.customerId, other.id))).toHaveLength(
      0,
    );
  });

  it("an anonymous buyer chooses who pays, never what is paid", async () => {
    const f = await catalogFixture(ctx);
    const session = (
      await createSession(ctx, f.merchant.testKey, {
        type: "product",
        anonymous: true,
        priceId: f.monthlyPriceId,
      })
    ).body.checkoutSession.id as string;
    const res = await submitCheckoutForm(ctx, session, {
      cardNumber: CARDS.ok,
      email: "anon@example.com",
      unitPrice: "0",
      trialPeriodDays: "365",
      intervalUnit: "year",
      quantity: "0",
    });
    expect(res.status).toBe(303);
    const paid = await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, session));
    expect(paid.map((p) => p.amount)).toEqual([900]);
    const [row] = await ctx.deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, session));
    const sub = await ctx.api("GET", `/api/v1/subscriptions/${row?.subscriptionId}`, {
      key: f.merchant.testKey,
    });
    expect(sub.body.subscription).toMatchObject({ status: "active", interval: "month", intervalCount: 1 });
  });

  it("a session's URL only ever acts on that session", async () => {
    const f = await catalogFixture(ctx);
    const key = f.merchant.testKey;
    const waiting = (
      await createSession(ctx, key, { type: "product", anonymous: true, priceId: f.oneTimePriceId })
    ).body.checkoutSession.id as string;
    const open = (
      await createSession(ctx, key, { type: "product", anonymous: true, priceId: f.oneTimePriceId })
    ).body.checkoutSession.id as string;
    expect((await submitCheckoutForm(ctx, waiting, { cardNumber: CARDS.challenge })).status).toBe(303);
    // Answering "the" challenge through the open session's URL does not touch the waiting one.
    const wrong = await ctx.api("POST", `/checkout/${open}/challenge`, {
      rawBody: `outcome=approve&sessionId=${waiting}`,
      headers: form,
    });
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get("location")).toBe(`/checkout/${open}`);
    const rows = await ctx.deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, waiting));
    expect(rows[0]?.status).toBe("pending");
    expect(
      await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, waiting)),
    ).toHaveLength(0);
  });

  it("answers anything that is not exactly a session id with 404, never another object", async () => {
    const f = await catalogFixture(ctx);
    const key = f.merchant.testKey;
    const id = (
      await createSession(ctx, key, { type: "product", anonymous: true, priceId: f.oneTimePriceId })
    ).body.checkoutSession.id as string;
    const flipped = `${id.slice(0, -1)}${id.endsWith("A") ? "B" : "A"}`;
    const swapCase = id.replace(/[a-z](?=[^a-z]*$)/, (ch) => ch.toUpperCase());
    const candidates = [
      f.productId,
      f.oneTimePriceId,
      f.pricingModelId,
      f.merchant.organizationId,
      flipped,
      swapCase === id ? flipped : swapCase,
      `${id}x`,
      `${id}%00`,
      `${id}%2F..%2F..`,
      encodeURIComponent(`${id}' or '1'='1`),
      id.toLowerCase(),
    ];
    for (const candidate of candidates) {
      for (const [method, path] of [
        ["GET", `/checkout/${candidate}`],
        ["GET", `/checkout/${candidate}/success`],
        ["GET", `/checkout/${candidate}/challenge`],
        ["POST", `/checkout/${candidate}/confirm`],
        ["POST", `/checkout/${candidate}/challenge`],
        ["POST", `/checkout/${candidate}/discount`],
      ] as const) {
        const res = await ctx.api(
          method,
          path,
          method === "POST"
            ? { rawBody: "email=a%40b.co&name=A&country=US&outcome=approve&code=X", headers: form }
            : {},
        );
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.text).not.toContain(id);
      }
    }
    expect((await ctx.api("GET", `/checkout/${id}`)).status).toBe(200);
  });
});
