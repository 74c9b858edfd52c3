import { sql } from "drizzle-orm";
import type { PlannedRow } from "../db/planned-rows.js";
import { customers } from "../db/schema/index.js";
import { sameTenant as ownedByParams, param } from "../db/statement.js";
import type { CustomerRow } from "./serialize.js";

/**
 * The next number in a customer's own invoice sequence (`<invoiceNumberBase>-0001`, …), as the body of a
 * data-modifying CTE yielding one `invoice_number` column (placeholders `customerId`, `organizationId`,
 * `livemode`). The invoice insert reads it in the same statement, so numbering costs no round trip of its
 * own. The row lock the update takes lasts until the caller commits, so two invoices for one customer take
 * turns and never share a number, while checkouts of different customers never wait for each other. No
 * row means no such customer for this merchant.
 */
export function nextInvoiceNumberSql() {
  const count = sql`${customers.invoiceCount}`;
  return sql`update ${customers} set ${sql.identifier("invoice_count")} = ${count} + 1
    where ${ownedByParams(customers)} and ${customers.id} = ${param("customerId")}
    returning ${customers.invoiceNumberBase} || '-' || lpad(${count}::text, greatest(4, length(${count}::text)), '0')
      as invoice_number`;
}

/**
 * The number `nextInvoiceNumberSql` gives a customer's next invoice, from the count it has now, formatted
 * the same way.
 */
export function nextInvoiceNumberOf(
  customer: Pick<CustomerRow, "invoiceNumberBase" | "invoiceCount">,
): string {
  const digits = String(customer.invoiceCount + 1);
  return `${customer.invoiceNumberBase}-${digits.padStart(Math.max(4, digits.length), "0")}`;
}

/** The same numbering for a customer row not yet written: the row with its count taken, and the number. */
export function takeInvoiceNumber(row: PlannedRow<CustomerRow>): {
  row: PlannedRow<CustomerRow>;
  invoiceNumber: string;
} {
  return { row: { ...row, invoiceCount: row.invoiceCount + 1 }, invoiceNumber: nextInvoiceNumberOf(row) };
}
