import { createHash, randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll } from "vitest";
import { queryRows } from "../../src/db/raw.js";
import { processorConnections } from "../../src/db/schema/index.js";
import { loadConfig } from "../../src/lib/config.js";
import { type FakeStripe, startFakeStripe } from "../fixtures/fake-stripe/index.js";
import { ownDatabase, type TestContext, testContext } from "../support/index.js";

/**
 * Processor connection tests store sealed secrets, and `glade start` refuses a database holding secrets
 * it has no key for: so these files keep their connections in databases of their own, never in the shared
 * one other files start servers on.
 */

export const newEncryptionKey = () => randomBytes(32).toString("base64");

/** The id `src/lib/secrets.ts` files a key's sealed values under, computed independently. */
export const keyIdOf = (base64Key: string) =>
  createHash("sha256").update(Buffer.from(base64Key, "base64")).digest("hex").slice(0, 16);

export const PUBLIC_URL = "http://glade.test";

/** A fake Stripe account whose keys are of the given mode; closed after the file. */
export async function fakeStripeAccount(mode: "test" | "live"): Promise<FakeStripe> {
  const random = () => randomBytes(12).toString("hex");
  const fake = await startFakeStripe({
    secretKey: `sk_${mode}_glade${random()}`,
    publishableKey: `pk_${mode}_glade${random()}`,
  });
  afterAll(() => fake.close());
  return fake;
}

/** A webhook signing secret as Stripe's dashboard shows one. */
export const newWebhookSecret = () => `whsec_${randomBytes(24).toString("hex")}`;

export function connectBody(fake: FakeStripe, webhookSecret = newWebhookSecret()) {
  return { secretKey: fake.secretKey, publishableKey: fake.publishableKey, webhookSecret };
}

/**
 * An app over `databaseUrl` whose Stripe is `stripeApiUrl` and whose GLADE_ENCRYPTION_KEY is
 * `encryptionKey` (undefined: not set). Several may share one database, as several Glade processes do.
 */
export async function connectionContext(
  databaseUrl: string,
  options: { stripeApiUrl: string; encryptionKey: string | undefined },
): Promise<TestContext> {
  const config = {
    ...loadConfig({ LOG_LEVEL: "silent" }),
    databaseUrl,
    publicUrl: PUBLIC_URL,
    stripeApiUrl: options.stripeApiUrl,
    encryptionKey: options.encryptionKey,
  };
  return testContext({ config }, { databaseUrl });
}

export { ownDatabase };

/** Every column of the stored row as text, the sealed ones included, straight from SQL. */
export async function storedRowText(ctx: TestContext, connectionId: string): Promise<string> {
  const list = await queryRows<Record<string, unknown>>(
    ctx.deps.db,
    sql`select * from ${processorConnections} where ${processorConnections.id} = ${connectionId}`,
  );
  if (list.length !== 1)
    throw new Error(`expected one stored connection ${connectionId}, found ${list.length}`);
  return JSON.stringify(list[0]);
}

export async function storedRow(ctx: TestContext, connectionId: string) {
  const [row] = await ctx.deps.db
    .select()
    .from(processorConnections)
    .where(eq(processorConnections.id, connectionId));
  return row;
}
