import { afterAll, describe, expect, inject, it } from "vitest";
import { reconcilePendingSessions } from "../../src/checkout/index.js";
import { startFakeStripe } from "../fixtures/fake-stripe/index.js";
import { auditStripeBooks } from "../support/crash-stripe-audit.js";
import {
  askForIntent,
  CARDS,
  type Card,
  comeBack,
  confirmAsStripeJs,
  type IntentAnswer,
  intentIdOf,
  redeliverEvents,
} from "../support/crash-stripe-buyer.js";
import {
  createStripeCrashWorld,
  type KillPlan,
  killDuring,
  type StripeCall,
  type StripeCrashWorld,
  startStripeChild,
  startStripeTap,
} from "../support/crash-stripe-world.js";
import {
  createCustomer,
  createMigratedDatabase,
  freePort,
  httpApi,
  killHard,
  openSession,
  type ServerChild,
  seededRandom,
  sessionRow,
} from "../support/index.js";

/**
 * SIGKILL on the Stripe path: the real server (`glade start`) in a child process, its Stripe the fake in
 * this process (which outlives every child), killed at random moments around the three ways a Stripe
 * payment reaches Glade, and restarted on the same port (so Stripe's webhook URL stays right). Then the
 * books must agree with Stripe: every succeeded intent paid for once, nothing paid that Stripe did not
 * take, nothing left pending, and no intent a page could still confirm for a session that is not paid.
 */
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
/** Each round stages (a), then kills during one of (a'), (b), (c) in turn: each three times. */
const ROUNDS = 9;

const fake = await startFakeStripe();
const tap = await startStripeTap(fake);
let child: ServerChild | undefined;
let world: StripeCrashWorld | undefined;
let dropDatabase: (() => Promise<void>) | undefined;

afterAll(async () => {
  if (child) await killHard(child);
  await world?.handle.close();
  await tap.close();
  await fake.close();
  await dropDatabase?.();
});

const pick = <T>(rng: () => number, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const isRetrieve = (intentId: string) => (c: StripeCall) =>
  c.method === "GET" && c.path.endsWith(`/${intentId}`);
const isCreate = (c: StripeCall) => c.method === "POST" && /^\/v1\/(payment|setup)_intents$/.test(c.path);
const isCustomerCreate = (c: StripeCall) => c.method === "POST" && c.path === "/v1/customers";
const confirmAtStripe = (intentId: string, card: Card) => confirmAsStripeJs(fake, intentId, card);

/** Stripe retries every event of the intent not answered 2xx (`duplicates`: all); each must be handled now. */
async function redeliver(intentId: string, duplicates: boolean) {
  expect(await redeliverEvents(fake, intentId, duplicates), "Stripe's retries").toEqual([]);
}

describe("SIGKILL on the Stripe path", () => {
  it(`kills around confirm, webhook and intent creation leave books that agree with Stripe (seed ${SEED})`, async () => {
    const database = await createMigratedDatabase("glade_crash_stripe", inject("databaseUrl"));
    dropDatabase = database.drop;
    const base = { databaseUrl: database.url, port: await freePort(), fake, tap };
    child = await startStripeChild(base);
    const w = await createStripeCrashWorld(base, child);
    world = w;
    const rng = seededRandom(SEED);
    const handedOut = new Set<string>();
    const kills: string[] = [];
    let deliveriesCut = 0;

    const restart = async () => {
      child = await startStripeChild(w);
    };
    const server = () => (child ?? expect.unreachable("no server running")).base;
    const reconcile = () => reconcilePendingSessions(w.deps, { staleMs: 0, limit: 1000 });
    const expectStatus = async (sessionId: string, status: string, why: string) =>
      expect((await sessionRow(w, sessionId)).status, `${sessionId}: ${why}`).toBe(status);

    /** `newCustomer`: a Glade customer of its own, who has no Stripe customer yet. */
    async function newSession(newCustomer = false) {
      const api = httpApi(server());
      const price = pick(rng, [w.prices.oneTime, w.prices.oneTime, w.prices.monthly, w.prices.trial]);
      const buyer = newCustomer
        ? {
            customerExternalId: (await createCustomer({ api }, w.key, `new-${Date.now()}-${rng()}`))
              .externalId,
          }
        : rng() < 0.5
          ? { customerExternalId: pick(rng, w.customers) }
          : { anonymous: true };
      const s = await openSession({ api }, w.key, {
        type: "product",
        priceId: price,
        ...buyer,
      });
      return s.checkoutSession.id;
    }

    /** A session whose intent the page got (the server is up): the secret is the page's from now on. */
    async function pageWithIntent(session?: string) {
      const id = session ?? (await newSession());
      const answer = await askForIntent(server(), id);
      if (answer === "cut" || !answer.clientSecret)
        throw new Error(`no intent for ${id}: ${JSON.stringify(answer)}`);
      const intentId = intentIdOf(answer.clientSecret);
      handedOut.add(intentId);
      return { id, intentId };
    }

    type Staged = { id: string; intentId: string; paid: boolean };
    type Subject = {
      action: () => Promise<unknown>;
      plan: KillPlan;
      label: string;
      afterRestart?: () => Promise<void>;
      after: () => Promise<void>;
    };

    // (a) Buyers who confirmed at Stripe and are on their way back when the server dies. After the
    // restart, any of the return, Stripe's webhook and the reconciler (in a random order) settles them.
    async function confirmedBeforeReturn(): Promise<Staged[]> {
      const staged: Staged[] = [];
      for (let n = 1 + Math.floor(rng() * 2); n > 0; n--) {
        const page = await pageWithIntent();
        staged.push({ ...page, paid: confirmAtStripe(page.intentId, pick(rng, CARDS)) === "succeeded" });
      }
      return staged;
    }

    async function settleStaged(staged: Staged[]) {
      for (const s of staged) {
        const paths = ["return", "webhook", "reconciler"]
          .sort(() => rng() - 0.5)
          .slice(0, 1 + Math.floor(rng() * 3));
        for (const path of paths) {
          if (path === "return") await comeBack(server(), s.id);
          else if (path === "webhook") await redeliver(s.intentId, true);
          else await reconcile();
        }
        await expectStatus(s.id, s.paid ? "succeeded" : "open", `settled by ${paths.join(", ")}`);
      }
    }

    // (a') One of them is back at the return page when the server dies.
    function returnInFlight(staged: Staged[]): Subject {
      const first = staged[0] ?? expect.unreachable("nothing staged");
      const base = server();
      const phase = pick(rng, ["request", "response"] as const);
      return {
        action: () => comeBack(base, first.id),
        plan: { rng, trigger: { phase, matches: isRetrieve(first.intentId) } },
        label: `a: return in flight, ${phase}`,
        after: async () => undefined,
      };
    }

    // (b) Stripe's webhook is being handled when the server dies; after the restart Stripe retries it.
    async function webhookInFlight(first: boolean): Promise<Subject> {
      const { id, intentId } = await pageWithIntent();
      const paid = confirmAtStripe(intentId, pick(rng, CARDS)) === "succeeded";
      const event = fake
        .events()
        .filter((e) => (e.data.object as { id?: string }).id === intentId)
        .at(-1);
      if (!event) throw new Error(`no event for ${intentId}`);
      // The first one dies the moment Glade asks Stripe for the intent: that delivery is always cut.
      const phase = first ? "request" : pick(rng, ["request", "response", "send"] as const);
      const plan: KillPlan =
        phase === "send"
          ? { rng }
          : { rng: first ? () => 0 : rng, trigger: { phase, matches: isRetrieve(intentId) } };
      return {
        action: async () => {
          if ((await fake.deliver(event.id)).status !== 200) deliveriesCut++;
        },
        plan,
        label: `b: ${event.type} delivery, ${phase}`,
        after: async () => {
          await redeliver(intentId, rng() < 0.3);
          if (rng() < 0.5) await comeBack(server(), id);
          await expectStatus(id, paid ? "succeeded" : "open", "after Stripe's retries");
        },
      };
    }

    // (c) The server dies between creating the intent at Stripe and the page receiving its secret.
    async function intentInFlight(first: boolean): Promise<Subject> {
      // The first one dies as the create reaches Stripe, before the server can read the answer: Stripe
      // makes an intent nobody will ever see. Others die around the intent's creation, or around the
      // creation of a new buyer's Stripe customer.
      const [what, matches] = first || rng() < 0.6 ? ["intent", isCreate] : ["customer", isCustomerCreate];
      const id = await newSession(what === "customer");
      const base = server();
      const phase = first ? "request" : pick(rng, ["request", "response"] as const);
      let answer: IntentAnswer = "cut";
      let secret: string | undefined;
      let paid = false;
      return {
        action: async () => {
          answer = await askForIntent(base, id);
        },
        plan: { rng: first ? () => 0 : rng, trigger: { phase, matches } },
        label: `c: ${what} creation, ${phase}`,
        // What the buyer does next, before anything else reaches the restarted server.
        afterRestart: async () => {
          secret = answer === "cut" ? undefined : answer.clientSecret;
          kills.push(`   (the page ${secret ? "got the secret" : "got nothing"})`);
          if (secret) {
            handedOut.add(intentIdOf(secret));
            const choice = rng();
            if (choice < 0.7) paid = confirmAtStripe(intentIdOf(secret), "pm_card_visa") === "succeeded";
            if (choice < 0.4) await comeBack(server(), id);
            return;
          }
          // Pay again: the attempt is still in flight until the reconciler gives it back.
          const again = await askForIntent(server(), id);
          expect(again, "a second Pay while the attempt is pending").toEqual({ redirect: `/checkout/${id}` });
        },
        after: async () => {
          await reconcile();
          await expectStatus(id, paid ? "succeeded" : "open", "after the reconciler");
          if (paid) return;
          // A page that got the secret can no longer pay with it: the intent was canceled. The next attempt pays.
          if (secret) expect(confirmAtStripe(intentIdOf(secret), "pm_card_visa")).toBe("refused");
          const retry = await pageWithIntent(id);
          expect(confirmAtStripe(retry.intentId, "pm_card_visa")).toBe("succeeded");
          expect(await comeBack(server(), id)).toMatch(/^https:\/\/merchant\.example\/thanks/);
        },
      };
    }

    for (let round = 0; round < ROUNDS; round++) {
      const staged = await confirmedBeforeReturn();
      const first = round < 3;
      const subject =
        round % 3 === 0
          ? returnInFlight(staged)
          : round % 3 === 1
            ? await webhookInFlight(first)
            : await intentInFlight(first);
      const live = child ?? expect.unreachable("no server");
      const { killedAt } = await killDuring(tap, live, subject.plan, subject.action);
      kills.push(`${subject.label} + ${killedAt}`);
      await restart();
      await subject.afterRestart?.();
      await settleStaged(staged);
      await subject.after();
    }
    await killHard(child ?? expect.unreachable("no server"));
    child = undefined;
    await reconcile();
    const result = await auditStripeBooks(w, handedOut);
    const summary = { seed: SEED, kills: ROUNDS, deliveriesCut, ...result.summary };
    console.info(`stripe crash run: ${JSON.stringify(summary)}\n  ${kills.join("\n  ")}`);

    expect(result.violations, JSON.stringify(summary)).toEqual([]);
    // The run did what it claims: a delivery was cut, an intent was made that nobody ever saw, sales happened.
    expect(deliveriesCut).toBeGreaterThan(0);
    expect(result.summary.orphanIntents).toBeGreaterThan(0);
    expect(result.summary.succeeded).toBeGreaterThanOrEqual(1);
  }, 240_000);
});
