import { and, eq, inArray } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { customers } from "../db/schema/index.js";
import { ownedBy, param, sameTenant, statement, tenant } from "../db/statement.js";
import { notFound } from "../lib/errors.js";
import type { CustomerRow } from "./serialize.js";

export const customerScope = (merchant: Merchant) => and(ownedBy(customers, merchant));

export async function getCustomerByExternalId(
  db: Executor,
  merchant: Merchant,
  externalId: string,
): Promise<CustomerRow | undefined> {
  const [row] = await customerByExternalId(db, { ...tenant(merchant), externalId });
  return row;
}

export async function getCustomerById(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<CustomerRow | undefined> {
  const [row] = await customerById(db, { ...tenant(merchant), id });
  return row;
}

const customerByExternalId = statement("customer_by_external_id", (db) =>
  db
    .select()
    .from(customers)
    .where(and(sameTenant(customers), eq(customers.externalId, param("externalId")))),
);
const customerById = statement("customer_by_id", (db) =>
  db
    .select()
    .from(customers)
    .where(and(sameTenant(customers), eq(customers.id, param("id")))),
);

/** `@flowglad/server` creates the customer when this answers 404 with code NOT_FOUND. */
export async function requireCustomerByExternalId(
  db: Executor,
  merchant: Merchant,
  externalId: string,
  options: { forUpdate?: boolean } = {},
): Promise<CustomerRow> {
  const query = db
    .select()
    .from(customers)
    .where(and(customerScope(merchant), eq(customers.externalId, externalId)));
  // Writers lock the row so concurrent updates apply (and announce) one after the other.
  const [row] = options.forUpdate ? await query.for("update") : await query;
  if (!row) throw notFound("Customer with externalId", externalId);
  return row;
}

/** The merchant's customers among `ids` (a list page's names in one query); others' ids find nothing. */
export async function listCustomersByIds(
  db: Executor,
  merchant: Merchant,
  ids: string[],
): Promise<CustomerRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(customers)
    .where(and(customerScope(merchant), inArray(customers.id, [...new Set(ids)])));
}
