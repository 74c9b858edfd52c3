import { createHash, randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/raw.js";
import { openRuntime } from "../../src/deps.js";
import { runDeliveryBatch } from "../../src/webhooks/index.js";
import {
  createWebhook,
  dashboardUser,
  emitTestEvents,
  ok,
  ownDatabase,
  type Receiver,
  signedBy,
  signInDashboard,
  startReceiver,
  testContext,
} from "../support/index.js";

/** Start-up seals every endpoint of a database, so this file has its own. */
const databaseUrl = await ownDatabase();
const key = randomBytes(32).toString("base64");
/** The id src/lib/secrets.ts files a key's sealed values under, computed independently. */
const keyId = (base64: string) =>
  createHash("sha256").update(Buffer.from(base64, "base64")).digest("hex").slice(0, 16);
const clear = await testContext({}, { databaseUrl });
const keyed = await testContext({ config: { ...clear.deps.config, encryptionKey: key } }, { databaseUrl });

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const stored = async (id: string) =>
  (
    await queryRows<{ secret: string }>(
      keyed.deps.db,
      sql`select secret from webhook_endpoints where id = ${id}`,
    )
  )[0]?.secret;

/** Delivers one event to a fresh receiver and answers whether `secret` verifies what arrived. */
async function deliveredSignedWith(app: typeof keyed, m: { organizationId: string }, secret: string) {
  const r = endpointReceivers.get(m.organizationId)!;
  const before = r.received.length;
  await emitTestEvents(app.deps.db, { organizationId: m.organizationId, livemode: false }, 1);
  await runDeliveryBatch(app.deps, { organizationId: m.organizationId });
  const got = r.received[before];
  if (!got) throw new Error("nothing was delivered");
  return signedBy(new Webhook(secret), got);
}

const endpointReceivers = new Map<string, Receiver>();

async function merchantWithEndpoint(app: typeof keyed) {
  const m = await app.merchant();
  const r = await startReceiver();
  receivers.push(r);
  endpointReceivers.set(m.organizationId, r);
  const webhook = await createWebhook(app, m.testKey, { url: r.url });
  return { m, webhook };
}

describe("webhook signing secrets at rest", () => {
  it("with GLADE_ENCRYPTION_KEY, the column holds a sealed value; the API, deliveries and rotation use the secret", async () => {
    const { m, webhook } = await merchantWithEndpoint(keyed);
    expect(webhook.secret).toMatch(/^whsec_/);
    const raw = await stored(webhook.id);
    expect(raw).toMatch(new RegExp(`^v1\\.${keyId(key)}\\.`));
    expect(raw).not.toContain("whsec_");
    expect(raw).not.toContain(webhook.secret.slice(6));
    const got = await ok(keyed.api("GET", `/api/v1/webhooks/${webhook.id}`, { key: m.testKey }));
    expect(got.webhook.secret).toBe(webhook.secret);
    const list = await ok(keyed.api("GET", "/api/v1/webhooks", { key: m.testKey }));
    expect(list.data[0].secret).toBe(webhook.secret);
    expect(await deliveredSignedWith(keyed, m, webhook.secret)).toBe(true);

    const rotated = await ok(
      keyed.api("POST", `/api/v1/webhooks/${webhook.id}/rotate-secret`, { key: m.testKey }),
    );
    const secret = rotated.webhook.secret as string;
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(webhook.secret);
    expect(await stored(webhook.id)).toMatch(/^v1\./);
    expect(await stored(webhook.id)).not.toBe(raw);
    expect(await deliveredSignedWith(keyed, m, secret)).toBe(true);
  });

  it("the dashboard reveals the opened secret", async () => {
    const { m, webhook } = await merchantWithEndpoint(keyed);
    const user = await dashboardUser(keyed, m.organizationId, "admin");
    const visit = await signInDashboard(keyed, user.email);
    const shown = await visit.post(`/dashboard/developers/webhooks/${webhook.id}/secret`);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(webhook.secret);
    expect(shown.text).not.toContain("v1.");
  });

  it("secrets stored in the clear keep working and are sealed at the next start with a key", async () => {
    const { m, webhook } = await merchantWithEndpoint(clear);
    expect(await stored(webhook.id)).toBe(webhook.secret);
    const runtime = await openRuntime({ ...keyed.deps.config, databaseUrl, encryptionKey: key });
    await runtime.handle.close();
    const sealed = await stored(webhook.id);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain("whsec_");
    const all = await queryRows<{ n: number }>(
      keyed.deps.db,
      sql`select count(*)::int as n from webhook_endpoints where secret like 'whsec_%'`,
    );
    expect(all[0]?.n).toBe(0);
    const got = await ok(keyed.api("GET", `/api/v1/webhooks/${webhook.id}`, { key: m.testKey }));
    expect(got.webhook.secret).toBe(webhook.secret);
    expect(await deliveredSignedWith(keyed, m, webhook.secret)).toBe(true);
  });

  it("a start without the key that sealed them is refused, saying which key is needed", async () => {
    await merchantWithEndpoint(keyed);
    const refusal = (encryptionKey: string | undefined) =>
      openRuntime({ ...keyed.deps.config, databaseUrl, encryptionKey }).then(
        async (runtime) => {
          await runtime.handle.close();
          return "started";
        },
        (err: Error) => err.message,
      );
    const id = keyId(key);
    expect(await refusal(undefined)).toBe(
      `Webhook signing secrets are stored sealed by encryption key ${id}, and GLADE_ENCRYPTION_KEY is not set: set it to the key(s) they were sealed with`,
    );
    const other = randomBytes(32).toString("base64");
    expect(await refusal(other)).toContain(`GLADE_ENCRYPTION_KEY does not hold encryption key ${id}`);
    // Started with a new key first, every stored secret is sealed again under it: the old key can go.
    const { m, webhook } = await merchantWithEndpoint(keyed);
    expect(await refusal(`${other},${key}`)).toBe("started");
    expect(await stored(webhook.id)).toMatch(new RegExp(`^v1\\.${keyId(other)}\\.`));
    const sealedUnder = await queryRows<{ n: number }>(
      keyed.deps.db,
      sql`select count(*)::int as n from webhook_endpoints where secret not like ${`v1.${keyId(other)}.%`}`,
    );
    expect(sealedUnder[0]?.n).toBe(0);
    expect(await refusal(other)).toBe("started");
    const rotated = await testContext(
      { config: { ...keyed.deps.config, encryptionKey: other } },
      { databaseUrl },
    );
    const got = await ok(rotated.api("GET", `/api/v1/webhooks/${webhook.id}`, { key: m.testKey }));
    expect(got.webhook.secret).toBe(webhook.secret);
  });
});
