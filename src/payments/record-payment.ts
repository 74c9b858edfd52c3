import { and, desc, eq, sql } from "drizzle-orm";
import type { Merchant, ProcessorName } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { type PlannedRow, rowWrite } from "../db/planned-rows.js";
import { payments } from "../db/schema/index.js";
import { insertStatement, ownedBy, param, sameTenant, statement, tenant } from "../db/statement.js";
import { panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { type EmitEventInput, emitEvent, eventAbout, type Planned } from "../webhooks/index.js";
import { type PaymentRow, serializePayment } from "./serialize.js";

/** What a payment's `description` says of a purchase: the item, and its quantity when more than one. */
export function paymentDescription(name: string, quantity: number): string {
  return quantity > 1 ? `${name} × ${quantity}` : name;
}

export type RecordPaymentInput = {
  /** Pre-generated id, for callers that write rows pointing at this one alongside it. */
  id?: string | undefined;
  /** null only for a declined anonymous attempt, whose customer does not exist yet. */
  customerId: string | null;
  pricingModelId: string | null;
  amount: number;
  currency: string;
  status: "succeeded" | "failed";
  processor: ProcessorName;
  processorIntentId: string;
  invoiceId?: string | null;
  purchaseId?: string | null;
  subscriptionId?: string | null;
  billingPeriodId?: string | null;
  checkoutSessionId?: string | null;
  /** What the payment was for, as the customer's statement would say it. */
  description?: string | null;
  paymentMethodId?: string | null;
  failureCode?: string | null;
  failureMessage?: string | null;
};

export async function getPayment(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<PaymentRow | undefined> {
  const [row] = await db
    .select()
    .from(payments)
    .where(and(ownedBy(payments, merchant), eq(payments.id, id)));
  return row;
}

/** The customer's latest payments, newest first (the billing portal's history). */
export async function listRecentPaymentsForCustomer(
  db: Executor,
  merchant: Merchant,
  customerId: string,
  limit: number,
): Promise<PaymentRow[]> {
  return db
    .select()
    .from(payments)
    .where(and(ownedBy(payments, merchant), eq(payments.customerId, customerId)))
    .orderBy(desc(payments.position))
    .limit(limit);
}

/** The payments made against an invoice, oldest first (its receipt lists them). */
export async function listPaymentsForInvoice(
  db: Executor,
  merchant: Merchant,
  invoiceId: string,
): Promise<PaymentRow[]> {
  return db
    .select()
    .from(payments)
    .where(and(ownedBy(payments, merchant), eq(payments.invoiceId, invoiceId)))
    .orderBy(payments.position);
}

const refundedPurchases = statement("purchases_refunded_in_full", (db) =>
  db
    .select({ purchaseId: payments.purchaseId })
    .from(payments)
    .where(
      and(
        eq(payments.customerId, param("customerId")),
        sql`${payments.purchaseId} = any(${param("purchaseIds")})`,
        eq(payments.status, "refunded"),
        sameTenant(payments),
      ),
    ),
);

/** Of these purchases of the customer, the ones whose payment was refunded in full. */
export async function fullyRefundedPurchases(
  db: Executor,
  merchant: Merchant,
  customerId: string,
  purchaseIds: string[],
): Promise<Set<string>> {
  if (purchaseIds.length === 0) return new Set();
  const rows = await refundedPurchases(db, { ...tenant(merchant), customerId, purchaseIds });
  return new Set(rows.flatMap((r) => (r.purchaseId ? [r.purchaseId] : [])));
}

type NewPayment = typeof payments.$inferInsert;
const insertPayment = insertStatement("insert_payment", (db, values: NewPayment) =>
  db
    .insert(payments)
    .values(values)
    .onConflictDoNothing({ target: [payments.processor, payments.processorIntentId] })
    .returning(),
);

/**
 * A payment planned to be written in a statement composed elsewhere, for an intent the caller knows has no
 * payment yet (the unique index on the intent still refuses a second one).
 */
export function planPayment(merchant: Merchant, input: RecordPaymentInput, now: Date): Planned<PaymentRow> {
  const row = planPaymentRow(merchant, input, now);
  return { row, writes: [rowWrite(payments, row)], events: [paymentRecordedEvent(row)] };
}

function planPaymentRow(merchant: Merchant, input: RecordPaymentInput, now: Date): PlannedRow<PaymentRow> {
  return {
    id: input.id ?? newId("payment"),
    organizationId: merchant.organizationId,
    livemode: merchant.livemode,
    pricingModelId: input.pricingModelId,
    customerId: input.customerId,
    invoiceId: input.invoiceId ?? null,
    purchaseId: input.purchaseId ?? null,
    subscriptionId: input.subscriptionId ?? null,
    billingPeriodId: input.billingPeriodId ?? null,
    checkoutSessionId: input.checkoutSessionId ?? null,
    description: input.description ?? null,
    paymentMethodId: input.paymentMethodId ?? null,
    amount: input.amount,
    currency: input.currency.toUpperCase(),
    status: input.status,
    refundedAmount: 0,
    refundedAt: null,
    failureCode: input.failureCode ?? null,
    failureMessage: input.failureMessage ?? null,
    processor: input.processor,
    processorIntentId: input.processorIntentId,
    chargeDate: now,
    disputedAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

function paymentRecordedEvent(row: PlannedRow<PaymentRow>): EmitEventInput {
  const type = row.status === "succeeded" ? "payment.succeeded" : "payment.failed";
  return eventAbout(row, type, "payment", serializePayment(row));
}

/**
 * One processor intent settles into exactly one payment: a replayed confirm or webhook gets the first
 * row back, and only the call that inserted it announces it.
 */
export async function recordPayment(
  tx: Executor,
  merchant: Merchant,
  input: RecordPaymentInput,
  now: Date,
): Promise<PaymentRow> {
  const [inserted] = await insertPayment(tx, planPaymentRow(merchant, input, now));
  if (inserted) {
    await emitEvent(tx, paymentRecordedEvent(inserted), now);
    return inserted;
  }
  const [existing] = await tx
    .select()
    .from(payments)
    .where(
      and(
        ownedBy(payments, merchant),
        eq(payments.processor, input.processor),
        eq(payments.processorIntentId, input.processorIntentId),
      ),
    );
  // The intent is already recorded, but not for this merchant and mode: a processor id reached the wrong tenant.
  return existing ?? panic(`processor intent ${input.processorIntentId} belongs to another tenant`);
}
