import { bigint, boolean, index, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
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
  ],
);
