import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/raw.js";
import { openRuntime } from "../../src/deps.js";
import { loadConfig } from "../../src/lib/config.js";
import {
  assertEncryptionKeyPresent,
  readConnection,
  rotateSealedSecrets,
} from "../../src/processors/index.js";
import { ok } from "../support/index.js";
import {
  connectBody,
  connectionContext,
  fakeStripeAccount,
  keyIdOf,
  newEncryptionKey,
  ownDatabase,
} from "./connection-fixtures.js";

/**
 * The start-up check and key rotation look at every connection of a database, so this file has its own
 * database and starts it empty.
 */
const databaseUrl = await ownDatabase();
const stripe = await fakeStripeAccount("test");
const oldKey = newEncryptionKey();
const newKey = newEncryptionKey();
const sealedWithOld = await connectionContext(databaseUrl, {
  stripeApiUrl: stripe.apiUrl,
  encryptionKey: oldKey,
});
const db = sealedWithOld.deps.db;
const PATH = "/api/v1/processors/stripe";

const check = (encryptionKey: string | undefined) => assertEncryptionKeyPresent(db, { encryptionKey });
const messageOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (err: unknown) => (err as Error).message,
  );
const keyIds = async () =>
  (
    await queryRows<{ encryption_key_id: string }>(
      db,
      sql`select encryption_key_id from processor_connections order by id`,
    )
  ).map((row) => row.encryption_key_id);

/** Connects a new merchant through `app` and answers what readConnection must give back for it. */
async function connectNewMerchant(app: typeof sealedWithOld) {
  const m = await app.merchant();
  const body = connectBody(stripe);
  await ok(app.api("POST", PATH, { key: m.testKey, body }), "connect", 201);
  return { tenant: { organizationId: m.organizationId, livemode: false }, body };
}

describe("the start-up check and key rotation", () => {
  it("with no connection stored, starts with or without a key; a malformed key stops it anyway", async () => {
    expect(await keyIds()).toEqual([]);
    await expect(check(undefined)).resolves.toBeUndefined();
    await expect(check(oldKey)).resolves.toBeUndefined();
    expect(await messageOf(check(Buffer.alloc(31).toString("base64")))).toMatch(
      /GLADE_ENCRYPTION_KEY is 31 bytes once decoded, not 32/,
    );
  });

  it("stops a start without the key that sealed stored connections, naming the variable and the key id", async () => {
    const first = await connectNewMerchant(sealedWithOld);
    expect(await keyIds()).toEqual([keyIdOf(oldKey)]);
    await expect(check(oldKey)).resolves.toBeUndefined();

    const unset = await messageOf(check(undefined));
    expect(unset).toContain("GLADE_ENCRYPTION_KEY is not set");
    expect(unset).toContain(keyIdOf(oldKey));
    const other = await messageOf(check(newKey));
    expect(other).toContain(`GLADE_ENCRYPTION_KEY does not hold encryption key ${keyIdOf(oldKey)}`);
    expect(other).toContain(keyIdOf(newKey));
    expect(other).not.toContain(oldKey);
    expect(other).not.toContain(newKey);

    // openRuntime runs the check right after migrating: `glade start`, `worker` and the CLI all refuse.
    const config = { ...loadConfig({ LOG_LEVEL: "silent" }), databaseUrl, encryptionKey: newKey };
    expect(await messageOf(openRuntime(config))).toContain(keyIdOf(oldKey));
    const runtime = await openRuntime({ ...config, encryptionKey: `${newKey},${oldKey}` });
    await runtime.handle.close();

    // Nothing was changed by the refusals: the connection still opens with its key.
    expect(await readConnection(sealedWithOld.deps, first.tenant)).toMatchObject({
      secretKey: first.body.secretKey,
    });
  });

  it("rotates: old rows open under the new list before re-sealing; afterwards the old key can go", async () => {
    const rotating = await connectionContext(databaseUrl, {
      stripeApiUrl: stripe.apiUrl,
      encryptionKey: `${newKey},${oldKey}`,
    });
    const sealedOld = await connectNewMerchant(sealedWithOld);
    const sealedNew = await connectNewMerchant(rotating);
    const ids = await keyIds();
    expect(new Set(ids)).toEqual(new Set([keyIdOf(oldKey), keyIdOf(newKey)]));
    const oldCount = ids.filter((id) => id === keyIdOf(oldKey)).length;
    expect(oldCount).toBeGreaterThanOrEqual(1);

    // Before rotating, both open under the new list (the old key listed second).
    for (const { tenant, body } of [sealedOld, sealedNew]) {
      expect(await readConnection(rotating.deps, tenant)).toMatchObject(body);
    }
    const before = await queryRows<{ id: string; updated_at: Date }>(
      db,
      sql`select id, updated_at from processor_connections order by id`,
    );

    expect(await rotateSealedSecrets(rotating.deps)).toEqual({
      resealed: oldCount,
      sealingKeyId: keyIdOf(newKey),
    });
    expect(new Set(await keyIds())).toEqual(new Set([keyIdOf(newKey)]));
    // Re-sealing is not a change of the connection: its updatedAt (what the registry rebuilds on) stays.
    expect(
      await queryRows<{ id: string; updated_at: Date }>(
        db,
        sql`select id, updated_at from processor_connections order by id`,
      ),
    ).toEqual(before);
    expect(await rotateSealedSecrets(rotating.deps)).toEqual({ resealed: 0, sealingKeyId: keyIdOf(newKey) });

    // The old key can go now; without the new one nothing starts.
    await expect(check(newKey)).resolves.toBeUndefined();
    const onlyNew = await connectionContext(databaseUrl, {
      stripeApiUrl: stripe.apiUrl,
      encryptionKey: newKey,
    });
    for (const { tenant, body } of [sealedOld, sealedNew]) {
      expect(await readConnection(onlyNew.deps, tenant)).toMatchObject(body);
    }
    expect(await messageOf(check(oldKey))).toContain(`does not hold encryption key ${keyIdOf(newKey)}`);
    await expect(readConnection(sealedWithOld.deps, sealedOld.tenant)).rejects.toThrow(
      `sealed with encryption key ${keyIdOf(newKey)}, which is not in GLADE_ENCRYPTION_KEY`,
    );
  });

  it("rotation without GLADE_ENCRYPTION_KEY says to set it", async () => {
    const unset = await connectionContext(databaseUrl, {
      stripeApiUrl: stripe.apiUrl,
      encryptionKey: undefined,
    });
    expect(await messageOf(rotateSealedSecrets(unset.deps))).toContain(
      "set GLADE_ENCRYPTION_KEY to store processor secrets",
    );
  });
});
