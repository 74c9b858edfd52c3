import { and, eq, inArray } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import { takeInvoiceNumber } from "../customers/index.js";
import type { Executor, Transaction } from "../db/client.js";
import { type PlannedRow, rowWrite } from "../db/planned-rows.js";
import { type InvoiceType, invoiceLineItems, invoices } from "../db/schema/index.js";
import { insertStatement } from "../db/statement.js";
import { badRequest, conflict, notFound, panic } from "../lib/errors.js";
import { newId, randomToken } from "../lib/ids.js";
import { MAX_AMOUNT, multiplyAmount, sumAmounts } from "../lib/money.js";
import { type EmitEventInput, emitEvent, eventAbout, type Planned } from "../webhooks/index.js";
import { invoiceScope } from "./queries.js";
import { type InvoiceLineItemRow, type InvoiceRow, serializeInvoice } from "./serialize.js";

export type InvoiceLineInput = {
  priceId: string | null;
  description: string;
  quantity: number;
  unitPrice: number;
  /** A usage line: the meter and period it bills and the credits applied first. Its quantity may be 0. */
  usage?: { usageMeterId: string; creditsApplied: number; billingPeriodId: string } | undefined;
};

export type CreateInvoiceInput = {
  /** Pre-generated id, for callers that write rows pointing at the invoice alongside it. */
  id?: string | undefined;
  customerId: string;
  pricingModelId: string;
  type: InvoiceType;
  currency: string;
  lines: InvoiceLineInput[];
  status: "open" | "paid";
  purchaseId?: string | null | undefined;
  subscriptionId?: string | null | undefined;
  billingPeriodId?: string | null | undefined;
  checkoutSessionId?: string | null | undefined;
  dueDate?: Date | null | undefined;
  /** A discount's reduction, computed by the discounts domain's rule; at most the lines' subtotal. */
  discount?: { amount: number; redemptionId: string } | undefined;
};

function checkLine(line: InvoiceLineInput): void {
  // A usage line shows a price the customer did not use as quantity 0; any other line bills at least one.
  const least = line.usage ? 0 : 1;
  if (!Number.isInteger(line.quantity) || line.quantity < least) {
    throw badRequest(`Invoice line quantity must be an integer of at least ${least}, got ${line.quantity}`);
  }
  if (!Number.isInteger(line.unitPrice) || line.unitPrice < 0 || line.unitPrice > MAX_AMOUNT) {
    throw badRequest(`Invoice line unit price must be a non-negative integer amount, got ${line.unitPrice}`);
  }
}

type NewLine = typeof invoiceLineItems.$inferInsert;
const insertInvoice = insertStatement("insert_invoice", (db, values: typeof invoices.$inferInsert) =>
  db.insert(invoices).values(values).returning(),
);
const insertLine = insertStatement("insert_invoice_line", (db, values: NewLine) =>
  db.insert(invoiceLineItems).values(values).returning(),
);

/**
 * An invoice's rows before its number: amounts computed here from quantity × unit price (callers never
 * pass totals), one row per line.
 */
function planInvoiceRows(
  merchant: Merchant,
  input: CreateInvoiceInput,
  now: Date,
): { invoice: Omit<PlannedRow<InvoiceRow>, "invoiceNumber">; lines: PlannedRow<InvoiceLineItemRow>[] } {
  if (input.lines.length === 0) throw badRequest("An invoice needs at least one line");
  for (const line of input.lines) checkLine(line);
  const amounts = input.lines.map((line) => multiplyAmount(line.unitPrice, line.quantity));
  const subtotal = sumAmounts(amounts);
  const discountAmount = input.discount?.amount ?? 0;
  if (!Number.isSafeInteger(discountAmount) || discountAmount < 0 || discountAmount > subtotal) {
    panic(`invoice discount ${discountAmount} is not between 0 and the subtotal ${subtotal}`);
  }
  const total = subtotal - discountAmount;
  const paid = input.status === "paid";
  const invoiceId = input.id ?? newId("invoice");
  const invoice = {
    id: invoiceId,
    organizationId: merchant.organizationId,
    livemode: merchant.livemode,
    pricingModelId: input.pricingModelId,
    customerId: input.customerId,
    type: input.type,
    status: input.status,
    currency: input.currency.toUpperCase(),
    subtotal,
    total,
    amountPaid: paid ? total : 0,
    purchaseId: input.purchaseId ?? null,
    subscriptionId: input.subscriptionId ?? null,
    billingPeriodId: input.billingPeriodId ?? null,
    checkoutSessionId: input.checkoutSessionId ?? null,
    invoiceDate: now,
    dueDate: input.dueDate ?? null,
    paidAt: paid ? now : null,
    memo: null,
    discountAmount,
    discountRedemptionId: input.discount?.redemptionId ?? null,
    documentToken: randomToken(43),
    createdAt: now,
    updatedAt: now,
  };
  const lines = input.lines.map((line, i) => ({
    id: newId("invoiceLineItem"),
    organizationId: merchant.organizationId,
    livemode: merchant.livemode,
    invoiceId,
    pricingModelId: input.pricingModelId,
    priceId: line.priceId,
    description: line.description,
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    amount: amounts[i] ?? 0,
    type: line.usage ? ("usage" as const) : ("static" as const),
    usageMeterId: line.usage?.usageMeterId ?? null,
    creditsApplied: line.usage?.creditsApplied ?? 0,
    billingPeriodId: line.usage?.billingPeriodId ?? null,
    createdAt: now,
    updatedAt: now,
  }));
  return { invoice, lines };
}

/**
 * The rows of an invoice whose number the caller has already taken from the customer's sequence
 * (`nextInvoiceNumberOf`), planned to be written in a statement composed elsewhere; with its `invoice.paid`
 * when it is paid.
 */
export function planNumberedInvoice(
  merchant: Merchant,
  input: CreateInvoiceInput,
  invoiceNumber: string,
  now: Date,
): Planned<InvoiceRow> {
  const rows = planInvoiceRows(merchant, input, now);
  const row = { ...rows.invoice, invoiceNumber };
  return {
    row,
    writes: [rowWrite(invoices, row), ...rows.lines.map((line) => rowWrite(invoiceLineItems, line))],
    events: row.status === "paid" ? [invoicePaidEvent(row)] : [],
  };
}

function invoicePaidEvent(invoice: PlannedRow<InvoiceRow>): EmitEventInput {
  return eventAbout(invoice, "invoice.paid", "invoice", serializeInvoice(invoice));
}

/**
 * In the caller's transaction: the invoice takes the customer's next number (`takeInvoiceNumber`, whose row
 * lock orders concurrent invoices of one customer until the commit), then the invoice and its lines are
 * written together.
 */
export async function createInvoice(
  tx: Transaction,
  merchant: Merchant,
  input: CreateInvoiceInput,
  now: Date,
): Promise<{ invoice: InvoiceRow; lines: InvoiceLineItemRow[] }> {
  const { invoice: values, lines: lineValues } = planInvoiceRows(merchant, input, now);
  const invoiceNumber = await takeInvoiceNumber(tx, merchant, input.customerId);
  if (invoiceNumber === undefined) throw notFound("Customer", input.customerId);
  // The lines name the invoice by its id, so both go out at once.
  const [numbered, lines] = await Promise.all([
    insertInvoice(tx, { ...values, invoiceNumber }),
    lineValues.length === 1 && lineValues[0]
      ? insertLine(tx, lineValues[0])
      : tx.insert(invoiceLineItems).values(lineValues).returning().execute(),
  ]);
  const invoice = numbered[0] ?? panic(`invoice ${values.id} insert returned nothing`);
  if (invoice.status === "paid") await emitEvent(tx, invoicePaidEvent(invoice), now);
  return { invoice, lines };
}

/**
 * Paying a paid invoice is a no-op, so a replayed settlement never announces the payment twice. An invoice
 * made before its subscription had a period (an incomplete one's first) takes `billingPeriodId`, the period
 * the payment starts; one that names a period keeps it.
 */
export async function markInvoicePaid(
  tx: Executor,
  merchant: Merchant,
  invoiceId: string,
  now: Date,
  billingPeriodId?: string | null,
): Promise<InvoiceRow> {
  const [locked] = await tx
    .select()
    .from(invoices)
    .where(and(invoiceScope(merchant), eq(invoices.id, invoiceId)))
    .for("update");
  if (!locked) throw notFound("Invoice", invoiceId);
  if (locked.status === "paid") return locked;
  if (locked.status === "void" || locked.status === "uncollectible") {
    throw conflict(`Invoice ${invoiceId} is ${locked.status} and cannot be paid`);
  }
  const [paid] = await tx
    .update(invoices)
    .set({
      status: "paid",
      amountPaid: locked.total,
      paidAt: now,
      updatedAt: now,
      billingPeriodId: locked.billingPeriodId ?? billingPeriodId ?? null,
    })
    .where(eq(invoices.id, locked.id))
    .returning();
  if (!paid) panic(`invoice ${invoiceId} vanished while locked`);
  await emitEvent(tx, invoicePaidEvent(paid), now);
  return paid;
}

/** A canceled subscription owes nothing more: its unpaid invoices are voided, not left to be collected. */
export async function voidOpenInvoicesForSubscription(
  tx: Executor,
  merchant: Merchant,
  subscriptionId: string,
  now: Date,
): Promise<InvoiceRow[]> {
  return tx
    .update(invoices)
    .set({ status: "void", updatedAt: now })
    .where(
      and(
        invoiceScope(merchant),
        eq(invoices.subscriptionId, subscriptionId),
        inArray(invoices.status, ["open", "draft"]),
      ),
    )
    .returning();
}
