import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ERROR_STATUS } from "../../src/lib/errors.js";
import { setAllowedRedirectDomains } from "../../src/organizations/index.js";
import {
  CARDS,
  catalogFixture,
  createCustomer,
  createFeature,
  createResource,
  createSession,
  createUsageMeter,
  createWebhook,
  submitCheckoutForm,
  testContext,
  URLS,
} from "../support/index.js";

/**
 * Item 3 of issue #7: property tests over every body and query parameter of the live OpenAPI document.
 * Whatever arrives, the answer is never a 5xx, always JSON, and an error always has the structured shape
 * with a code whose status is the one the code stands for.
 */
const ctx = await testContext();

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};
type Parameter = { in: string; name: string; required?: boolean };
type OperationDoc = {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};
type Doc = {
  paths: Record<string, Record<string, OperationDoc>>;
  components: { schemas: Record<string, Schema> };
};

const doc = (await ctx.api("GET", "/api/openapi.json")).body as Doc;
const OPERATIONS = Object.entries(doc.paths)
  .filter(([path]) => path.startsWith("/api/v1/"))
  .flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      op,
      name: `${method.toUpperCase()} ${path}`,
    })),
  );
const WRITES = OPERATIONS.filter((o) => o.method !== "GET");
const READS_WITH_QUERY = OPERATIONS.filter(
  (o) => o.method === "GET" && (o.op.parameters ?? []).some((p) => p.in === "query"),
);
const READS_WITH_PATH = OPERATIONS.filter(
  (o) => o.method === "GET" && (o.op.parameters ?? []).some((p) => p.in === "path"),
);

const resolve = (schema: Schema): Schema =>
  schema.$ref ? resolve(doc.components.schemas[schema.$ref.split("/").pop() ?? ""] ?? {}) : schema;

// ---- hostile values -------------------------------------------------------------------------------

const HOSTILE_STRINGS = [
  "",
  " ",
  "x".repeat(70_000),
  "😀".repeat(3000),
  "\u202e\u0301\ufeff\u200b",
  "\ud800",
  "\udfff\ud800x",
  "Ω≈ç√∫˜µ≤≥÷",
  "' OR 1=1 --",
  "'; drop table customers; --",
  '" OR ""="',
  "1); select pg_sleep(5); --",
  "$1",
  "%s%s%n%x",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
  "${7*7}{{7*7}}",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "javascript:alert(1)",
  "//evil.example",
  "https://evil.example/",
  "../../../../etc/passwd",
  "\\",
  "\r\nX-Injected: 1",
  "NaN",
  "-1",
  "1e308",
  "null",
  "[]",
  "__proto__",
  "constructor",
  "USD",
  "usd",
  "US",
  "a@b.co",
  "2024-02-30T25:61:61Z",
  "9999-12-31T23:59:59.999Z",
];
const HOSTILE_NUMBERS = [
  -1,
  0,
  -0,
  0.5,
  1.5,
  -1.5,
  1e308,
  -1e308,
  5e-324,
  2 ** 31,
  2 ** 32 + 1,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  -(Number.MAX_SAFE_INTEGER + 2),
  10_000,
  10_001,
  1_000_001,
  253402300799999,
  253402300800000,
  8.64e15 + 1,
];

function deepArray(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
function deepObject(depth: number): unknown {
  let v: unknown = "leaf";
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}
/** An object whose own keys include `__proto__`, as JSON.parse would produce from hostile input. */
function pollution(value: unknown): Record<string, unknown> {
  return JSON.parse(`{"__proto__":${JSON.stringify(value)},"constructor":{"prototype":{"polluted":true}}}`);
}

let realIds: string[] = ["price_x"];
const hostileString = () =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 4 },
    { arbitrary: fc.constantFrom(...realIds), weight: 3 },
    {
      arbitrary: fc.string({ unit: "binary", maxLength: 40 }).map((s) => s.replaceAll("\u0000", "")),
      weight: 2,
    },
    { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
  );
const hostileNumber = () =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...HOSTILE_NUMBERS), weight: 4 },
    { arbitrary: fc.integer(), weight: 2 },
    { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
  );
const hostileLeaf = () =>
  fc.oneof(
    { arbitrary: hostileString(), weight: 4 },
    { arbitrary: hostileNumber(), weight: 3 },
    { arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}), weight: 2 },
    { arbitrary: fc.constantFrom(deepArray(1000), deepObject(1000)), weight: 1 },
    { arbitrary: fc.constant(null).map(() => pollution({ isDefault: true, livemode: true })), weight: 1 },
  );

/**
 * Values shaped like the schema says (so they get past the first checks and into the services) but
 * with hostile leaves, missing required keys, and extra keys now and then.
 */
function shaped(input: Schema, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(input);
  if (depth > 6) return hostileLeaf();
  if (schema.allOf) {
    const merged: Schema = {};
    for (const part of schema.allOf.map(resolve)) {
      merged.type ??= part.type;
      merged.properties = { ...merged.properties, ...part.properties };
      merged.required = [...(merged.required ?? []), ...(part.required ?? [])];
      merged.enum ??= part.enum;
      merged.items ??= part.items;
      merged.additionalProperties ??= part.additionalProperties;
    }
    return shaped(merged, depth);
  }
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return fc.oneof(...variants.map((v) => shaped(v, depth + 1)));
  const alternatives: fc.Arbitrary<unknown>[] = [];
  if (schema.enum) alternatives.push(fc.constantFrom(...schema.enum));
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0 && schema.properties) types.push("object");
  for (const type of types) {
    if (type === "object") alternatives.push(objectOf(schema, depth));
    else if (type === "array")
      alternatives.push(fc.array(shaped(schema.items ?? {}, depth + 1), { maxLength: 4 }));
    else if (type === "string" && !schema.enum) alternatives.push(hostileString());
    else if (type === "integer" || type === "number") alternatives.push(hostileNumber());
    else if (type === "boolean") alternatives.push(fc.boolean());
    else if (type === "null") alternatives.push(fc.constant(null));
  }
  if (alternatives.length === 0) return fc.oneof(hostileLeaf(), fc.jsonValue({ maxDepth: 2 }));
  return fc.oneof(
    { arbitrary: fc.oneof(...alternatives), weight: 6 },
    { arbitrary: hostileLeaf(), weight: 1 },
  );
}

function objectOf(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  const props = schema.properties ?? {};
  const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, shaped(v, depth + 1)]));
  const required = (schema.required ?? []).filter((k) => k in props);
  const record = fc.oneof(
    { arbitrary: fc.record(model, { requiredKeys: required }), weight: 5 },
    { arbitrary: fc.record(model, { requiredKeys: [] }), weight: 1 },
  );
  const extra =
    typeof schema.additionalProperties === "object"
      ? fc.dictionary(hostileString(), shaped(schema.additionalProperties, depth + 1), { maxKeys: 4 })
      : fc.oneof(
          { arbitrary: fc.constant({}), weight: 6 },
          {
            arbitrary: fc.dictionary(
              fc.constantFrom("extra", "id", "organizationId", "livemode", "amount"),
              hostileLeaf(),
              { maxKeys: 2 },
            ),
            weight: 1,
          },
          { arbitrary: fc.constant(null).map(() => pollution({ organizationId: "org_other" })), weight: 1 },
        );
  return fc.tuple(record, extra).map(([r, e]) => {
    const out = { ...(r as Record<string, unknown>) };
    // Own `__proto__` keys survive only through defineProperty, like JSON.parse creates them.
    for (const key of Object.keys(e as object)) {
      Object.defineProperty(out, key, {
        value: (e as Record<string, unknown>)[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  });
}

/** Text that passes validation (length, format) but carries everything a careless layer chokes on. */
const HOSTILE_TEXT = [
  "' OR 1=1 --",
  "Robert'); DROP TABLE customers;--",
  "<script>alert(1)</script>",
  '"><svg onload=alert(1)>',
  "😀👍🏽👨‍👩‍👧",
  "\u202eevil\u202c",
  "ℌ𝔢𝔩𝔩𝔬 𝕨𝕠𝕣𝕝𝕕",
  "\\u0000 %00 \\x00",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
  "{{7*7}} ${7*7} <%= 7*7 %>",
  "a\r\nb",
  "   ",
  "\ud83d",
];
const EMAILS = ["a@b.co", "o'brien+tag@example.com", "x@xn--80ak6aa92e.com", "UPPER@EXAMPLE.COM"];
const URIS = [
  "https://example.com/a?b=<c>&d='e'",
  "https://xn--r8jz45g.jp/",
  "http://localhost:1/",
  "https://example.com/%00",
];
/**
 * Stripe key fields: prefixes of every mode, so bodies pass the format and reach the services (the mode
 * check, and the encryption key this app does not have: no fuzzed body reaches Stripe or is stored).
 */
const STRIPE_KEY_PREFIXES: Record<string, string[]> = {
  secretKey: ["sk_test_", "sk_live_", "rk_test_", "rk_live_"],
  publishableKey: ["pk_test_", "pk_live_"],
  webhookSecret: ["whsec_"],
};
/** Which real id a field named like this should sometimes carry, so valid bodies reach the services. */
const FIELD_IDS: Record<string, string[]> = {
  priceId: ["priceId", "monthlyPriceId"],
  productId: ["productId"],
  pricingModelId: ["pricingModelId"],
  customerId: ["customerId"],
  customerExternalId: ["customerExternalId"],
  targetSubscriptionId: ["subscriptionId"],
  webhookId: ["webhookId"],
  defaultPaymentMethodId: ["paymentMethodId"],
  backupPaymentMethodId: ["paymentMethodId"],
  id: ["pricingModelId", "productId", "priceId"],
  subscriptionId: ["subscriptionId"],
  usageMeterId: ["usageMeterId"],
};

function fitLength(text: string, min = 0, max = 10_000): string {
  const cut = text.slice(0, max);
  return cut.length >= min ? cut : cut.padEnd(min, "x");
}

function validString(
  schema: Schema & { minLength?: number; maxLength?: number; format?: string; pattern?: string },
  field: string,
) {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 10_000;
  if (schema.format === "email") return fc.constantFrom(...EMAILS);
  if (schema.format === "uri" || /url$/i.test(field)) return fc.constantFrom(...URIS);
  if (schema.pattern === "^[A-Za-z]{3}$") return fc.constantFrom("USD", "usd", "EUR", "JPY", "XXX");
  if (field === "country") return fc.constantFrom("US", "ZZ", "us");
  if (field === "startDate")
    return fc.constantFrom("2030-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2024-02-29");
  const known = FIELD_IDS[field];
  const texts = fc.constantFrom(...HOSTILE_TEXT, "x".repeat(max)).map((t) => fitLength(t, min, max));
  const prefixes = STRIPE_KEY_PREFIXES[field];
  if (prefixes) {
    const key = fc
      .tuple(fc.constantFrom(...prefixes), fc.stringMatching(/^[A-Za-z0-9_]{8,120}$/))
      .map(([prefix, rest]) => `${prefix}${rest}`);
    return fc.oneof({ arbitrary: key, weight: 3 }, { arbitrary: texts, weight: 1 });
  }
  if (!known) return texts;
  return fc.oneof(
    { arbitrary: fc.constantFrom(...known).map((k) => ids[k] ?? "missing"), weight: 3 },
    { arbitrary: texts, weight: 1 },
  );
}

function validNumber(schema: Schema & { minimum?: number; maximum?: number }, integer: boolean, field = "") {
  // Timestamps that the services accept, so the rest of the body gets looked at.
  if (field === "expiresAt") return fc.constantFrom(Date.now() + 3_600_000, Date.now() + 86_000_000);
  if (field === "trialEnd") return fc.constantFrom(Date.now() + 86_400_000, Date.now() - 1000);
  const min = schema.minimum ?? -1e6;
  const max = Math.min(schema.maximum ?? 1e6, Number.MAX_SAFE_INTEGER);
  const edges = [min, max, min + 1, max - 1, Math.floor((min + max) / 2)].filter((n) => n >= min && n <= max);
  return fc.oneof(
    fc.constantFrom(...edges),
    integer
      ? fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) })
      : fc.double({ min, max, noNaN: true }),
  );
}

/** Bodies that pass the schema, with hostile content inside: these reach the services and the database. */
function valid(input: Schema, field = "", depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(input) as Schema & Record<string, unknown>;
  if (schema.allOf)
    return valid(schema.allOf.map(resolve).find((p) => p.type || p.properties) ?? {}, field, depth);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return fc.oneof(...variants.map((v) => valid(v, field, depth + 1)));
  if (schema.enum) return fc.constantFrom(...schema.enum.filter((e) => e !== null));
  const types = (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []).filter(
    (t) => t !== "null",
  );
  const type = types[0] ?? (schema.properties ? "object" : undefined);
  if (type === "object" && depth < 6) {
    const props = schema.properties ?? {};
    const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valid(v, k, depth + 1)]));
    const record = fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
    if (typeof schema.additionalProperties !== "object") return record;
    const key = fc.constantFrom(...HOSTILE_TEXT, "__proto__", "constructor").map((k) => fitLength(k, 1, 100));
    const extra = fc.dictionary(key, valid(schema.additionalProperties, "", depth + 1), { maxKeys: 4 });
    return fc.tuple(record, extra).map(([r, e]) => {
      const out = { ...(r as object) } as Record<string, unknown>;
      for (const k of Object.keys(e))
        Object.defineProperty(out, k, { value: e[k], enumerable: true, writable: true, configurable: true });
      return out;
    });
  }
  if (type === "array")
    return fc.array(valid(schema.items ?? {}, field, depth + 1), { minLength: 1, maxLength: 3 });
  if (type === "string") return validString(schema, field);
  if (type === "integer" || type === "number") return validNumber(schema, type === "integer", field);
  if (type === "boolean") return fc.boolean();
  return fc.constant(null);
}

// ---- the tenant being fuzzed ----------------------------------------------------------------------

let key = "";
let ids: Record<string, string> = {};
/** A second tenant the fuzzers never touch, for the targeted tests that need known-good objects. */
let clean = { key: "", priceId: "", productId: "", customerId: "", paymentId: "" };

/** Which id goes into `{param}` after a collection segment; unknown collections get a made-up id. */
const COLLECTION_IDS: Record<string, string> = {
  "pricing-models": "pricingModelId",
  products: "productId",
  prices: "priceId",
  customers: "customerExternalId",
  "checkout-sessions": "sessionId",
  purchases: "purchaseId",
  invoices: "invoiceId",
  "invoice-line-items": "lineItemId",
  payments: "paymentId",
  "payment-methods": "paymentMethodId",
  subscriptions: "subscriptionId",
  webhooks: "webhookId",
  events: "eventId",
  "usage-meters": "usageMeterId",
  features: "featureId",
  resources: "resourceId",
  "product-features": "productFeatureId",
  "usage-events": "usageEventId",
  discounts: "discountId",
};

function fillPath(path: string, override?: string): string {
  const segments = path.split("/");
  return segments
    .map((segment, i) => {
      if (!segment.startsWith("{")) return segment;
      if (override !== undefined) return override;
      const idName = COLLECTION_IDS[segments[i - 1] ?? ""];
      return encodeURIComponent((idName && ids[idName]) || "unknown_id");
    })
    .join("/");
}

beforeAll(async () => {
  const f = await catalogFixture(ctx);
  key = f.merchant.testKey;
  const customer = await createCustomer(ctx, key, "fuzzed");
  const paid = (
    await createSession(ctx, key, {
      type: "product",
      customerExternalId: "fuzzed",
      priceId: f.oneTimePriceId,
    })
  ).body.checkoutSession.id as string;
  await submitCheckoutForm(ctx, paid, { cardNumber: CARDS.ok });
  const sub = (
    await createSession(ctx, key, {
      type: "product",
      customerExternalId: "fuzzed",
      priceId: f.monthlyPriceId,
    })
  ).body.checkoutSession.id as string;
  await submitCheckoutForm(ctx, sub, { cardNumber: CARDS.ok });
  const open = (
    await createSession(ctx, key, { type: "product", anonymous: true, priceId: f.oneTimePriceId })
  ).body.checkoutSession.id as string;
  const paidRow = (await ctx.api("GET", `/api/v1/checkout-sessions/${paid}`, { key })).body.checkoutSession;
  const subRow = (await ctx.api("GET", `/api/v1/checkout-sessions/${sub}`, { key })).body.checkoutSession;
  const invoice = (await ctx.api("GET", `/api/v1/invoices/${paidRow.invoiceId}`, { key })).body;
  const webhook = await createWebhook(ctx, key, { url: "https://hooks.example/fuzz" });
  const evts = (await ctx.api("GET", "/api/v1/events?limit=1", { key })).body;
  const meter = await createUsageMeter(ctx, f.merchant, f.pricingModelId, {}, { unitPrice: 1 });
  const resource = await createResource(ctx, f.merchant, f.pricingModelId);
  const feature = await createFeature(ctx, f.merchant, f.pricingModelId, {
    type: "usage_credit_grant",
    amount: 10,
    renewalFrequency: "once",
    usageMeterId: meter.id,
  });
  const attachment = (
    await ctx.api("POST", "/api/v1/product-features", {
      key,
      body: { productFeature: { productId: f.productId, featureId: feature.id } },
    })
  ).body.productFeature;
  ids = {
    pricingModelId: f.pricingModelId,
    productId: f.productId,
    priceId: f.oneTimePriceId,
    monthlyPriceId: f.monthlyPriceId,
    customerId: customer.id,
    customerExternalId: customer.externalId,
    sessionId: open,
    purchaseId: paidRow.purchaseId,
    invoiceId: paidRow.invoiceId,
    lineItemId: invoice.invoiceLineItems[0].id,
    paymentId: paidRow.paymentId,
    paymentMethodId: paidRow.paymentMethodId,
    subscriptionId: subRow.subscriptionId,
    webhookId: webhook.id,
    eventId: evts.data[0].id,
    usageMeterId: meter.id,
    featureId: feature.id,
    resourceId: resource.id,
    productFeatureId: attachment.id,
    discountId: (
      await ctx.api("POST", "/api/v1/discounts", {
        key,
        body: {
          discount: { name: "Fuzz", code: "FUZZ", amountType: "fixed", amount: 100, duration: "forever" },
        },
      })
    ).body.discount.id,
    usageEventId: (
      await ctx.api("POST", "/api/v1/usage-events", {
        key,
        body: {
          usageEvent: {
            amount: 1,
            subscriptionId: subRow.subscriptionId,
            transactionId: "fuzz",
            usageMeterId: meter.id,
          },
        },
      })
    ).body.usageEvent.id,
  };
  realIds = [...Object.values(ids), f.slugs.oneTime, f.slugs.monthly, "fuzzed"];

  const g = await catalogFixture(ctx);
  const buyer = await createCustomer(ctx, g.merchant.testKey, "clean");
  const bought = (
    await createSession(ctx, g.merchant.testKey, {
      type: "product",
      customerExternalId: "clean",
      priceId: g.oneTimePriceId,
    })
  ).body.checkoutSession.id as string;
  await submitCheckoutForm(ctx, bought, { cardNumber: CARDS.ok });
  const boughtRow = (await ctx.api("GET", `/api/v1/checkout-sessions/${bought}`, { key: g.merchant.testKey }))
    .body.checkoutSession;
  clean = {
    key: g.merchant.testKey,
    priceId: g.oneTimePriceId,
    productId: g.productId,
    customerId: buyer.id,
    paymentId: boughtRow.paymentId,
  };
}, 240_000);

// ---- the contract every answer keeps --------------------------------------------------------------

type Res = { status: number; body: any; headers: Headers; text: string };

function expectStructured(res: Res, what: string) {
  expect(res.status, `${what} → ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  expect(res.headers.get("content-type") ?? "", what).toContain("application/json");
  if (res.status >= 400) {
    expect(res.body, what).toMatchObject({
      code: expect.any(String),
      message: expect.any(String),
      error: expect.any(String),
      request_id: expect.any(String),
    });
    expect(ERROR_STATUS[res.body.code as keyof typeof ERROR_STATUS], `${what}: code ${res.body.code}`).toBe(
      res.status,
    );
  }
}

function describeBody(body: string) {
  return body.length > 300 ? `${body.slice(0, 300)}… (${body.length} chars)` : body;
}

const RUNS = 60;

describe("hostile JSON bodies on every write operation", () => {
  it("has write operations to fuzz", () => {
    expect(WRITES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(WRITES.map((o) => [o.name, o] as const))(
    "%s",
    async (_name, operation) => {
      const schema = operation.op.requestBody?.content?.["application/json"]?.schema;
      const body = fc.oneof(
        { arbitrary: schema ? valid(schema) : fc.constant({}), weight: 5 },
        { arbitrary: schema ? shaped(schema) : hostileLeaf(), weight: 4 },
        { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
        { arbitrary: hostileLeaf(), weight: 1 },
      );
      await fc.assert(
        fc.asyncProperty(body, async (value) => {
          const text = JSON.stringify(value) ?? "null";
          const res = await ctx.api(operation.method, fillPath(operation.path), { key, rawBody: text });
          expectStructured(res, `${operation.name} with ${describeBody(text)}`);
        }),
        { numRuns: RUNS },
      );
    },
    60_000,
  );
});

describe("hostile query strings on every list and read", () => {
  const value = () =>
    fc.oneof(
      hostileString(),
      hostileNumber().map(String),
      fc.constantFrom("%", "%E0%A4%A", "%ZZ", "+", "%2B", "a&b", "limit=1", "=", "#"),
    );

  it.each(READS_WITH_QUERY.map((o) => [o.name, o] as const))(
    "%s",
    async (_name, operation) => {
      const names = (operation.op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
      const pair = fc.tuple(fc.oneof(fc.constantFrom(...names), hostileString()), value(), fc.boolean());
      await fc.assert(
        fc.asyncProperty(fc.array(pair, { maxLength: 5 }), async (pairs) => {
          // Half the pairs go in encoded, half raw, as a careless or hostile client would send them.
          const query = pairs
            .map(([k, v, raw]) =>
              raw
                ? `${k}=${v}`
                : `${encodeURIComponent(k.replace(/[\ud800-\udfff]/g, ""))}=${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, ""))}`,
            )
            .join("&")
            .replace(/[\s#]/g, "");
          const url = `${fillPath(operation.path)}?${query}`;
          const res = await ctx.api("GET", url, { key });
          expectStructured(res, `GET ${url.slice(0, 300)}`);
        }),
        { numRuns: RUNS },
      );
    },
    60_000,
  );

  it.each(READS_WITH_PATH.map((o) => [o.name, o] as const))(
    "%s with hostile ids",
    async (_name, operation) => {
      await fc.assert(
        fc.asyncProperty(hostileString(), async (id) => {
          const encoded = [...Buffer.from(id, "utf8")]
            .map((b) => `%${b.toString(16).padStart(2, "0")}`)
            .join("");
          const url = fillPath(operation.path, encoded || "%20");
          const res = await ctx.api("GET", url, { key });
          expectStructured(res, `GET ${url.slice(0, 300)}`);
        }),
        { numRuns: 30 },
      );
    },
    60_000,
  );
});

describe("raw bodies no JSON parser expects", () => {
  const deepText = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
  /** The last element says whether the body may be accepted (valid JSON with a JSON content type). */
  const cases: [string, string, Record<string, string>?, "may-succeed"?][] = [
    ["malformed JSON", "{not json"],
    ["truncated JSON", '{"customer":{"externalId":"a"'],
    ["empty body", ""],
    ["only whitespace", "   \n\t "],
    ["a bare string", '"customer"'],
    ["a bare number", "1e400"],
    ["null", "null"],
    ["an array", "[1,2,3]"],
    ["a byte-order mark", '\ufeff{"customer":{}}'],
    ["invalid UTF-8", "\xff\xfe\xfd"],
    ["100 000 nested arrays", deepText],
    [
      "duplicate keys",
      '{"customer":{"externalId":"dup-a","externalId":"dup-b","email":"a@b.co","name":"n"}}',
      undefined,
      "may-succeed",
    ],
    ["numbers too big for a double", '{"customer":{"externalId":"x","email":"a@b.co","name":1e400}}'],
    ["a prototype-polluting body", '{"__proto__":{"admin":true},"customer":{"__proto__":{"archived":true}}}'],
    ["text/plain content type", '{"customer":{}}', { "content-type": "text/plain" }],
    ["form content type", "customer=1", { "content-type": "application/x-www-form-urlencoded" }],
    ["UTF-16 charset", '{"customer":{}}', { "content-type": "application/json; charset=utf-16" }],
    [
      "a multipart body",
      "--x\r\nContent-Disposition: form-data; name=a\r\n\r\nb\r\n--x--",
      { "content-type": "multipart/form-data; boundary=x" },
    ],
    ["a body just over the size limit", `{"a":"${"x".repeat(262_144)}"}`],
  ];

  it.each(cases)("%s", async (what, rawBody, headers, maySucceed) => {
    for (const path of [
      "/api/v1/customers",
      "/api/v1/checkout-sessions",
      "/api/v1/prices",
      "/api/v1/webhooks",
    ]) {
      const res = await ctx.api("POST", path, { key: clean.key, rawBody, ...(headers ? { headers } : {}) });
      expectStructured(res, `${what} to ${path}`);
      if (!maySucceed) expect(res.status, `${what} to ${path}`).toBeGreaterThanOrEqual(400);
    }
  });

  it("answers an oversized body with 413 PAYLOAD_TOO_LARGE", async () => {
    const res = await ctx.api("POST", "/api/v1/customers", {
      key: clean.key,
      rawBody: `{"a":"${"x".repeat(300_000)}"}`,
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("does not let a polluted body change anything it did not name", async () => {
    const res = await ctx.api("POST", "/api/v1/customers", {
      key: clean.key,
      rawBody: `{"customer":{"externalId":"proto-user","email":"p@example.com","name":"P","__proto__":{"archived":true,"livemode":true}},"__proto__":{"organizationId":"org_other"}}`,
    });
    expect(res.status).toBeLessThan(500);
    if (res.status < 300) {
      expect(res.body.data.customer).toMatchObject({ archived: false, livemode: false });
      expect(({} as Record<string, unknown>).archived).toBeUndefined();
    }
  });
});

describe("amounts and quantities at the edges", () => {
  const amounts = [
    -1,
    -0.5,
    0.5,
    1.5,
    1e308,
    Number.MAX_SAFE_INTEGER + 2,
    "100",
    null,
    true,
    [100],
    { v: 1 },
  ];

  it.each(amounts.map((a) => [JSON.stringify(a), a] as const))(
    "unitPrice %s is refused",
    async (_label, amount) => {
      const res = await ctx.api("POST", "/api/v1/prices", {
        key: clean.key,
        body: {
          price: { type: "single_payment", unitPrice: amount, currency: "USD", productId: clean.productId },
        },
      });
      expectStructured(res, `unitPrice ${JSON.stringify(amount)}`);
      expect(res.status).toBe(400);
    },
  );

  it.each(
    [0, -1, 1.5, 10_001, 1e308, Number.MAX_SAFE_INTEGER + 2, "2", null].map(
      (q) => [JSON.stringify(q), q] as const,
    ),
  )("checkout quantity %s is refused", async (_label, quantity) => {
    const res = await createSession(ctx, clean.key, {
      type: "product",
      anonymous: true,
      priceId: clean.priceId,
      quantity,
    });
    expectStructured(res, `quantity ${JSON.stringify(quantity)}`);
    expect(res.status).toBe(400);
  });

  it("a price × quantity beyond the safe integer range is refused, not rounded", async () => {
    const big = await ctx.api("POST", "/api/v1/prices", {
      key: clean.key,
      body: {
        price: {
          type: "single_payment",
          unitPrice: Number.MAX_SAFE_INTEGER,
          currency: "USD",
          productId: clean.productId,
        },
      },
    });
    expect(big.status).toBe(200);
    const two = await createSession(ctx, clean.key, {
      type: "product",
      anonymous: true,
      priceId: big.body.price.id,
      quantity: 2,
    });
    expectStructured(two, "MAX_SAFE_INTEGER × 2");
    expect(two.status).toBe(400);
    const monthly = await ctx.api("POST", "/api/v1/prices", {
      key: clean.key,
      body: {
        price: {
          type: "subscription",
          unitPrice: Number.MAX_SAFE_INTEGER,
          currency: "USD",
          productId: clean.productId,
          intervalUnit: "month",
          intervalCount: 1,
        },
      },
    });
    expect(monthly.status).toBe(200);
    const sub = await ctx.api("POST", "/api/v1/subscriptions", {
      key: clean.key,
      body: { customerId: clean.customerId, priceId: monthly.body.price.id, quantity: 3, doNotCharge: true },
    });
    expectStructured(sub, "subscription of MAX_SAFE_INTEGER × 3");
    expect(sub.status).toBe(400);
  });

  it("partial refunds outside (0, remaining] are refused", async () => {
    for (const partialAmount of [0, -1, 0.5, 1e308, Number.MAX_SAFE_INTEGER + 2, 2000, "1"]) {
      const res = await ctx.api("POST", `/api/v1/payments/${clean.paymentId}/refund`, {
        key: clean.key,
        body: { partialAmount },
      });
      expectStructured(res, `partialAmount ${partialAmount}`);
      expect(res.status, `partialAmount ${partialAmount}`).toBe(400);
    }
    // The payment was refundable all along: the refusals above were about the amounts.
    const whole = await ctx.api("POST", `/api/v1/payments/${clean.paymentId}/refund`, {
      key: clean.key,
      body: { partialAmount: 1999 },
    });
    expect(whole.status).toBe(200);
    expect(whole.body.payment).toMatchObject({ status: "refunded", refundedAmount: 1999 });
  });
});

describe("redirect URLs", () => {
  const rejected = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "\u0001javascript:alert(1)",
    "javascript://merchant.example/%0aalert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://merchant.example/",
    "blob:https://merchant.example/uuid",
    "//evil.example/",
    "/relative/path",
    "merchant.example/thanks",
    "https://",
    "",
  ];

  it.each(rejected.map((u) => [JSON.stringify(u), u] as const))(
    "refuses %s as success and cancel URL",
    async (_l, url) => {
      for (const field of ["successUrl", "cancelUrl"]) {
        const res = await createSession(ctx, clean.key, {
          type: "product",
          anonymous: true,
          priceId: clean.priceId,
          [field]: url,
        });
        expectStructured(res, `${field} ${url}`);
        expect(res.status, `${field} ${JSON.stringify(url)}`).toBe(400);
      }
    },
  );

  it("refuses hosts outside the allow-list, however the URL is dressed up", async () => {
    const f = await catalogFixture(ctx);
    await setAllowedRedirectDomains(
      ctx.deps.db,
      f.merchant.organizationId,
      ["merchant.example"],
      ctx.deps.now(),
    );
    const tricks = [
      "https://merchant.example.evil.example/",
      "https://evil.example/merchant.example",
      "https://evil.example#merchant.example",
      "https://evil.example?merchant.example",
      "https://merchant.example@evil.example/",
      "https://merchant.example:pw@evil.example/",
      "https://evil.example\\.merchant.example/",
      "https://evil.example%2F.merchant.example/",
      "https://m\u0435rchant.example/",
      "https://merchant.exampl\u0435/",
      "https://evilmerchant.example/",
      "https://127.0.0.1/",
    ];
    for (const url of tricks) {
      const res = await createSession(ctx, f.merchant.testKey, {
        type: "product",
        anonymous: true,
        priceId: f.oneTimePriceId,
        successUrl: url,
      });
      expectStructured(res, url);
      expect(res.status, url).toBe(400);
    }
    const fine = await createSession(ctx, f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
      successUrl: "https://Shop.Merchant.Example/thanks",
    });
    expect(fine.status).toBe(200);
  });

  it("a URL with control characters never turns a paid checkout into a 5xx", async () => {
    for (const url of [
      "https://merchant.example/ok\r\nSet-Cookie: pwned=1",
      "https://merchant.example/ok\nx",
      "https://merchant.example/\u0085x",
    ]) {
      const created = await createSession(ctx, clean.key, {
        type: "product",
        anonymous: true,
        priceId: clean.priceId,
        successUrl: url,
      });
      expectStructured(created, JSON.stringify(url));
      if (created.status !== 200) continue;
      const id = created.body.checkoutSession.id as string;
      const paid = await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok });
      expect(paid.status, `confirm with successUrl ${JSON.stringify(url)}: ${paid.text.slice(0, 200)}`).toBe(
        303,
      );
      const location = paid.headers.get("location") ?? "";
      expect(location).not.toMatch(/[\r\n]/);
      expect(new URL(location).origin).toBe("https://merchant.example");
    }
  });

  it("ignores redirect hints smuggled into the hosted page's requests", async () => {
    const id = (
      await createSession(ctx, clean.key, { type: "product", anonymous: true, priceId: clean.priceId })
    ).body.checkoutSession.id as string;
    const page = await ctx.api(
      "GET",
      `/checkout/${id}?redirect=https://evil.example&next=//evil.example&successUrl=https://evil.example`,
    );
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("evil.example");
    const paid = await ctx.api(
      "POST",
      `/checkout/${id}/confirm?redirect=https://evil.example&successUrl=https://evil.example`,
      {
        rawBody: new URLSearchParams({
          email: "r@example.com",
          name: "R",
          country: "US",
          cardNumber: CARDS.ok,
          cardExpiry: "12 / 34",
          cardCvc: "123",
          successUrl: "https://evil.example/",
          redirect: "https://evil.example/",
          returnTo: "//evil.example/",
        }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      },
    );
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe(URLS.successUrl.replace("{CHECKOUT_SESSION_ID}", id));
  });
});

describe("the hosted page's form under hostile input", () => {
  const fields = () =>
    fc.dictionary(
      fc.oneof(
        fc.constantFrom("email", "name", "country", "cardNumber", "cardExpiry", "cardCvc", "outcome"),
        hostileString(),
      ),
      fc.oneof(
        hostileString(),
        fc.constantFrom(CARDS.ok, CARDS.decline, CARDS.challenge, "12 / 34", "123", "US"),
      ),
      { maxKeys: 8 },
    );

  it("confirm and challenge never answer 5xx", async () => {
    let session = "";
    let uses = 0;
    await fc.assert(
      fc.asyncProperty(fields(), fc.boolean(), async (values, toChallenge) => {
        if (uses++ % 10 === 0) {
          session = (
            await createSession(ctx, clean.key, { type: "product", anonymous: true, priceId: clean.priceId })
          ).body.checkoutSession.id as string;
        }
        const body = new URLSearchParams(
          Object.entries(values).map(([k, v]) => [
            k.replace(/[\ud800-\udfff]/g, ""),
            v.replace(/[\ud800-\udfff]/g, ""),
          ]),
        ).toString();
        const res = await ctx.api("POST", `/checkout/${session}/${toChallenge ? "challenge" : "confirm"}`, {
          rawBody: body,
          headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        expect(
          res.status,
          `${toChallenge ? "challenge" : "confirm"} ${describeBody(body)} → ${res.text.slice(0, 200)}`,
        ).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
  }, 240_000);

  it.each([
    ["a broken multipart body", "--x\r\nfoo", "multipart/form-data; boundary=x"],
    ["multipart without a boundary", "a=b", "multipart/form-data"],
    ["JSON instead of a form", '{"email":"a@b.co","cardNumber":"4242424242424242"}', "application/json"],
    ["malformed percent-encoding", "email=%E0%A4%A&name=%&country=%ZZ", "application/x-www-form-urlencoded"],
    [
      "repeated fields",
      "email=a@b.co&email=c@d.co&cardNumber=4242424242424242&cardNumber=1&name[]=x",
      "application/x-www-form-urlencoded",
    ],
    ["no content type", "email=a@b.co", ""],
  ])("%s posted to the hosted pages is not a 5xx", async (_what, rawBody, contentType) => {
    const id = (
      await createSession(ctx, clean.key, { type: "product", anonymous: true, priceId: clean.priceId })
    ).body.checkoutSession.id as string;
    const price = (await ctx.api("GET", `/api/v1/prices/${clean.priceId}`, { key: clean.key })).body.price;
    const purchasePaths = price.purchaseUrl ? [new URL(price.purchaseUrl).pathname] : [];
    const pagePosts = [`/checkout/${id}/confirm`, `/checkout/${id}/challenge`, `/checkout/${id}/discount`];
    for (const path of [...pagePosts, ...purchasePaths]) {
      const res = await ctx.api("POST", path, { rawBody, headers: { "content-type": contentType } });
      expect(res.status, `${path}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
    }
  });
});

describe("metadata with a key named like an Object member", () => {
  it("is a 400, never a 500 (zod's record check reads value.constructor.prototype)", async () => {
    for (const value of [null, {}, "x"]) {
      const res = await ctx.api("POST", "/api/v1/checkout-sessions", {
        key,
        body: {
          checkoutSession: {
            type: "product",
            anonymous: true,
            priceId: ids.priceId,
            outputMetadata: { constructor: value },
          },
        },
      });
      expect(res.status, JSON.stringify(value)).toBe(400);
    }
  });
});
