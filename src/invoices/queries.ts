import { and, asc, desc, eq, inArray } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { invoiceLineItems, invoices } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
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
    ),
  );
}
