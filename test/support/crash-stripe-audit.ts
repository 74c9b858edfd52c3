import { sql } from "drizzle-orm";
import type Stripe from "stripe";
import { queryRows } from "../../src/db/raw.js";
import type { StripeCrashWorld } from "./crash-stripe-world.js";

/**
 * The books after the Stripe crash suite, checked against what the fake Stripe holds. Every intent Stripe
 * made for Glade is known from the tap (the create calls' answers, including those whose answer the killed
 * child never read), so nothing Stripe did is out of sight.
 */

const CONFIRMABLE = new Set(["requires_payment_method", "requires_confirmation", "requires_action"]);
const KEPT = new Set(["succeeded", "refunded"]);

type SessionRow = {
  id: string;
  status: string;
  type: string;
  processor_intent_id: string | null;
  payment_method_id: string | null;
  customer_id: string | null;
  purchases: number;
  succeeded_events: number;
  succeeded_payments: number;
};
type PaymentRow = {
  id: string;
  status: string;
  amount: number;
  processor: string;
  processor_intent_id: string;
  checkout_session_id: string | null;
};

export type StripeAudit = { violations: string[]; summary: Record<string, number> };

/** Every intent the child created at Stripe, as Stripe holds it now. */
export function createdIntents(world: Pick<StripeCrashWorld, "tap" | "fake">) {
  const ids = new Set(
    world.tap.calls
      .filter((c) => c.method === "POST" && /^\/v1\/(payment|setup)_intents$/.test(c.path) && c.objectId)
      .map((c) => c.objectId as string),
  );
  return [...ids].map((id) => {
    const intent = world.fake.intent(id);
    if (!intent) throw new Error(`the tap saw Stripe make ${id}, which the fake does not have`);
    return intent;
  });
}

/**
 * `handedOut`: the intents whose client secret reached the buyer's page. An intent that can still be
 * confirmed is allowed only if nobody can: Glade never stored it and no page ever got its secret (the
 * child died between Stripe's answer and storing the id, the window docs/design/processors.md accepts).
 */
export async function auditStripeBooks(
  world: StripeCrashWorld,
  handedOut: Set<string>,
): Promise<StripeAudit> {
  const org = world.organizationId;
  const violations: string[] = [];
  const flag = (what: string, detail: unknown) => violations.push(`${what}: ${JSON.stringify(detail)}`);
  const sessions = await queryRows<SessionRow>(
    world.deps.db,
    sql`select cs.id, cs.status, cs.type, cs.processor_intent_id, cs.payment_method_id, cs.customer_id,
          (select count(*)::int from purchases pu where pu.checkout_session_id = cs.id) as purchases,
          (select count(*)::int from events e where e.organization_id = cs.organization_id
             and e.type = 'checkout_session.succeeded' and e.object_id = cs.id) as succeeded_events,
          (select count(*)::int from payments p where p.checkout_session_id = cs.id
             and p.status = 'succeeded') as succeeded_payments
        from checkout_sessions cs where cs.organization_id = ${org}`,
  );
  const payments = await queryRows<PaymentRow>(
    world.deps.db,
    sql`select id, status, amount::int as amount, processor, processor_intent_id, checkout_session_id
        from payments where organization_id = ${org}`,
  );
  const [methods] = await queryRows<{ stripe: number; other: number }>(
    world.deps.db,
    sql`select count(*) filter (where processor = 'stripe')::int as stripe,
          count(*) filter (where processor <> 'stripe')::int as other
        from payment_methods where organization_id = ${org}`,
  );
  const sessionById = new Map(sessions.map((s) => [s.id, s]));
  const known = new Set([
    ...sessions.flatMap((s) => (s.processor_intent_id ? [s.processor_intent_id] : [])),
    ...payments.map((p) => p.processor_intent_id),
  ]);

  const intents = createdIntents(world);
  let orphans = 0;
  for (const intent of intents) {
    const sessionId = intent.metadata?.checkoutSessionId ?? "";
    const session = sessionById.get(sessionId);
    if (!session) {
      flag("intent for no session of the merchant", { intent: intent.id, sessionId });
      continue;
    }
    if (intent.status === "succeeded") {
      if (session.status !== "succeeded")
        flag("intent succeeded, session did not", { intent: intent.id, session });
      if (intent.object === "payment_intent") {
        const recorded = payments.filter((p) => p.processor_intent_id === intent.id);
        const amount = (intent as Stripe.PaymentIntent).amount;
        if (recorded.length !== 1 || !KEPT.has(recorded[0]?.status ?? "") || recorded[0]?.amount !== amount) {
          flag("succeeded PaymentIntent without exactly one kept payment for its amount", {
            intent: intent.id,
            amount,
            recorded,
          });
        }
      } else if (!session.payment_method_id) {
        flag("succeeded SetupIntent, no card saved on its session", { intent: intent.id, session });
      }
    }
    if (CONFIRMABLE.has(intent.status)) {
      if (known.has(intent.id)) flag("confirmable intent Glade knows of", { intent: intent.id, session });
      else if (handedOut.has(intent.id))
        flag("confirmable intent whose secret a page got", { intent: intent.id });
      else orphans++;
    }
  }

  // A crash between making the buyer's Stripe customer and remembering it must not make a second one.
  const stripeCustomers = new Map<string, Set<string>>();
  for (const intent of intents) {
    const customerId = sessionById.get(intent.metadata?.checkoutSessionId ?? "")?.customer_id;
    if (!customerId || typeof intent.customer !== "string") continue;
    stripeCustomers.set(customerId, (stripeCustomers.get(customerId) ?? new Set()).add(intent.customer));
  }
  for (const [customerId, ids] of stripeCustomers) {
    if (ids.size > 1)
      flag("Glade customer with more than one Stripe customer", { customerId, ids: [...ids] });
  }

  const intentStatus = new Map(intents.map((i) => [i.id, i.status]));
  for (const p of payments) {
    if (p.processor !== "stripe") flag("payment not made with Stripe", p);
    else if (KEPT.has(p.status) && intentStatus.get(p.processor_intent_id) !== "succeeded") {
      flag("payment without a succeeded intent", {
        payment: p,
        intent: intentStatus.get(p.processor_intent_id),
      });
    }
  }
  for (const s of sessions) {
    if (s.status === "pending") flag("session stuck in pending", s);
    if (s.status === "succeeded") {
      if (s.succeeded_events !== 1) flag("succeeded session without exactly one success event", s);
      if (s.type === "product" && s.purchases !== 1)
        flag("succeeded session without exactly one purchase", s);
      if (s.succeeded_payments > 1) flag("session paid more than once", s);
    } else if (s.succeeded_events + s.purchases + s.succeeded_payments > 0) {
      flag("unsucceeded session with a sale on its books", s);
    }
  }
  if ((methods?.other ?? 0) > 0) flag("card saved with another processor", methods);

  const count = (rows: { status: string }[], status: string) =>
    rows.filter((r) => r.status === status).length;
  return {
    violations,
    summary: {
      sessions: sessions.length,
      succeeded: count(sessions, "succeeded"),
      open: count(sessions, "open"),
      intents: intents.length,
      succeededIntents: intents.filter((i) => i.status === "succeeded").length,
      canceledIntents: intents.filter((i) => i.status === "canceled").length,
      orphanIntents: orphans,
      payments: count(payments, "succeeded"),
      failedPayments: count(payments, "failed"),
      stripeCards: methods?.stripe ?? 0,
    },
  };
}
