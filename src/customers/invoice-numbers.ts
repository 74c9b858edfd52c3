import { type SQL, sql } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import type { PlannedRow } from "../db/planned-rows.js";
import { customers } from "../db/schema/index.js";
import { param, rawStatement, sameTenant, tenant } from "../db/statement.js";
import { panic } from "../lib/errors.js";
import type { CustomerRow } from "./serialize.js";

type InvoiceSequence = Pick<CustomerRow, "invoiceNumberBase" | "invoiceCount">;

/**
 * THE invoice numbering rule: a customer's invoices are `<invoiceNumberBase>-0001`, `-0002`, … in the
 * order they were counted (at least four digits). Every invoice number Glade writes comes from here.
 */
export function nextInvoiceNumberOf(customer: InvoiceSequence): string {
  // Every customer has had a base since migration 0002; a missing one would number "null-0001".
  if (customer.invoiceNumberBase === null) panic("customer without an invoice number base");
  const digits = String(customer.invoiceCount + 1);
  return `${customer.invoiceNumberBase}-${digits.padStart(Math.max(4, digits.length), "0")}`;
}

/**
 * Counts one more invoice for the customer (placeholders `customerId`, `organizationId`, `livemode`),
 * yielding the sequence as it was before. Without `guard` it is a statement of its own (`takeInvoiceNumber`);
 * with one it is the CTE body of a statement composed elsewhere that counts only when `guard` yields a row.
 * There the invoice carries the number the caller predicted from the count it read: if another invoice took
 * that number meanwhile, the count has moved past it and the invoice's insert violates
 * `invoices_number_per_org`, so the whole statement is rolled back. Numbers stay gapless.
 */
export function countInvoiceSql(guard?: SQL): SQL {
  const count = sql`${customers.invoiceCount}`;
  return sql`update ${customers} set ${sql.identifier("invoice_count")} = ${count} + 1
    ${guard ? sql`from ${guard} ` : sql``}where ${sameTenant(customers)} and ${customers.id} = ${param("customerId")}
    returning ${customers.invoiceNumberBase} as "invoiceNumberBase", ${count} - 1 as "invoiceCount"`;
}

const countInvoice = rawStatement<InvoiceSequence>("count_customer_invoice", countInvoiceSql());

/**
 * Takes the customer's next invoice number, in the caller's transaction: the row lock the count takes lasts
 * until the caller commits, so two invoices for one customer take turns and never share a number, while
 * checkouts of different customers never wait for each other. Undefined means no such customer.
 */
export async function takeInvoiceNumber(
  tx: Executor,
  merchant: Merchant,
  customerId: string,
): Promise<string | undefined> {
  const [before] = await countInvoice(tx, { ...tenant(merchant), customerId });
  return before && nextInvoiceNumberOf({ ...before, invoiceCount: Number(before.invoiceCount) });
}

/** A customer row not yet written, with its first invoice counted: the row, and that invoice's number. */
export function withFirstInvoiceNumber(row: PlannedRow<CustomerRow>): {
  row: PlannedRow<CustomerRow>;
  invoiceNumber: string;
} {
  return { row: { ...row, invoiceCount: row.invoiceCount + 1 }, invoiceNumber: nextInvoiceNumberOf(row) };
}
