import { confirmCheckout } from "../../src/checkout/confirm.js";
import { startBare, startGlade } from "../lib/child.js";
import { type Comparison, compare, RunRejected, type Side } from "../lib/compare.js";
import {
  type BenchDatabase,
  createBareOpenRows,
  createOneSession,
  createOpenSessions,
} from "../lib/database.js";
import type { LoadSpec, RunMeasurement } from "../lib/load.js";
import type { BenchOptions } from "../lib/options.js";

const BUYER = { email: "buyer@example.com", name: "Bench Buyer", country: "US" };
const CARD = { number: "4242424242424242", expMonth: 12, expYear: 34, cvc: "123" };

/** What the hosted page's form posts for a successful test-card payment. */
export const CONFIRM_FORM = new URLSearchParams({
  ...BUYER,
  cardNumber: CARD.number,
  cardExpiry: `${CARD.expMonth}/${CARD.expYear}`,
  cardCvc: CARD.cvc,
}).toString();

/** Sessions per run before the first run has told us the real rate: above what either side reaches here. */
const FIRST_GUESS_RPS = 3000;
/** Head room over the previous run's consumption: a faster run must not run out of open sessions. */
const HEADROOM = 1.6;

/**
 * Every request confirms a distinct open session (a repeat would hit the cheap "already paid" path).
 * Each run gets a fresh pool sized from what the previous run consumed; running dry fails the run.
 */
function rotatingSide(
  label: string,
  options: BenchOptions,
  makePool: (count: number) => Promise<string[]>,
  start: Side["start"],
): Side {
  let pool: string[] = [];
  let next = 0;
  let lastSent = 0;
  return {
    label,
    prepare: async () => {
      const guess = FIRST_GUESS_RPS * (options.warmup + options.duration);
      pool = await makePool(Math.ceil(Math.max(2000, lastSent ? lastSent * HEADROOM : guess)));
      next = 0;
    },
    start,
    spec: (): LoadSpec => ({
      method: "POST",
      path: () => `/checkout/${pool[next++ % pool.length]}/confirm`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: CONFIRM_FORM,
      expectStatus: 303,
    }),
    check: (m: RunMeasurement) => {
      lastSent = Math.max(lastSent, m.sent, next);
      if (next > pool.length) throw new RunRejected(`${next} confirms for ${pool.length} open sessions`);
    },
  };
}

/** The reference harness copies its event payloads from a real paid checkout's events. */
async function completeOneCheckout(db: BenchDatabase): Promise<void> {
  const result = await confirmCheckout(db.deps, await createOneSession(db), { buyer: BUYER, card: CARD });
  if (result.kind !== "succeeded") throw new Error(`template checkout ended ${result.kind}`);
}

/**
 * POST /checkout/{id}/confirm against a bare 4-statement transaction, with Glade's own rows written as one
 * statement by a bare server as the reference: what the records cost apart from how Glade writes them.
 */
export async function benchComplete(
  db: BenchDatabase,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<Comparison> {
  await completeOneCheckout(db);
  return compare(
    db,
    {
      glade: rotatingSide(
        "glade",
        options,
        (n) => createOpenSessions(db, n),
        () => startGlade(db.url, { httpWorkers: options.gladeWorkers }),
      ),
      bare: rotatingSide(
        "bare",
        options,
        (n) => createBareOpenRows(db, n),
        () => startBare("complete", { DATABASE_URL: db.url }),
      ),
      reference: rotatingSide(
        "Glade's rows as one statement from node:http",
        options,
        (n) => createOpenSessions(db, n),
        () => startBare("complete-one-statement", { DATABASE_URL: db.url }),
      ),
    },
    options,
    log,
  );
}
