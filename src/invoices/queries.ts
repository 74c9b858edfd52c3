import { and, asc, desc, eq, inArray } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { invoiceLineItems, invoices } from "../db/schema/index.js";
import { ownedBy, sameTenant } from "../db/statement.js";
import type { InvoiceWithLineItems } from "./schemas.js";
import { type InvoiceLineItemRow, type InvoiceRow, serializeInvoiceWithLines } from "./serialize.js";

export const invoiceScope = (merchant: Merchant) => and(ownedBy(invoices, merchant));

const lineScope = (merchant: Merchant) => and(ownedBy(invoiceLineItems, merchant));

export async function getInvoice(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<InvoiceRow | undefined> {
  const [row] = await db
    .select()
    .from(invoices)
    .where(and(invoiceScope(merchant), eq(invoices.id, id)));
  return row;
}

/**
 * The invoice a document address names, whoever asks: the random token in the address is the capability
 * (`invoiceDocumentUrl`), so no tenant is needed, and a wrong token finds nothing.
 */
export async function getInvoiceByDocumentToken(
  db: Executor,
  id: string,
  documentToken: string,
): Promise<InvoiceRow | undefined> {
  const [row] = await db
    .select()
    .from(invoices)
    .where(and(eq(invoices.id, id), eq(invoices.documentToken, documentToken)));
  return row;
}

export async function listLinesForInvoices(
  db: Executor,
  merchant: Merchant,
  invoiceIds: string[],
): Promise<InvoiceLineItemRow[]> {
  if (invoiceIds.length === 0) return [];
  return db
    .select()
    .from(invoiceLineItems)
    .where(and(lineScope(merchant), inArray(invoiceLineItems.invoiceId, invoiceIds)))
    .orderBy(asc(invoiceLineItems.position));
}

export async function getInvoiceLineItem(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<InvoiceLineItemRow | undefined> {
  const [row] = await db
    .select()
    .from(invoiceLineItems)
    .where(and(lineScope(merchant), eq(invoiceLineItems.id, id)));
  return row;
}

/**
 * The invoice billing one period of a subscription (the renewal's, found again after a crashed run). Found
 * through the subscription's index, the tenant checked on the row; the first one when a proration shares
 * the period.
 */
export async function getInvoiceForBillingPeriod(
  db: Executor,
  merchant: Merchant,
  subscriptionId: string,
  billingPeriodId: string,
): Promise<InvoiceRow | undefined> {
  const [row] = await db
    .select()
    .from(invoices)
    .where(
      and(
        eq(invoices.subscriptionId, subscriptionId),
        eq(invoices.billingPeriodId, billingPeriodId),
        sameTenant(invoices, merchant.organizationId, merchant.livemode),
      ),
    )
    .orderBy(asc(invoices.position))
    .limit(1);
  return row;
}

/** What an activation checkout has to collect, oldest first. */
export async function listOpenInvoicesForSubscription(
  db: Executor,
  merchant: Merchant,
  subscriptionId: string,
): Promise<InvoiceRow[]> {
  return db
    .select()
    .from(invoices)
    .where(
      and(invoiceScope(merchant), eq(invoices.subscriptionId, subscriptionId), eq(invoices.status, "open")),
    )
    .orderBy(asc(invoices.position));
}

/** The billing view's `invoices`: wire objects, newest first. */
export async function listInvoicesWithLinesForCustomer(
  db: Executor,
  merchant: Merchant,
  customerId: string,
  publicUrl: string,
): Promise<InvoiceWithLineItems[]> {
  const rows = await db
    .select()
    .from(invoices)
    .where(and(invoiceScope(merchant), eq(invoices.customerId, customerId)))
    .orderBy(desc(invoices.position));
  const lines = await listLinesForInvoices(
    db,
    merchant,
    rows.map((r) => r.id),
  );
  return rows.map((invoice) =>
    serializeInvoiceWithLines(
      invoice,
      lines.filter((l) => l.invoiceId === invoice.id),
      publicUrl,
    ),
  );
}
