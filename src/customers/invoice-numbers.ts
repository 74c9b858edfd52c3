import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { customers } from "../db/schema/index.js";
import { ownedByParams, param, statement, tenant } from "../db/statement.js";
import type { Merchant } from "../http/types.js";
import { notFound } from "../lib/errors.js";

const bumpInvoiceCount = statement("bump_invoice_count", (db) =>
  db
    .update(customers)
    .set({ invoiceCount: sql`${customers.invoiceCount} + 1` })
    .where(and(ownedByParams(customers), eq(customers.id, param("customerId"))))
    .returning({ base: customers.invoiceNumberBase, n: customers.invoiceCount }),
);

/**
 * The next number in the customer's own invoice sequence (`<invoiceNumberBase>-0001`, …). The row lock the
 * update takes lasts until the caller commits, so two invoices for one customer take turns and never share a
 * number, while checkouts of different customers never wait for each other.
 */
export async function nextInvoiceNumber(
  tx: Executor,
  merchant: Merchant,
  customerId: string,
): Promise<string> {
  const [row] = await bumpInvoiceCount(tx, { ...tenant(merchant), customerId });
  if (!row) throw notFound("Customer", customerId);
  return `${row.base}-${String(row.n).padStart(4, "0")}`;
}
