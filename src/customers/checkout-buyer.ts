import { and, type Column, eq, type SQL } from "drizzle-orm";
import type { PgSelect } from "drizzle-orm/pg-core";
import { customers } from "../db/schema/index.js";
import { sameTenant } from "../db/statement.js";
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
    and(eq(customers.id, ref.customerId), sameTenant(customers, ref.organizationId, ref.livemode)),
  );
}
