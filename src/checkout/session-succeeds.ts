import { sql } from "drizzle-orm";
import { checkoutSessions } from "../db/schema/index.js";
import { param, rawStatement } from "../db/statement.js";
import { type EmitEventInput, eventAbout } from "../webhooks/index.js";
import { type CheckoutSessionRow, serializeCheckoutSession } from "./serialize.js";

/** The records a successful session points at, and who paid. */
export type SucceededChanges = Pick<
  CheckoutSessionRow,
  | "processorIntentId"
  | "customerId"
  | "customerEmail"
  | "customerName"
  | "purchaseId"
  | "subscriptionId"
  | "invoiceId"
  | "paymentId"
  | "paymentMethodId"
>;

/**
 * A session as it was read, and the exact `updated_at` text it had then: every change to a session sets
 * `updated_at`, so together with status and attempt it tells whether the row is still the one read.
 */
export type SessionVersion = { session: CheckoutSessionRow; version: string };

/** What the session becomes: the row derived here and the update below say the same. */
export function succeededSession(
  session: CheckoutSessionRow,
  changes: SucceededChanges,
  now: Date,
): CheckoutSessionRow {
  return { ...session, ...changes, status: "succeeded", lastError: null, completedAt: now, updatedAt: now };
}

export function sessionSucceededEvent(succeeded: CheckoutSessionRow): EmitEventInput {
  return eventAbout(
    succeeded,
    "checkout_session.succeeded",
    "checkout_session",
    serializeCheckoutSession(succeeded),
  );
}

/**
 * THE move of a session to `succeeded`, only while it is exactly as the caller read it (same status,
 * attempt and `updated_at`): a product checkout's statement uses it as the guard its records are written
 * under, a setup session's transaction runs it on the row it holds locked.
 */
export const sessionSucceedsSql = sql`update ${checkoutSessions} set status = 'succeeded', last_error = null,
    processor_intent_id = ${param("processorIntentId")}, customer_id = ${param("customerId")},
    customer_email = ${param("customerEmail")}, customer_name = ${param("customerName")},
    purchase_id = ${param("purchaseId")}, subscription_id = ${param("subscriptionId")},
    invoice_id = ${param("invoiceId")},
    payment_id = ${param("paymentId")}, payment_method_id = ${param("paymentMethodId")},
    completed_at = ${param("now")}::timestamptz, updated_at = ${param("now")}::timestamptz
  where id = ${param("id")} and status = ${param("readStatus")} and attempt = ${param("attempt")}::int
    and updated_at = ${param("version")}::timestamptz
  returning id`;

/** The values `sessionSucceedsSql` takes for `read` becoming `succeeded`. */
export function succeedsValues(read: SessionVersion, changes: SucceededChanges, now: Date) {
  return {
    ...changes,
    id: read.session.id,
    readStatus: read.session.status,
    attempt: read.session.attempt,
    version: read.version,
    now: now.toISOString(),
  };
}

/** `sessionSucceedsSql` as a statement of its own, for a caller holding the row (and its other writes) in a transaction. */
export const sessionSucceeds = rawStatement<{ id: string }>("checkout_session_succeeds", sessionSucceedsSql);
