import { describe, expect, it } from "vitest";
import { type ApiResult, freePort, type TestMerchant } from "../support/index.js";
import {
  connectBody,
  connectionContext,
  fakeStripeAccount,
  newEncryptionKey,
  newWebhookSecret,
  ownDatabase,
} from "./connection-fixtures.js";

const databaseUrl = await ownDatabase();
const testStripe = await fakeStripeAccount("test");
const liveStripe = await fakeStripeAccount("live");
const encryptionKey = newEncryptionKey();
const ctx = await connectionContext(databaseUrl, { stripeApiUrl: testStripe.apiUrl, encryptionKey });
const liveCtx = await connectionContext(databaseUrl, { stripeApiUrl: liveStripe.apiUrl, encryptionKey });

const PATH = "/api/v1/processors/stripe";
const stripeCalls = () => testStripe.requests().length + liveStripe.requests().length;

/** A refusal: the status and code, Flowglad's error shape, no secret echoed, no Stripe call, nothing stored. */
async function expectRefused(
  send: () => Promise<ApiResult>,
  m: TestMerchant,
  expected: { status: number; code: string; secrets?: string[] },
): Promise<ApiResult> {
  const calls = stripeCalls();
  const res = await send();
  expect(res.status, res.text).toBe(expected.status);
  expect(res.body).toMatchObject({
    code: expected.code,
    error: expect.any(String),
    message: expect.any(String),
    request_id: expect.any(String),
  });
  for (const secret of expected.secrets ?? []) expect(res.text).not.toContain(secret);
  expect(stripeCalls(), "Stripe was called").toBe(calls);
  for (const key of [m.testKey, m.liveKey]) expect((await ctx.api("GET", PATH, { key })).status).toBe(404);
  return res;
}

describe("keys of the other mode", () => {
  it("a test-mode key cannot connect live Stripe keys, nor a live-mode key test ones: 400 naming the field", async () => {
    const m = await ctx.merchant();
    const test = connectBody(testStripe);
    const live = connectBody(liveStripe);
    const cases = [
      { key: m.testKey, app: ctx, body: live, fields: ["secretKey", "publishableKey"], mode: "test" },
      {
        key: m.testKey,
        app: ctx,
        body: { ...test, publishableKey: live.publishableKey },
        fields: ["publishableKey"],
        mode: "test",
      },
      {
        key: m.testKey,
        app: ctx,
        body: { ...test, secretKey: live.secretKey },
        fields: ["secretKey"],
        mode: "test",
      },
      {
        key: m.testKey,
        app: ctx,
        body: { ...test, secretKey: live.secretKey.replace(/^sk_/, "rk_") },
        fields: ["secretKey"],
        mode: "test",
      },
      { key: m.liveKey, app: liveCtx, body: test, fields: ["secretKey", "publishableKey"], mode: "live" },
    ];
    for (const c of cases) {
      const res = await expectRefused(() => c.app.api("POST", PATH, { key: c.key, body: c.body }), m, {
        status: 400,
        code: "BAD_REQUEST",
        secrets: [c.body.secretKey, c.body.webhookSecret],
      });
      expect(res.body.issues.map((i: { path: string[] }) => i.path.join("."))).toEqual(c.fields);
      expect(res.body.message).toContain(`a ${c.mode}-mode API key connects ${c.mode}-mode Stripe keys only`);
      expect(res.headers.get("x-should-retry")).toBe("false");
    }
  });
});

describe("malformed input", () => {
  it.each([
    ["a publishable key as the secret key", { secretKey: "pk_test_abcdefgh1234" }, "secretKey"],
    ["a secret key with no body", { secretKey: "sk_test_" }, "secretKey"],
    ["a secret key too short to hint at", { secretKey: "sk_test_abc" }, "secretKey"],
    ["an unknown mode", { secretKey: "sk_prod_abcdefgh1234" }, "secretKey"],
    ["a header injected into the key", { secretKey: "sk_test_abcdefgh\r\nX-Injected: 1" }, "secretKey"],
    ["a key with spaces", { secretKey: "sk_test_abcd efgh1234" }, "secretKey"],
    ["a key of 300 characters", { secretKey: `sk_test_${"a".repeat(292)}` }, "secretKey"],
    ["a number", { secretKey: 42 }, "secretKey"],
    ["null", { publishableKey: null }, "publishableKey"],
    ["a secret key as the publishable key", { publishableKey: "sk_test_abcdefgh1234" }, "publishableKey"],
    ["a webhook secret without its prefix", { webhookSecret: "abcdefgh12345678" }, "webhookSecret"],
    ["an empty webhook secret", { webhookSecret: "" }, "webhookSecret"],
    ["a missing webhook secret", { webhookSecret: undefined }, "webhookSecret"],
    ["a field the API does not take", { livemode: true }, ""],
  ])("refuses %s with 400, before calling Stripe", async (_what, change, field) => {
    const m = await ctx.merchant();
    const body = { ...connectBody(testStripe), ...change };
    const res = await expectRefused(() => ctx.api("POST", PATH, { key: m.testKey, body }), m, {
      status: 400,
      code: "BAD_REQUEST",
      secrets: [connectBody(testStripe).secretKey],
    });
    if (field) expect(res.body.issues.map((i: { path: string[] }) => i.path.join("."))).toContain(field);
  });

  it("refuses a body wrapped as other resources are, or not JSON at all", async () => {
    const m = await ctx.merchant();
    const body = connectBody(testStripe);
    for (const send of [
      () => ctx.api("POST", PATH, { key: m.testKey, body: { processorConnection: body } }),
      () => ctx.api("POST", PATH, { key: m.testKey, rawBody: `secretKey=${body.secretKey}` }),
      () => ctx.api("POST", PATH, { key: m.testKey, rawBody: "" }),
    ]) {
      await expectRefused(send, m, { status: 400, code: "BAD_REQUEST", secrets: [body.secretKey] });
    }
  });
});

describe("refusals that depend on the server", () => {
  it("without GLADE_ENCRYPTION_KEY: 422 saying to set it, before calling Stripe", async () => {
    const unset = await connectionContext(databaseUrl, {
      stripeApiUrl: testStripe.apiUrl,
      encryptionKey: undefined,
    });
    const m = await ctx.merchant();
    const body = connectBody(testStripe);
    const res = await expectRefused(() => unset.api("POST", PATH, { key: m.testKey, body }), m, {
      status: 422,
      code: "UNPROCESSABLE_CONTENT",
      secrets: [body.secretKey, body.webhookSecret],
    });
    expect(res.body.message).toContain("set GLADE_ENCRYPTION_KEY to store processor secrets");
    // Reading and deleting need no key: there is nothing sealed to open.
    expect((await unset.api("GET", PATH, { key: m.testKey })).status).toBe(404);
  });

  it("with a malformed GLADE_ENCRYPTION_KEY: 422 saying what is wrong with it, without showing it", async () => {
    const short = Buffer.alloc(16, 7).toString("base64");
    const malformed = await connectionContext(databaseUrl, {
      stripeApiUrl: testStripe.apiUrl,
      encryptionKey: short,
    });
    const m = await ctx.merchant();
    const res = await expectRefused(
      () => malformed.api("POST", PATH, { key: m.testKey, body: connectBody(testStripe) }),
      m,
      { status: 422, code: "UNPROCESSABLE_CONTENT", secrets: [short] },
    );
    expect(res.body.message).toContain("GLADE_ENCRYPTION_KEY is 16 bytes once decoded, not 32");
  });

  it("a key Stripe refuses: 400 with Stripe's message (the key masked), nothing stored", async () => {
    const m = await ctx.merchant();
    const body = { ...connectBody(testStripe), secretKey: "sk_test_revoked0123456789abcdef" };
    const calls = testStripe.requests().length;
    const res = await ctx.api("POST", PATH, { key: m.testKey, body });
    expect(res.status, res.text).toBe(400);
    expect(res.body.code).toBe("BAD_REQUEST");
    expect(res.body.message).toMatch(
      /^Stripe refused the secret key: .*Invalid API Key provided: sk_test_\*+cdef$/,
    );
    expect(res.text).not.toContain(body.secretKey);
    expect(res.text).not.toContain(body.webhookSecret);
    expect(
      testStripe
        .requests()
        .slice(calls)
        .map((r) => `${r.method} ${r.path} ${r.status}`),
    ).toEqual(["GET /v1/account 401"]);
    expect((await ctx.api("GET", PATH, { key: m.testKey })).status).toBe(404);
  });

  it("Stripe unreachable: 503 that may be retried, nothing stored; the same keys connect once it answers", async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const offline = await connectionContext(databaseUrl, { stripeApiUrl: nowhere, encryptionKey });
    const m = await ctx.merchant();
    const body = connectBody(testStripe, newWebhookSecret());
    const res = await offline.api("POST", PATH, { key: m.testKey, body });
    expect(res.status, res.text).toBe(503);
    expect(res.body).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect(res.body.message).toMatch(/^Could not reach Stripe to verify the secret key/);
    expect(res.headers.get("x-should-retry")).toBe("true");
    expect(res.text).not.toContain(body.secretKey);
    expect((await ctx.api("GET", PATH, { key: m.testKey })).status).toBe(404);
    expect((await ctx.api("POST", PATH, { key: m.testKey, body })).status).toBe(201);
  });
});
