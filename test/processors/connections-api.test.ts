import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/raw.js";
import { readConnection } from "../../src/processors/index.js";
import { type ApiResult, ok } from "../support/index.js";
import {
  connectBody,
  connectionContext,
  fakeStripeAccount,
  keyIdOf,
  newEncryptionKey,
  newWebhookSecret,
  ownDatabase,
  PUBLIC_URL,
} from "./connection-fixtures.js";

const databaseUrl = await ownDatabase();
const testStripe = await fakeStripeAccount("test");
const liveStripe = await fakeStripeAccount("live");
const encryptionKey = newEncryptionKey();
/** Two Glade processes over one database: one talks to the test-mode fake, one to the live-mode fake. */
const ctx = await connectionContext(databaseUrl, { stripeApiUrl: testStripe.apiUrl, encryptionKey });
const liveCtx = await connectionContext(databaseUrl, { stripeApiUrl: liveStripe.apiUrl, encryptionKey });

const PATH = "/api/v1/processors/stripe";

/** Neither secret of `body`, whole, anywhere in an answer (headers included). */
function expectNoSecret(res: ApiResult, body: { secretKey: string; webhookSecret: string }) {
  const everything = `${res.text}\n${JSON.stringify([...res.headers.entries()])}`;
  expect(everything).not.toContain(body.secretKey);
  expect(everything).not.toContain(body.webhookSecret);
}

describe("connecting Stripe through the API", () => {
  it("connects test keys with a test-mode key: 201 after one Stripe call, the webhook URL, no secret", async () => {
    const m = await ctx.merchant();
    const body = connectBody(testStripe);
    const calls = testStripe.requests().length;
    const res = await ctx.api("POST", PATH, { key: m.testKey, body });
    expect(res.status, res.text).toBe(201);
    expectNoSecret(res, body);
    expect(res.body.processorConnection).toEqual({
      id: expect.stringMatching(/^pconn_/),
      processor: "stripe",
      organizationId: m.organizationId,
      livemode: false,
      accountId: testStripe.accountId,
      publishableKey: testStripe.publishableKey,
      secretKeyHint: `sk_test_…${body.secretKey.slice(-4)}`,
      webhookUrl: `${PUBLIC_URL}/processors/stripe/webhook/${m.organizationId}/test`,
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
    });
    expect(
      testStripe
        .requests()
        .slice(calls)
        .map((r) => `${r.method} ${r.path} ${r.status}`),
    ).toEqual(["GET /v1/account 200"]);

    const shown = await ctx.api("GET", PATH, { key: m.testKey });
    expect(shown.status).toBe(200);
    expectNoSecret(shown, body);
    expect(shown.body).toEqual(res.body);

    const open = await readConnection(ctx.deps, { organizationId: m.organizationId, livemode: false });
    expect(open).toEqual({
      id: res.body.processorConnection.id,
      organizationId: m.organizationId,
      livemode: false,
      processor: "stripe",
      accountId: testStripe.accountId,
      publishableKey: body.publishableKey,
      secretKey: body.secretKey,
      webhookSecret: body.webhookSecret,
      updatedAt: new Date(res.body.processorConnection.updatedAt),
    });
  });

  it("replaces the keys: 200, the same id and creation time, the new secrets in use", async () => {
    const m = await ctx.merchant();
    const first = connectBody(testStripe);
    const created = await ok(ctx.api("POST", PATH, { key: m.testKey, body: first }), "connect", 201);
    const second = connectBody(testStripe, newWebhookSecret());
    const replaced = await ctx.api("POST", PATH, { key: m.testKey, body: second });
    expect(replaced.status, replaced.text).toBe(200);
    expectNoSecret(replaced, second);
    expect(replaced.body.processorConnection).toMatchObject({
      id: created.processorConnection.id,
      createdAt: created.processorConnection.createdAt,
    });
    expect(replaced.body.processorConnection.updatedAt).toBeGreaterThanOrEqual(
      created.processorConnection.updatedAt,
    );
    const open = await readConnection(ctx.deps, { organizationId: m.organizationId, livemode: false });
    expect(open?.webhookSecret).toBe(second.webhookSecret);
    const rows = await queryRows<{ n: number }>(
      ctx.deps.db,
      sql`select count(*)::int as n from processor_connections where organization_id = ${m.organizationId}`,
    );
    expect(rows[0]?.n).toBe(1);
  });

  it("connects live keys with a live-mode key, apart from the test connection", async () => {
    const m = await ctx.merchant();
    const testBody = connectBody(testStripe);
    const liveBody = connectBody(liveStripe);
    const test = await ok(ctx.api("POST", PATH, { key: m.testKey, body: testBody }), "test", 201);
    const live = await liveCtx.api("POST", PATH, { key: m.liveKey, body: liveBody });
    expect(live.status, live.text).toBe(201);
    expectNoSecret(live, liveBody);
    expect(live.body.processorConnection).toMatchObject({
      livemode: true,
      accountId: liveStripe.accountId,
      publishableKey: liveBody.publishableKey,
      secretKeyHint: `sk_live_…${liveBody.secretKey.slice(-4)}`,
      webhookUrl: `${PUBLIC_URL}/processors/stripe/webhook/${m.organizationId}/live`,
    });
    expect(live.body.processorConnection.id).not.toBe(test.processorConnection.id);

    // Each key sees its own mode's connection only, and deleting one leaves the other.
    expect((await ctx.api("GET", PATH, { key: m.testKey })).body).toEqual(test);
    expect((await ctx.api("GET", PATH, { key: m.liveKey })).body).toEqual(live.body);
    expect((await ctx.api("DELETE", PATH, { key: m.testKey })).status).toBe(200);
    expect((await ctx.api("GET", PATH, { key: m.liveKey })).body).toEqual(live.body);
    const open = await readConnection(ctx.deps, { organizationId: m.organizationId, livemode: true });
    expect(open).toMatchObject({ secretKey: liveBody.secretKey, webhookSecret: liveBody.webhookSecret });
  });

  it("disconnects: 200 with the removed connection, then 404 to GET and DELETE", async () => {
    const m = await ctx.merchant();
    const body = connectBody(testStripe);
    const created = await ok(ctx.api("POST", PATH, { key: m.testKey, body }), "connect", 201);
    const removed = await ctx.api("DELETE", PATH, { key: m.testKey });
    expect(removed.status).toBe(200);
    expectNoSecret(removed, body);
    expect(removed.body).toEqual(created);
    for (const method of ["GET", "DELETE"]) {
      const res = await ctx.api(method, PATH, { key: m.testKey });
      expect(res.status, method).toBe(404);
      expect(res.body).toMatchObject({
        code: "NOT_FOUND",
        message: "No Stripe connection for this organization in test mode",
      });
    }
    expect(await readConnection(ctx.deps, { organizationId: m.organizationId, livemode: false })).toBe(
      undefined,
    );
    // Connecting again is a new connection.
    const again = await ok(ctx.api("POST", PATH, { key: m.testKey, body }), "reconnect", 201);
    expect(again.processorConnection.id).not.toBe(created.processorConnection.id);
  });

  it("keeps secrets out of the idempotency store: a replayed connect answers the same, without them", async () => {
    const m = await ctx.merchant();
    const body = connectBody(testStripe);
    const headers = { "idempotency-key": `connect-${m.organizationId}` };
    const first = await ctx.api("POST", PATH, { key: m.testKey, body, headers });
    const replay = await ctx.api("POST", PATH, { key: m.testKey, body, headers });
    expect([first.status, replay.status]).toEqual([201, 201]);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(first.body);
    const stored = await queryRows<Record<string, unknown>>(
      ctx.deps.db,
      sql`select * from idempotency_keys where organization_id = ${m.organizationId}`,
    );
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(body.secretKey);
    expect(JSON.stringify(stored)).not.toContain(body.webhookSecret);
  });
});

describe("what is stored", () => {
  it("no column of the row holds either secret; they are sealed under the current key, bound to the row", async () => {
    const m = await ctx.merchant();
    const body = connectBody(testStripe);
    const id = (await ok(ctx.api("POST", PATH, { key: m.testKey, body }), "connect", 201)).processorConnection
      .id as string;
    const [row] = await queryRows<Record<string, unknown>>(
      ctx.deps.db,
      sql`select * from processor_connections where id = ${id}`,
    );
    const text = JSON.stringify(row);
    for (const secret of [body.secretKey, body.webhookSecret]) {
      expect(text).not.toContain(secret);
      // Nor the random part alone, nor in a reversible encoding.
      const tail = secret.replace(/^(sk|whsec)_(test_)?/, "");
      for (const form of [tail, Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("hex")])
        expect(text).not.toContain(form);
    }
    expect(row).toMatchObject({
      encryption_key_id: keyIdOf(encryptionKey),
      secret_key_hint: `sk_test_…${body.secretKey.slice(-4)}`,
      publishable_key: body.publishableKey,
      account_id: testStripe.accountId,
      secret_key_sealed: expect.stringMatching(new RegExp(`^v1\\.${keyIdOf(encryptionKey)}\\.`)),
      webhook_secret_sealed: expect.stringMatching(new RegExp(`^v1\\.${keyIdOf(encryptionKey)}\\.`)),
    });

    // A sealed value moved to another field, or to another organization's row, does not open there.
    const tenant = { organizationId: m.organizationId, livemode: false };
    await ctx.deps.db.execute(
      sql`update processor_connections set webhook_secret_sealed = secret_key_sealed where id = ${id}`,
    );
    await expect(readConnection(ctx.deps, tenant)).rejects.toThrow(/does not open/);
    const other = await ctx.merchant();
    await ok(ctx.api("POST", PATH, { key: other.testKey, body: connectBody(testStripe) }), "other", 201);
    await ctx.deps.db.execute(sql`
      update processor_connections set secret_key_sealed = ${row?.secret_key_sealed as string},
        webhook_secret_sealed = ${row?.webhook_secret_sealed as string}
      where organization_id = ${other.organizationId}`);
    await expect(
      readConnection(ctx.deps, { organizationId: other.organizationId, livemode: false }),
    ).rejects.toThrow(/does not open/);
  });
});
