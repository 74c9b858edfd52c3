import { sql } from "drizzle-orm";
import type { AppDeps, IntentResult } from "../context/index.js";
import { countInvoiceSql } from "../customers/index.js";
import { guardedWrites } from "../db/planned-rows.js";
import { param } from "../db/statement.js";
import { uniqueViolationConstraint } from "../db/unique-violation.js";
import { panic } from "../lib/errors.js";
import { eventsWithDeliveriesSql, inCausalOrder, planEvent } from "../webhooks/index.js";
import type { ChargePlan } from "./charge-plan.js";
import { refundIfDuplicateCharge } from "./duplicate-charge.js";
import { planFulfilment } from "./plan-fulfilment.js";
import type { CheckoutSessionRow } from "./serialize.js";
import { readSession, type SessionReading } from "./session-reading.js";
import {
  sessionSucceededEvent,
  sessionSucceedsSql,
  succeededSession,
  succeedsValues,
} from "./session-succeeds.js";

const writeCheckout = guardedWrites("settle_checkout", sessionSucceedsSql, (guard) =>
  eventsWithDeliveriesSql(param("events"), guard),
);
const writeCheckoutCountingInvoice = guardedWrites(
  "settle_checkout_counting_invoice",
  sessionSucceedsSql,
  (guard) => sql`counted as (${countInvoiceSql(guard)}), ${eventsWithDeliveriesSql(param("events"), guard)}`,
);

/**
 * The unique indexes a stale reading of the buyer breaks: another invoice took the predicted number, a first
 * card became the default meanwhile, a new guest drew an invoice number base (or, rarer still, an external
 * id) another customer holds. Any other violation is a bug, and is not retried.
 */
const STALE_READING = new Set([
  "invoices_number_per_org",
  "payment_methods_one_default_per_customer",
  "customers_invoice_number_base",
  "customers_external_id",
]);

/**
 * Writes a product checkout's success as ONE statement: the session's `succeeded`, guarded on the session
 * being exactly as `reading` saw it, and every record that implies (`planFulfilment`) with their events and
 * webhook deliveries. A statement is its own transaction: all of it is stored or none. Undefined when
 * nothing was written: the session had moved on, or what was read of the buyer had (another invoice
 * numbered for them, a first card saved meanwhile, or a new guest's invoice number base taken: a unique
 * index refuses the row and the statement rolls back whole).
 */
async function writeSettlement(
  deps: AppDeps,
  reading: SessionReading,
  plan: ChargePlan,
  intent: IntentResult | undefined,
): Promise<CheckoutSessionRow | undefined> {
  const now = deps.now();
  const { plans, changes, countsKnownCustomerInvoice } = planFulfilment(reading, plan, intent, now);
  const { session } = reading;
  const succeeded = succeededSession(session, changes, now);
  const events = inCausalOrder(
    [...plans.flatMap((p) => p.events), sessionSucceededEvent(succeeded)].map((event) =>
      planEvent(event, now),
    ),
  );
  const write = countsKnownCustomerInvoice ? writeCheckoutCountingInvoice : writeCheckout;
  try {
    const written = await write(
      deps.db,
      plans.flatMap((p) => p.writes),
      {
        ...succeedsValues(reading, changes, now),
        events: JSON.stringify(events),
        organizationId: session.organizationId,
        livemode: session.livemode,
      },
    );
    return written ? succeeded : undefined;
  } catch (err) {
    const constraint = uniqueViolationConstraint(err);
    if (constraint === undefined || !STALE_READING.has(constraint)) throw err;
    deps.logger.info(
      { sessionId: session.id, constraint },
      "settlement refused by a unique index; reading again",
    );
    return undefined;
  }
}

/**
 * A bound for a bug, not for contention: a settlement is refused only when another writer changed the
 * session or took what was read of its buyer, so every refusal is someone else's progress.
 */
const MAX_SETTLEMENT_ROUNDS = 100;

/**
 * Settles a product checkout the processor has answered for (or, with no `intent`, a free order): the only
 * writer of a product checkout's records. It writes from `reading` (the claim's, on the hosted page's fast
 * path), and each time the guard finds the session or its buyer changed it reads them again and retries.
 * A charge that succeeded is always honoured, even if its attempt was given up meanwhile (a second tab, the
 * reconciler): the customer has paid, so the session is fulfilled, unless another charge already paid it,
 * in which case this one is refunded. Without a charge only the attempt `attempt` may complete the session.
 * Replays change nothing.
 */
export async function settleProductCheckout(
  deps: AppDeps,
  initial: SessionReading | string,
  plan: ChargePlan,
  intent: IntentResult | undefined,
  attempt: number,
): Promise<CheckoutSessionRow> {
  let reading = typeof initial === "string" ? await readSession(deps.db, initial) : initial;
  for (let round = 1; ; round++) {
    const { session } = reading;
    if (session.status === "succeeded") {
      await refundIfDuplicateCharge(deps, session, intent);
      return session;
    }
    if (!intent && (session.status !== "pending" || session.attempt !== attempt)) return session;
    const settled = await writeSettlement(deps, reading, plan, intent);
    if (settled) return settled;
    if (round === MAX_SETTLEMENT_ROUNDS) panic(`session ${session.id} not settled after ${round} rounds`);
    reading = await readSession(deps.db, session.id);
  }
}
