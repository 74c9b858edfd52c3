import { eq } from "drizzle-orm";
import type { AppDeps, IntentResult } from "../context/index.js";
import { checkoutSessions } from "../db/schema/index.js";
import { param, params, statement } from "../db/statement.js";
import { settleAtCommit } from "../db/transaction.js";
import { notFound, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { savePaymentMethod } from "../payments/index.js";
import { type EmitEventInput, emitEvent, eventAbout, transactionWithEvents } from "../webhooks/index.js";
import { lockSession } from "./attempt.js";
import { type ChargePlan, sessionMerchant } from "./charge-plan.js";
import { type FulfilmentIds, fulfilProduct, sessionCustomer } from "./fulfill-product.js";
import { fulfilActivation, fulfilAddPaymentMethod } from "./fulfill-setup.js";
import { type CheckoutSessionRow, serializeCheckoutSession } from "./serialize.js";

const SUCCEEDED_COLUMNS = [
  "processorIntentId",
  "customerId",
  "customerEmail",
  "customerName",
  "purchaseId",
  "subscriptionId",
  "invoiceId",
  "paymentId",
  "paymentMethodId",
] as const;
export type SucceededChanges = Pick<CheckoutSessionRow, (typeof SUCCEEDED_COLUMNS)[number]>;
/**
 * What every successful session is set to besides its records and the time: one value for the update and
 * for the row derived from it, so the two cannot drift apart.
 */
const SUCCEEDED_STATE = { status: "succeeded", lastError: null } as const;

export function succeededSession(
  session: CheckoutSessionRow,
  changes: SucceededChanges,
  now: Date,
): CheckoutSessionRow {
  return { ...session, ...changes, ...SUCCEEDED_STATE, completedAt: now, updatedAt: now };
}

export function sessionSucceededEvent(succeeded: CheckoutSessionRow): EmitEventInput {
  return eventAbout(
    succeeded,
    "checkout_session.succeeded",
    "checkout_session",
    serializeCheckoutSession(succeeded),
  );
}

const markSucceeded = statement("mark_checkout_session_succeeded", (db) =>
  db
    .update(checkoutSessions)
    .set({
      ...params<Partial<CheckoutSessionRow>>(SUCCEEDED_COLUMNS),
      ...SUCCEEDED_STATE,
      completedAt: param("now") as unknown as Date,
      updatedAt: param("now") as unknown as Date,
    })
    .where(eq(checkoutSessions.id, param("id")))
    .returning({ id: checkoutSessions.id }),
);

/**
 * Settles a successful attempt in ONE transaction: every record the session implies, the session's own
 * `succeeded`, and the events for all of it. A charge that succeeded is always honoured, even if its attempt
 * was given up meanwhile (a second tab, the reconciler): the customer has paid, so the session is fulfilled,
 * unless another charge already paid it, in which case this one is refunded. Replays change nothing.
 */
export async function fulfilSession(
  deps: AppDeps,
  sessionId: string,
  plan: ChargePlan,
  intent: IntentResult | undefined,
  attempt: number,
): Promise<CheckoutSessionRow> {
  let duplicateCharge: IntentResult | undefined;
  const settled = await transactionWithEvents(deps.db, async (tx) => {
    const session = await lockSession(tx, sessionId);
    if (!session) throw notFound("Checkout session");
    if (session.status === "succeeded") {
      if (intent && isCharge(intent) && session.processorIntentId !== intent.intentId)
        duplicateCharge = intent;
      return session;
    }
    // Without a charge (a free order) only the attempt in flight may complete the session.
    if (!intent && (session.status !== "pending" || session.attempt !== attempt)) return session;
    const merchant = sessionMerchant(session);
    // Every record's id is chosen before anything is written, so the writes go out together.
    const customerId = session.customerId ?? newId("customer");
    const paymentMethodId = intent?.paymentMethod ? newId("paymentMethod") : undefined;
    const customer = sessionCustomer(tx, merchant, session, customerId);
    const method = intent?.paymentMethod
      ? savePaymentMethod(tx, merchant, {
          id: paymentMethodId,
          customerId,
          pricingModelId: session.pricingModelId,
          processor: deps.processor.name,
          processorMethodId: intent.paymentMethod.processorMethodId,
          card: intent.paymentMethod.card,
          billingDetails: session.billingAddress ?? undefined,
          makeDefault: session.type === "add_payment_method" && !session.targetSubscriptionId,
          customerIsNew: session.customerId === null,
        })
      : undefined;

    let ids: Promise<FulfilmentIds>;
    if (session.type === "product") {
      // A new guest's invoice is numbered from the guest's row, which must exist by then: its insert may
      // have drawn an invoice number base another customer holds and had to draw again. The card is awaited
      // with it so that a failure of either is handled here, not left unawaited.
      if (session.customerId === null) await Promise.all([customer, method]);
      ids = fulfilProduct(deps, tx, merchant, session, plan, customerId, intent, paymentMethodId);
    } else {
      // These change rows that must see the saved card, so they wait for it (and for the customer, so
      // that a failure of either is handled here, not left unawaited).
      const saved = (await Promise.all([customer, method]))[1]?.id;
      if (!saved) panic(`${session.type} session ${session.id} succeeded without a card`);
      ids =
        session.type === "add_payment_method"
          ? fulfilAddPaymentMethod(tx, merchant, session, customerId, saved)
          : fulfilActivation(deps, tx, merchant, session, plan, customerId, intent, saved);
    }
    const [buyer, written] = await Promise.all([customer, ids, method]);

    // The row is locked by this transaction, so what the update will make of it is known here: the update
    // goes out with the events and the commit instead of costing a round trip of its own.
    const now = deps.now();
    const changes: SucceededChanges = {
      processorIntentId: intent?.intentId ?? null,
      customerId: written.customerId,
      customerEmail: buyer.email,
      customerName: buyer.name,
      purchaseId: written.purchaseId ?? null,
      subscriptionId: written.subscriptionId ?? null,
      invoiceId: written.invoiceId ?? null,
      paymentId: written.paymentId ?? null,
      paymentMethodId: written.paymentMethodId ?? null,
    };
    const succeeded = succeededSession(session, changes, now);
    await settleAtCommit(tx, [
      markSucceeded(tx, { id: session.id, now, ...changes }).then((rows) => {
        if (rows.length !== 1) throw new Error("locked session vanished");
      }),
    ]);
    await emitEvent(tx, sessionSucceededEvent(succeeded));
    return succeeded;
  });
  if (duplicateCharge) await refundDuplicateCharge(deps, sessionId, duplicateCharge);
  return settled;
}

function isCharge(intent: IntentResult): boolean {
  return intent.kind === "payment" && intent.amount > 0 && intent.status === "succeeded";
}

async function refundDuplicateCharge(deps: AppDeps, sessionId: string, intent: IntentResult): Promise<void> {
  try {
    await deps.processor.refund({ intentId: intent.intentId, amount: intent.amount });
    deps.logger.warn(
      { sessionId, intentId: intent.intentId },
      "refunded a second charge for an already paid session",
    );
  } catch (err) {
    deps.logger.error(
      { err, sessionId, intentId: intent.intentId },
      "could not refund a duplicate charge: refund it by hand",
    );
  }
}
