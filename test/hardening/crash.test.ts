import { eq, like } from "drizzle-orm";
import { afterAll, describe, expect, inject, it } from "vitest";
import { reconcilePendingSessions } from "../../src/checkout/index.js";
import { checkoutSessions, payments, purchases, sandboxIntents } from "../../src/db/schema/index.js";
import {
  audit,
  CARDS,
  type CrashWorld,
  catalogFixture,
  crashRound,
  createMigratedDatabase,
  createSession,
  createWorld,
  freePort,
  killHard,
  ownDatabase,
  type Receiver,
  recover,
  type ServerChild,
  seededRandom,
  startReceiver,
  startServerChild,
  submitCheckoutForm,
  testContext,
} from "../support/index.js";
import { sandboxChargeOfFirstAttempt, sandboxOf } from "../support/processors.js";

/**
 * Item 2 of issue #7: the real server (`glade start`, worker on) in a child process, SIGKILLed at random
 * moments while checkouts run through it, restarted on the same database, ITERATIONS times. Then recovery runs
 * and the books must balance: no charge without its records, no records without their charge, no
 * double charge, nothing stuck, every committed event delivered. The longer run is bench/crash-soak.ts.
 */
// Its reconciler runs with no staleness over every tenant: on the shared database it would settle other files'
// attempts in flight.
const ctx = await testContext({}, { databaseUrl: await ownDatabase() });
/** 20 kills in `npm test` (each kill is a server start: ~1.5 s); `CRASH_ITERATIONS` or bench/crash-soak.ts for more. */
const ITERATIONS = Number(process.env.CRASH_ITERATIONS ?? 20);
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);

let child: ServerChild | undefined;
let receiver: Receiver | undefined;
let world: CrashWorld | undefined;
let dropDatabase: (() => Promise<void>) | undefined;

afterAll(async () => {
  if (child) await killHard(child);
  await receiver?.close();
  await world?.handle.close();
  await dropDatabase?.();
});

describe("SIGKILL during checkouts", () => {
  it(`${ITERATIONS} kills at random points leave consistent books (seed ${SEED})`, async () => {
    const database = await createMigratedDatabase("glade_crash", inject("databaseUrl"));
    dropDatabase = database.drop;
    const port = await freePort();
    receiver = await startReceiver();
    child = await startServerChild(database.url, port);
    world = await createWorld(database.url, child.base, receiver);
    const rng = seededRandom(SEED);
    const waitingChallenges: string[] = [];
    let requestsSent = 0;
    let requestsCut = 0;

    for (let i = 0; i < ITERATIONS; i++) {
      const stats = await crashRound(world, child, rng, 30, waitingChallenges);
      requestsSent += stats.requestsSent;
      requestsCut += stats.requestsCut;
      child = await startServerChild(database.url, port);
    }
    // The last server runs its worker for a moment, as a restarted deployment would, then dies too.
    await new Promise((r) => setTimeout(r, 500));
    await killHard(child);
    child = undefined;

    const recovery = await recover(world);
    const result = await audit(world, receiver);
    const summary = { seed: SEED, requestsSent, requestsCut, ...recovery, ...result.summary };
    console.info(`crash run: ${JSON.stringify(summary)}`);

    expect(result.violations, JSON.stringify(summary)).toEqual([]);
    // The run did what it claims: traffic was cut off by the kills and checkouts completed between them.
    expect(requestsCut).toBeGreaterThan(0);
    // Kills come after a random share of each round's requests is answered, so this does not depend on the
    // machine's speed: about 20 paid checkouts in 20 rounds, quiet or under load.
    expect(result.summary.succeeded).toBeGreaterThanOrEqual(5);
    expect(result.summary.events).toBeGreaterThan(0);
    // The work is bounded by ITERATIONS; the clock only catches a hang. 50 server starts took 150–210 s alone on
    // this 2-core machine and over 240 s when another suite or a bench shared it: hence 20 here.
  }, 900_000);
});

/**
 * The windows a random kill hits only sometimes, reproduced exactly: the process died at a known line,
 * and the reconciler (what the restarted server runs) must leave the session somewhere the customer or
 * the books can move on from.
 */
describe("each crash window, reproduced in-process", () => {
  const _card = { number: "4242424242424242", expMonth: 12, expYear: 2034, cvc: "123" };

  async function pendingSession(priceField: "oneTimePriceId" | "monthlyPriceId" = "oneTimePriceId") {
    const f = await catalogFixture(ctx);
    const id = (
      await createSession(ctx, f.merchant.testKey, {
        type: "product",
        anonymous: true,
        priceId: f[priceField],
      })
    ).body.checkoutSession.id as string;
    // What beginAttempt committed before the process died: claimed, attempt 1, nothing else yet.
    await ctx.deps.db
      .update(checkoutSessions)
      .set({
        status: "pending",
        attempt: 1,
        customerEmail: "window@example.com",
        customerName: "Window",
        billingAddress: { name: "Window", email: "window@example.com", address: { country: "US" } },
        updatedAt: new Date(Date.now() - 10 * 60_000),
      })
      .where(eq(checkoutSessions.id, id));
    const row = async () =>
      (await ctx.deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, id)))[0];
    return { ctx, f, id, row };
  }

  it("died after the bank asked for a challenge, before the page learned of it: the customer can still answer", async () => {
    const { ctx, id, row } = await pendingSession();
    await sandboxChargeOfFirstAttempt(ctx, id, 1999, "4000002500003155");
    await reconcilePendingSessions(ctx.deps, { staleMs: 0 });

    const session = await row();
    // Either the challenge is reachable again, or the attempt was given up and the session reopened.
    if (session?.status === "pending") {
      expect(session.processorIntentId).not.toBeNull();
      const page = await ctx.api("GET", `/checkout/${id}/challenge`);
      expect(page.status).toBe(200);
      const answered = await ctx.api("POST", `/checkout/${id}/challenge`, {
        rawBody: "outcome=approve",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(answered.status).toBe(303);
      expect((await row())?.status).toBe("succeeded");
    } else {
      expect(session?.status).toBe("open");
      const paid = await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok });
      expect(paid.status).toBe(303);
    }
  });

  it("died after the customer approved the challenge, before fulfilment: fulfilled once", async () => {
    const { ctx, id, row } = await pendingSession("monthlyPriceId");
    const intent = await sandboxChargeOfFirstAttempt(ctx, id, 900, "4000002500003155");
    await ctx.deps.db
      .update(checkoutSessions)
      .set({ processorIntentId: intent.intentId })
      .where(eq(checkoutSessions.id, id));
    await sandboxOf(ctx).completeChallenge(intent.intentId, "approve");
    await reconcilePendingSessions(ctx.deps, { staleMs: 0 });
    await reconcilePendingSessions(ctx.deps, { staleMs: 0 });
    const session = await row();
    expect(session?.status).toBe("succeeded");
    expect(session?.subscriptionId).toMatch(/^sub_/);
    const paid = await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, id));
    expect(paid.map((p) => [p.status, p.processorIntentId])).toEqual([["succeeded", intent.intentId]]);
  });

  it("died after a decline, before it was recorded: the session reopens with the decline on record", async () => {
    const { ctx, id, row } = await pendingSession();
    const intent = await sandboxChargeOfFirstAttempt(ctx, id, 1999, "4000000000000002");
    await reconcilePendingSessions(ctx.deps, { staleMs: 0 });
    expect((await row())?.status).toBe("open");
    const failed = await ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, id));
    expect(failed.map((p) => [p.status, p.processorIntentId])).toEqual([["failed", intent.intentId]]);
    // And the customer can pay on the next attempt, with a new processor key.
    expect((await submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok })).status).toBe(303);
    const intents = await ctx.deps.db
      .select()
      .from(sandboxIntents)
      .where(like(sandboxIntents.idempotencyKey, `${id}:%`));
    expect(intents.map((i) => i.idempotencyKey).sort()).toEqual([`${id}:1`, `${id}:2`]);
    expect(
      await ctx.deps.db.select().from(purchases).where(eq(purchases.checkoutSessionId, id)),
    ).toHaveLength(1);
  });
});
