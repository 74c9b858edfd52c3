import { sql } from "drizzle-orm";
import { boolean, index, pgTable, text } from "drizzle-orm/pg-core";
import { timestamptz } from "../columns.js";

export const organizations = pgTable("organizations", {
  id: text().primaryKey(),
  name: text().notNull(),
  defaultCurrency: text().notNull().default("USD"),
  /** Hostnames checkout success/cancel URLs may point at; empty means any http(s) host. */
  allowedRedirectDomains: text().array().notNull().default(sql`'{}'::text[]`),
  /** The seller's postal address, printed on invoices and receipts; lines in order. */
  addressLines: text().array().notNull().default(sql`'{}'::text[]`),
  /** Where customers write about a charge; printed on documents and shown in the billing portal. */
  supportEmail: text(),
  /** `#rrggbb`: the hosted checkout's buttons and links; null keeps Glade's blue. */
  brandColor: text(),
  /** An https image shown above the merchant's name on the hosted checkout. */
  logoUrl: text(),
  createdAt: timestamptz().notNull().defaultNow(),
  updatedAt: timestamptz().notNull().defaultNow(),
});

export const apiKeys = pgTable(
  "api_keys",
  {
    id: text().primaryKey(),
    organizationId: text()
      .notNull()
      .references(() => organizations.id),
    livemode: boolean().notNull(),
    name: text().notNull(),
    /** sha256 of the secret; the secret itself is shown once and never stored. */
    keyHash: text().notNull().unique(),
    /** First characters of the secret so a merchant can tell keys apart. */
    keyPrefix: text().notNull(),
    revokedAt: timestamptz(),
    lastUsedAt: timestamptz(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [index().on(t.organizationId)],
);
