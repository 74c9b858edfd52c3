import { sql } from "drizzle-orm";
import type { AppDeps, IntentResult } from "../context/index.js";
import { countInvoiceSql } from "../customers/index.js";
import { guardedWrites } from "../db/planned-rows.js";
import { checkoutSessions } from "../db/schema/index.js";
import { param } from "../db/statement.js";
import { uniqueViolationConstraint } from "../db/unique-violation.js";
import { eventsWithDeliveriesSql, inCausalOrder, planEvent } from "../webhooks/index.js";
import type { ClaimedBuyer } from "./attempt.js";
import type { ChargePlan } from "./charge-plan.js";
import { sessionSucceededEvent, succeededSession } from "./fulfill.js";
import { planFulfilment } from "./plan-fulfilment.js";
import type { CheckoutSessionRow } from "./serialize.js";

/**
 * The claimed attempt's pending → succeeded move, only while the session is exactly as its claim left it:
 * same attempt, still pending, not touched since (`updated_at` is set by every change to a session).
 */
const claimedAttemptSucceeds = sql`update ${checkoutSessions} set status = 'succeeded', last_error = null,
    processor_intent_id = ${param("processorIntentId")}, customer_id = ${param("customerId")},
    customer_email = ${param("customerEmail")}, customer_name = ${param("customerName")},
    purchase_id = ${param("purchaseId")}, subscription_id = ${param("subscriptionId")},
    invoice_id = ${param("invoiceId")},
    payment_id = ${param("paymentId")}, payment_method_id = ${param("paymentMethodId")},
    completed_at = ${param("now")}::timestamptz, updated_at = ${param("now")}::timestamptz
  where id = ${param("id")} and status = 'pending' and attempt = ${param("attempt")}::int
    and updated_at = ${param("claimedAt")}::timestamptz
  returning id`;

const writeCheckout = guardedWrites("fulfil_checkout", claimedAttemptSucceeds, (guard) =>
  eventsWithDeliveriesSql(param("events"), guard),
);
const writeCheckoutNumberingInvoice = guardedWrites(
  "fulfil_checkout_numbering_invoice",
  claimedAttemptSucceeds,
  (guard) => sql`numbered as (${countInvoiceSql(guard)}), ${eventsWithDeliveriesSql(param("events"), guard)}`,
);

/**
 * Whether `fulfilInOneStatement` can settle this attempt: a product session whose charge went through, for
 * a one-time price or a subscription paid from its first day, or whose card was saved for a subscription's
 * trial; bought by a guest, or by the session's known customer as the claim read them. Everything else
 * (free orders, setup sessions, a known customer's settlement that did not come with the claim's reading,
 * such as a challenge answer or the reconciler) is settled by `fulfilSession`.
 */
export function fitsOneStatement(
  session: CheckoutSessionRow,
  plan: ChargePlan,
  intent: IntentResult,
  buyer: ClaimedBuyer | null = null,
): boolean {
  const buyerKnown =
    session.customerId === null
      ? session.customerEmail !== null
      : buyer?.id === session.customerId && buyer.invoiceNumberBase !== null;
  const type = plan.price?.type;
  const paidToday =
    plan.mode === "payment" &&
    plan.trialDays === 0 &&
    (type === "single_payment" || type === "subscription") &&
    intent.kind === "payment" &&
    intent.amount > 0;
  const trialStarted =
    plan.mode === "setup" && plan.trialDays > 0 && type === "subscription" && intent.kind === "setup";
  return (
    buyerKnown &&
    session.type === "product" &&
    session.status === "pending" &&
    (paidToday || trialStarted) &&
    intent.status === "succeeded" &&
    intent.paymentMethod !== undefined
  );
}

/**
 * Settles a successful product checkout in ONE statement: the session's `succeeded` for the attempt that
 * was claimed, and every record that implies (`planFulfilment`) with their events and webhook deliveries,
 * written only if the session is still as the claim left it. A statement is its own transaction, so all of
 * it is stored or none. Returns undefined when nothing was written: the session had moved on (a second tab,
 * the reconciler), or what was read with the claim had (another invoice numbered for the customer, a first
 * card saved meanwhile: a unique index refuses the row). `fulfilSession` then settles it under the row lock.
 */
export async function fulfilInOneStatement(
  deps: AppDeps,
  session: CheckoutSessionRow,
  plan: ChargePlan,
  intent: IntentResult,
  claimedBuyer: ClaimedBuyer | null = null,
): Promise<CheckoutSessionRow | undefined> {
  if (!fitsOneStatement(session, plan, intent, claimedBuyer)) return undefined;
  const now = deps.now();
  const fulfilment = planFulfilment(deps, session, plan, intent, claimedBuyer, now);
  if (!fulfilment) return undefined;
  const { plans, changes } = fulfilment;
  const succeeded = succeededSession(session, changes, now);
  const events = inCausalOrder(
    [...plans.flatMap((p) => p.events), sessionSucceededEvent(succeeded)].map((event) =>
      planEvent(event, now),
    ),
  );
  const write = fulfilment.numbersKnownCustomerInvoice ? writeCheckoutNumberingInvoice : writeCheckout;
  try {
    const written = await write(
      deps.db,
      plans.flatMap((p) => p.writes),
      {
        ...changes,
        id: session.id,
        attempt: session.attempt,
        claimedAt: session.updatedAt.toISOString(),
        now: now.toISOString(),
        events: JSON.stringify(events),
        organizationId: session.organizationId,
        livemode: session.livemode,
      },
    );
    return written ? succeeded : undefined;
  } catch (err) {
    // A number or a default card taken since the claim: the statement was rolled back whole.
    const constraint = uniqueViolationConstraint(err);
    if (constraint === undefined) throw err;
    deps.logger.info(
      { sessionId: session.id, constraint },
      "one-statement fulfilment refused by a unique index; settling under the row lock",
    );
    return undefined;
  }
}
