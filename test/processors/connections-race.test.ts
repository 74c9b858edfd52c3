import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/raw.js";
import { processorConnections } from "../../src/db/schema/index.js";
import { readConnection } from "../../src/processors/index.js";
import { ok } from "../support/index.js";
import {
  connectBody,
  connectionContext,
  fakeStripeAccount,
  newEncryptionKey,
  ownDatabase,
} from "./connection-fixtures.js";

const databaseUrl = await ownDatabase();
const stripe = await fakeStripeAccount("test");
const ctx = await connectionContext(databaseUrl, {
  stripeApiUrl: stripe.apiUrl,
  encryptionKey: newEncryptionKey(),
});
const PATH = "/api/v1/processors/stripe";

/** Resolves once some statement of this database waits on a lock (another transaction's row). */
async function someoneWaitsOnALock(): Promise<void> {
  // A hang guard: the statement blocks at once, later only on a loaded machine.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [row] = await queryRows<{ n: number }>(
      ctx.deps.db,
      sql`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if ((row?.n ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error("no statement came to wait on the lock");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("two first connects of one tenant at once", () => {
  it("the one that loses the insert replaces the winner's row, its secrets sealed for that row's id", async () => {
    const m = await ctx.merchant();
    const tenant = { organizationId: m.organizationId, livemode: false };
    const body = connectBody(stripe);
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The winner: a first connect that has inserted its row and not committed yet. Its sealed values are
    // placeholders: the loser must replace every secret, sealed for this row's id, not its own.
    const winnerId = "pconn_winner";
    let inserted = () => {};
    const rowInserted = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const winner = ctx.deps.db.transaction(async (tx) => {
      await tx.insert(processorConnections).values({
        id: winnerId,
        ...tenant,
        processor: "stripe",
        accountId: "acct_winner",
        publishableKey: "pk_test_winner00",
        secretKeySealed: "v1.placeholder",
        webhookSecretSealed: "v1.placeholder",
        encryptionKeyId: "placeholder",
        secretKeyHint: "sk_test_…0000",
      });
      inserted();
      await held;
    });
    await rowInserted;

    const loser = ctx.api("POST", PATH, { key: m.testKey, body });
    await someoneWaitsOnALock();
    release();
    await winner;
    const res = await loser;

    expect(res.status, res.text).toBe(200);
    expect(res.body.processorConnection).toMatchObject({ id: winnerId, accountId: stripe.accountId });
    expect(await readConnection(ctx.deps, tenant)).toMatchObject({
      id: winnerId,
      secretKey: body.secretKey,
      webhookSecret: body.webhookSecret,
    });
  });

  it("many at once: one is created, the others replace it, and the survivor opens", async () => {
    const tenants = await Promise.all([1, 2, 3, 4].map(() => ctx.merchant()));
    await Promise.all(
      tenants.map(async (m) => {
        const bodies = [1, 2, 3].map(() => connectBody(stripe));
        const answers = await Promise.all(
          bodies.map((body) => ctx.api("POST", PATH, { key: m.testKey, body })),
        );
        expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
        expect(new Set(answers.map((a) => a.body.processorConnection.id)).size).toBe(1);
        const open = await readConnection(ctx.deps, { organizationId: m.organizationId, livemode: false });
        expect(bodies.map((b) => b.webhookSecret)).toContain(open?.webhookSecret);
        const shown = await ok(ctx.api("GET", PATH, { key: m.testKey }), "show");
        expect(shown.processorConnection.id).toBe(answers[0]?.body.processorConnection.id);
      }),
    );
  });
});
