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

/** The bare harnesses that write Glade's rows copy their event payloads from a real paid checkout's events. */
async function completeOneCheckout(db: BenchDatabase): Promise<void> {
  const result = await confirmCheckout(db.deps, await createOneSession(db), { buyer: BUYER, card: CARD });
  if (result.kind !== "succeeded") throw new Error(`template checkout ended ${result.kind}`);
}

/** The reference until issue #18, kept for the history of the ratio: a bare 4-statement transaction. */
const FOUR_STATEMENTS_LABEL = "node:http + BEGIN; 4 statements; COMMIT";
/** What Glade's records cost with no crash-safety protocol at all: all of them in one statement, one commit. */
const ONE_STATEMENT_LABEL = "Glade's rows as one statement from node:http, 1 commit, no protocol";

/**
 * POST /checkout/{id}/confirm against Glade's own durable protocol done by a bare node:http server (the
 * claim, the processor's record, one guarded settling statement: Glade's rows in Glade's three commits), so
 * the ratio is what Glade's code costs, not the crash safety it chose (issue #18). The 4-statement
 * transaction and the one-statement write run in the same rounds, for the history of the ratio.
 */
export async function benchComplete(
  db: BenchDatabase,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<Comparison> {
  await completeOneCheckout(db);
  const gladeRows = (n: number) => createOpenSessions(db, n);
  return compare(
    db,
    {
      glade: rotatingSide("glade", options, gladeRows, () =>
        startGlade(db.url, { httpWorkers: options.gladeWorkers }),
      ),
      bare: rotatingSide("bare (same protocol)", options, gladeRows, () =>
        startBare("complete-same-protocol", { DATABASE_URL: db.url }),
      ),
      references: [
        rotatingSide(
          FOUR_STATEMENTS_LABEL,
          options,
          (n) => createBareOpenRows(db, n),
          () => startBare("complete", { DATABASE_URL: db.url }),
        ),
        rotatingSide(ONE_STATEMENT_LABEL, options, gladeRows, () =>
          startBare("complete-one-statement", { DATABASE_URL: db.url }),
        ),
      ],
    },
    options,
    log,
  );
}
