import { eq } from "drizzle-orm";
import { checkoutSessions } from "../db/schema/index.js";
import { param, params, statement } from "../db/statement.js";
import type { AppDeps } from "../http/types.js";
import { notFound, panic } from "../lib/errors.js";
import { savePaymentMethod } from "../payments/index.js";
import type { IntentResult } from "../payments/processor.js";
import { emitEvent, transactionWithEvents } from "../webhooks/index.js";
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

const markSucceeded = statement("mark_checkout_session_succeeded", (db) =>
  db
    .update(checkoutSessions)
    .set({
      ...params<Partial<CheckoutSessionRow>>(SUCCEEDED_COLUMNS),
      status: "succeeded",
      completedAt: param("now") as unknown as Date,
      updatedAt: param("now") as unknown as Date,
      lastError: null,
    })
    .where(eq(checkoutSessions.id, param("id")))
    .returning(),
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
    const customer = await sessionCustomer(tx, merchant, session);

    let paymentMethodId: string | undefined;
    if (intent?.paymentMethod) {
      const method = await savePaymentMethod(tx, merchant, {
        customerId: customer.id,
        pricingModelId: session.pricingModelId,
        processor: deps.processor.name,
        processorMethodId: intent.paymentMethod.processorMethodId,
        card: intent.paymentMethod.card,
        billingDetails: session.billingAddress ?? undefined,
        makeDefault: session.type === "add_payment_method" && !session.targetSubscriptionId,
        customerIsNew: session.customerId === null,
      });
      paymentMethodId = method.id;
    }

    let ids: FulfilmentIds;
    if (session.type === "product") {
      ids = await fulfilProduct(deps, tx, merchant, session, plan, customer, intent, paymentMethodId);
    } else {
      if (!paymentMethodId) panic(`${session.type} session ${session.id} succeeded without a card`);
      ids =
        session.type === "add_payment_method"
          ? await fulfilAddPaymentMethod(tx, merchant, session, customer.id, paymentMethodId)
          : await fulfilActivation(deps, tx, merchant, session, plan, customer.id, intent, paymentMethodId);
    }

    const now = deps.now();
    const [succeeded] = await markSucceeded(tx, {
      id: session.id,
      now,
      processorIntentId: intent?.intentId ?? null,
      customerId: ids.customerId,
      customerEmail: customer.email,
      customerName: customer.name,
      purchaseId: ids.purchaseId ?? null,
      subscriptionId: ids.subscriptionId ?? null,
      invoiceId: ids.invoiceId ?? null,
      paymentId: ids.paymentId ?? null,
      paymentMethodId: ids.paymentMethodId ?? null,
    });
    if (!succeeded) throw new Error("locked session vanished");
    await emitEvent(tx, {
      organizationId: succeeded.organizationId,
      livemode: succeeded.livemode,
      type: "checkout_session.succeeded",
      objectType: "checkout_session",
      objectId: succeeded.id,
      object: serializeCheckoutSession(succeeded),
    });
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
