import { eq, sql } from "drizzle-orm";
import type { CardInput, IntentResult, PaymentProcessor } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { sandboxIntents, sandboxPaymentMethods } from "../db/schema/index.js";
import { param, rawStatement, statement } from "../db/statement.js";
import { panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { cardDetails } from "./cards.js";

/**
 * Test cards, after Stripe's. Behaviour is decided by the number at tokenization and remembered on the
 * token (never the number itself), so a saved card keeps acting the same way off-session.
 */
type Behavior =
  | "ok"
  | "decline"
  | "insufficient_funds"
  | "expired_card"
  | "incorrect_cvc"
  | "processing_error"
  | "challenge"
  | "always_challenge"
  | "fail_on_charge";

const TEST_CARDS: Record<string, Behavior> = {
  "4000000000000002": "decline",
  "4000000000009995": "insufficient_funds",
  "4000000000000069": "expired_card",
  "4000000000000127": "incorrect_cvc",
  "4000000000000119": "processing_error",
  "4000002500003155": "challenge",
  "4000002760003184": "always_challenge",
  "4000000000003220": "challenge",
  "4000000000000341": "fail_on_charge",
};

const DECLINES: Partial<Record<Behavior, { code: string; message: string }>> = {
  decline: { code: "card_declined", message: "Your card was declined." },
  insufficient_funds: { code: "insufficient_funds", message: "Your card has insufficient funds." },
  expired_card: { code: "expired_card", message: "Your card has expired." },
  incorrect_cvc: { code: "incorrect_cvc", message: "Your card's security code is incorrect." },
  processing_error: {
    code: "processing_error",
    message: "An error occurred while processing your card. Try again.",
  },
  fail_on_charge: { code: "card_declined", message: "Your card was declined." },
};

type IntentRow = typeof sandboxIntents.$inferSelect;
type MethodRow = typeof sandboxPaymentMethods.$inferSelect;

function toResult(intent: IntentRow, method: MethodRow | undefined): IntentResult {
  const result: IntentResult = {
    processor: "sandbox",
    intentId: intent.id,
    kind: intent.kind,
    status: intent.status,
    amount: intent.amount,
    currency: intent.currency,
  };
  if (method) {
    result.paymentMethod = {
      processorMethodId: method.id,
      card: { brand: method.brand, last4: method.last4, expMonth: method.expMonth, expYear: method.expYear },
    };
  }
  if (intent.declineCode)
    result.failure = { code: intent.declineCode, message: intent.declineMessage ?? "Declined" };
  return result;
}

/** Outcome of an on-session attempt with a freshly entered card. */
function onSessionOutcome(
  behavior: Behavior,
  kind: "payment" | "setup",
): { status: IntentRow["status"]; decline?: { code: string; message: string } } {
  if (behavior === "challenge" || behavior === "always_challenge") return { status: "requires_action" };
  // A card that "attaches but fails on charge" can be saved; only charging it fails.
  if (behavior === "fail_on_charge" && kind === "setup") return { status: "succeeded" };
  const decline = DECLINES[behavior];
  return decline ? { status: "failed", decline } : { status: "succeeded" };
}

/** Outcome of an off-session charge of a saved card. */
function offSessionOutcome(behavior: string): {
  status: IntentRow["status"];
  decline?: { code: string; message: string };
} {
  if (behavior === "always_challenge") {
    return {
      status: "failed",
      decline: { code: "authentication_required", message: "This card requires authentication." },
    };
  }
  const decline = DECLINES[behavior as Behavior];
  return decline ? { status: "failed", decline } : { status: "succeeded" };
}

/** An intent and its card token in one round trip, found by one of its unique columns. */
const intentWhere = (name: string, column: typeof sandboxIntents.id | typeof sandboxIntents.idempotencyKey) =>
  statement(name, (db) =>
    db
      .select({ intent: sandboxIntents, method: sandboxPaymentMethods })
      .from(sandboxIntents)
      .leftJoin(sandboxPaymentMethods, eq(sandboxPaymentMethods.id, sandboxIntents.paymentMethodId))
      .where(eq(column, param("value"))),
  );
const intentById = intentWhere("sandbox_intent_by_id", sandboxIntents.id);
const intentByKey = intentWhere("sandbox_intent_by_key", sandboxIntents.idempotencyKey);
/**
 * The card token and the intent in one statement. A replayed key inserts no intent (its first one stands)
 * and leaves at most an unused token behind; no row points at it.
 */
const insertIntentWithMethod = rawStatement<{ created: boolean }>(
  "insert_sandbox_intent",
  sql`
    with method as (
      insert into sandbox_payment_methods (id, livemode, brand, last4, exp_month, exp_year, behavior, created_at)
      select ${param("paymentMethodId")}::text, ${param("livemode")}::boolean, ${param("brand")}::text,
        ${param("last4")}::text, ${param("expMonth")}::int, ${param("expYear")}::int, ${param("behavior")}::text,
        ${param("now")}::timestamptz
      where ${param("tokenize")}::boolean
      returning id
    ), intent as (
      insert into sandbox_intents (id, kind, livemode, idempotency_key, amount, currency, status,
        payment_method_id, decline_code, decline_message, metadata, created_at, updated_at)
      values (${param("id")}, ${param("kind")}, ${param("livemode")}, ${param("idempotencyKey")}, ${param("amount")},
        ${param("currency")}, ${param("status")}, ${param("paymentMethodId")}, ${param("declineCode")},
        ${param("declineMessage")}, ${param("metadata")}::jsonb, ${param("now")}::timestamptz, ${param("now")}::timestamptz)
      on conflict do nothing
      returning id
    )
    select exists (select 1 from intent) as created, (select count(*) from method) as methods`,
);

export function createSandboxProcessor(db: Executor): PaymentProcessor {
  const loadWith = async (find: typeof intentById, value: string) => {
    const [row] = await find(db, { value });
    return row ? toResult(row.intent, row.method ?? undefined) : undefined;
  };
  const load = (intentId: string) => loadWith(intentById, intentId);
  const loadByKey = (idempotencyKey: string) => loadWith(intentByKey, idempotencyKey);

  return {
    name: "sandbox",
    collection: { kind: "server" },

    async createIntent(input) {
      const card: CardInput = input.card ?? panic("the sandbox takes the card on the server");
      const behavior = TEST_CARDS[card.number] ?? "ok";
      const outcome = onSessionOutcome(behavior, input.kind);
      const details = cardDetails(card);
      const methodId = newId("processorMethod");
      const intentId = newId("processorIntent");
      // Declined cards are not tokenized: nothing reusable comes out of a decline.
      const tokenize = outcome.status !== "failed";
      // The sandbox stands in for an external processor, which keeps its own clock, not Glade's.
      const now = new Date();
      const intent: IntentRow = {
        id: intentId,
        kind: input.kind,
        livemode: input.livemode,
        idempotencyKey: input.idempotencyKey,
        amount: input.kind === "setup" ? 0 : input.amount,
        currency: input.currency,
        status: outcome.status,
        paymentMethodId: tokenize ? methodId : null,
        declineCode: outcome.decline?.code ?? null,
        declineMessage: outcome.decline?.message ?? null,
        refundedAmount: 0,
        metadata: input.metadata ?? null,
        createdAt: now,
        updatedAt: now,
      };
      const method: MethodRow = {
        id: methodId,
        livemode: input.livemode,
        behavior,
        ...details,
        createdAt: now,
      };
      const [inserted] = await insertIntentWithMethod(db, {
        ...intent,
        metadata: intent.metadata ? JSON.stringify(intent.metadata) : null,
        now: now.toISOString(),
        tokenize,
        brand: method.brand,
        last4: method.last4,
        expMonth: method.expMonth,
        expYear: method.expYear,
        behavior,
      });
      const created = inserted?.created ? toResult(intent, tokenize ? method : undefined) : undefined;
      if (created) return created;
      // A concurrent call with the same key won the insert: its intent is the one that counts.
      const stored = await loadByKey(input.idempotencyKey);
      if (!stored) panic("sandbox intent vanished");
      return stored;
    },

    async completeChallenge(intentId, outcome) {
      // Only a pending challenge moves; a second answer returns the first outcome. The processor's own
      // clock stamps it (an external system's, not Glade's).
      await db
        .update(sandboxIntents)
        .set(
          outcome === "approve"
            ? { status: "succeeded", updatedAt: new Date() }
            : {
                status: "failed",
                declineCode: "authentication_failed",
                declineMessage: "Authentication with your bank failed.",
                updatedAt: new Date(),
              },
        )
        .where(sql`${sandboxIntents.id} = ${intentId} and ${sandboxIntents.status} = 'requires_action'`);
      const result = await load(intentId);
      if (!result) panic(`unknown sandbox intent ${intentId}`);
      return result;
    },

    retrieveIntent: load,

    async cancelIntent(intentId) {
      // Only a challenge still waiting can be ended; every other sandbox intent is already final.
      await db
        .update(sandboxIntents)
        .set({ status: "canceled", updatedAt: new Date() })
        .where(sql`${sandboxIntents.id} = ${intentId} and ${sandboxIntents.status} = 'requires_action'`);
      const result = await load(intentId);
      if (!result) panic(`unknown sandbox intent ${intentId}`);
      return result;
    },

    findIntentByIdempotencyKey: loadByKey,

    async chargeSavedMethod(input) {
      const [method] = await db
        .select()
        .from(sandboxPaymentMethods)
        .where(eq(sandboxPaymentMethods.id, input.processorMethodId));
      const outcome = method
        ? offSessionOutcome(method.behavior)
        : {
            status: "failed" as const,
            decline: { code: "payment_method_missing", message: "Saved card not found." },
          };
      await db
        .insert(sandboxIntents)
        .values({
          id: newId("processorIntent"),
          kind: "payment",
          livemode: input.livemode,
          idempotencyKey: input.idempotencyKey,
          amount: input.amount,
          currency: input.currency,
          status: outcome.status,
          paymentMethodId: method ? method.id : null,
          declineCode: outcome.decline?.code ?? null,
          declineMessage: outcome.decline?.message ?? null,
          metadata: input.metadata ?? null,
        })
        .onConflictDoNothing();
      const stored = await loadByKey(input.idempotencyKey);
      if (!stored) panic("sandbox intent vanished");
      return stored;
    },

    async refund(input) {
      const [row] = await db
        .update(sandboxIntents)
        .set({
          refundedAmount: sql`least(${sandboxIntents.amount}, ${sandboxIntents.refundedAmount} + ${input.amount})`,
          // The processor's own clock, as an external system's would be.
          updatedAt: new Date(),
        })
        .where(sql`${sandboxIntents.id} = ${input.intentId} and ${sandboxIntents.status} = 'succeeded'`)
        .returning({ refundedAmount: sandboxIntents.refundedAmount });
      if (!row) panic(`sandbox intent ${input.intentId} cannot be refunded`);
      return { refundedAmount: row.refundedAmount };
    },
  };
}
