import { eq, type SQL, sql } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { sandboxIntents, sandboxPaymentMethods } from "../db/schema/index.js";
import { newId } from "../lib/ids.js";
import { cardDetails } from "./cards.js";
import type { CardInput, IntentResult, PaymentProcessor } from "./processor.js";

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

export function createSandboxProcessor(db: Executor): PaymentProcessor {
  // Intent and its card token in one round trip.
  async function loadWhere(condition: SQL): Promise<IntentResult | undefined> {
    const [row] = await db
      .select({ intent: sandboxIntents, method: sandboxPaymentMethods })
      .from(sandboxIntents)
      .leftJoin(sandboxPaymentMethods, eq(sandboxPaymentMethods.id, sandboxIntents.paymentMethodId))
      .where(condition);
    return row ? toResult(row.intent, row.method ?? undefined) : undefined;
  }
  const load = (intentId: string) => loadWhere(eq(sandboxIntents.id, intentId));
  const loadByKey = (idempotencyKey: string) => loadWhere(eq(sandboxIntents.idempotencyKey, idempotencyKey));

  return {
    name: "sandbox",

    async createIntent(input) {
      const replay = await loadByKey(input.idempotencyKey);
      if (replay) return replay;
      const behavior = TEST_CARDS[input.card.number] ?? "ok";
      const outcome = onSessionOutcome(behavior, input.kind);
      const details = cardDetails(input.card satisfies CardInput);
      const methodId = newId("processorMethod");
      const intentId = newId("processorIntent");
      // Declined cards are not tokenized: nothing reusable comes out of a decline.
      const tokenize = outcome.status !== "failed";
      const created = await db.transaction(async (tx) => {
        const [method] = tokenize
          ? await tx
              .insert(sandboxPaymentMethods)
              .values({ id: methodId, livemode: input.livemode, behavior, ...details })
              .returning()
          : [];
        const [intent] = await tx
          .insert(sandboxIntents)
          .values({
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
            metadata: input.metadata ?? null,
          })
          .onConflictDoNothing()
          .returning();
        return intent ? toResult(intent, method) : undefined;
      });
      if (created) return created;
      // A concurrent call with the same key won the insert: its intent is the one that counts.
      const stored = await loadByKey(input.idempotencyKey);
      if (!stored) throw new Error("sandbox intent vanished");
      return stored;
    },

    async completeChallenge(intentId, outcome) {
      // Only a pending challenge moves; a second answer returns the first outcome.
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
      if (!result) throw new Error(`unknown sandbox intent ${intentId}`);
      return result;
    },

    retrieveIntent: load,

    findIntentByIdempotencyKey: loadByKey,

    async chargeSavedMethod(input) {
      const replay = await loadByKey(input.idempotencyKey);
      if (replay) return replay;
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
      if (!stored) throw new Error("sandbox intent vanished");
      return stored;
    },

    async refund(input) {
      const [row] = await db
        .update(sandboxIntents)
        .set({
          refundedAmount: sql`least(${sandboxIntents.amount}, ${sandboxIntents.refundedAmount} + ${input.amount})`,
          updatedAt: new Date(),
        })
        .where(sql`${sandboxIntents.id} = ${input.intentId} and ${sandboxIntents.status} = 'succeeded'`)
        .returning({ refundedAmount: sandboxIntents.refundedAmount });
      if (!row) throw new Error(`sandbox intent ${input.intentId} cannot be refunded`);
      return { refundedAmount: row.refundedAmount };
    },
  };
}
