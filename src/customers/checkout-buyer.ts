import { and, type Column, eq, type SQL, sql } from "drizzle-orm";
import type { PgSelect } from "drizzle-orm/pg-core";
import { customers } from "../db/schema/index.js";
import { sameTenant as ownedByParams, param, sameTenant as sameTenantAs } from "../db/statement.js";
import type { CustomerRow } from "./serialize.js";

/**
 * What a checkout needs of its known customer to settle in one statement, read with the session when it
 * is claimed: who they are now, and how far their invoice sequence has gone.
 */
export const checkoutBuyerFields = {
  buyer: {
    id: customers.id,
    email: customers.email,
    name: customers.name,
    invoiceCount: customers.invoiceCount,
    invoiceNumberBase: customers.invoiceNumberBase,
  },
};
export type CheckoutBuyer = Pick<CustomerRow, "id" | "email" | "name" | "invoiceCount" | "invoiceNumberBase">;

/** Where another domain's row names its customer, and whose customers it must be one of. */
export type CustomerReference = {
  customerId: Column | SQL;
  organizationId: Column | SQL;
  livemode: Column | SQL;
};

/** The customers domain's side of a statement that reads a row and the customer it names (left-joined). */
export function joinCheckoutBuyer<T extends PgSelect>(query: T, ref: CustomerReference) {
  return query.leftJoin(
    customers,
    and(eq(customers.id, ref.customerId), sameTenantAs(customers, ref.organizationId, ref.livemode)),
  );
}

/**
 * The CTE body that counts one more invoice for a known customer in a statement composed elsewhere
 * (placeholders `customerId`, `organizationId`, `livemode`), when `guard` yields a row. The invoice it
 * numbers carries the number the caller predicted from the count it read (`nextInvoiceNumberOf`): if
 * another invoice took that number meanwhile, the count has moved past it and the invoice's insert
 * violates `invoices_number_per_org`, so the whole statement is rolled back. Numbers stay gapless.
 */
export function countInvoiceSql(guard: SQL): SQL {
  return sql`update ${customers} set ${sql.identifier("invoice_count")} = ${customers.invoiceCount} + 1
    from ${guard} where ${ownedByParams(customers)} and ${customers.id} = ${param("customerId")}
    returning ${customers.id}`;
}
