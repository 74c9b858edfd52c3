import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  jsonb,
  type PgColumn,
  pgTable,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { tenantColumns } from "../columns.js";

export type BillingAddress = {
  name?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  address: {
    country: string;
    city?: string;
    line1?: string;
    line2?: string;
    name?: string;
    postal_code?: string;
    state?: string;
  };
};

/**
 * One text holding all a search looks at, in the form the trigram index is built on (a query must use the very
 * same expression for the index to serve it). A newline separates the fields: a search box sends none.
 */
export function customerSearchText(t: { email: PgColumn; name: PgColumn; externalId: PgColumn }) {
  return sql`${t.email} || E'\\n' || ${t.name} || E'\\n' || ${t.externalId}`;
}

export const customers = pgTable(
  "customers",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text().notNull(),
    externalId: text().notNull(),
    email: text().notNull(),
    name: text().notNull(),
    archived: boolean().notNull().default(false),
    domain: text(),
    iconUrl: text(),
    logoUrl: text(),
    userId: text(),
    invoiceNumberBase: text(),
    /** Invoices numbered so far: the customer's own sequence, `<invoiceNumberBase>-0001` onwards. */
    invoiceCount: bigint({ mode: "number" }).notNull().default(0),
    billingAddress: jsonb().$type<BillingAddress>(),
  },
  (t) => [
    // externalId leads, so a lookup by it can only go through this index (see sameTenant).
    uniqueIndex("customers_external_id").on(t.externalId, t.organizationId, t.livemode),
    // Invoice numbers are unique per merchant and mode, so no two of its customers may share a base.
    uniqueIndex("customers_invoice_number_base").on(t.invoiceNumberBase, t.organizationId, t.livemode),
    index().on(t.organizationId, t.livemode, t.position),
    // The dashboard's new-customers count reads only its window.
    index().on(t.organizationId, t.livemode, t.createdAt),
    // The dashboard's search (ILIKE anywhere in email, name or externalId) finds a rare term by trigrams
    // (pg_trgm, migration 0016) instead of reading every customer; see customerSearchText.
    index("customers_search_trgm").using("gin", sql`(${customerSearchText(t)}) gin_trgm_ops`),
  ],
);
