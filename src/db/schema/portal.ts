import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { tenantColumns, timestamptz } from "../columns.js";

/**
 * A sign-in link to one customer's billing portal, made by the merchant's server. Only the token's hash is
 * kept; the link works once, until `expiresAt`.
 */
export const billingPortalLinks = pgTable(
  "billing_portal_links",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    customerId: text().notNull(),
    tokenHash: text().notNull().unique(),
    /** Where the portal's "Back to" link goes; null shows none. */
    returnUrl: text(),
    expiresAt: timestamptz().notNull(),
    usedAt: timestamptz(),
  },
  (t) => [index().on(t.expiresAt)],
);

export type PortalFlash = { kind: "ok" | "error"; text: string };

/**
 * A customer signed in to the portal through a link: the cookie holds a secret whose hash is `tokenHash`.
 * Kept in the database so every Glade process knows it.
 */
export const billingPortalSessions = pgTable(
  "billing_portal_sessions",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    customerId: text().notNull(),
    tokenHash: text().notNull().unique(),
    /** Every form in the portal carries it; a POST without it changes nothing. */
    csrfToken: text().notNull(),
    returnUrl: text(),
    expiresAt: timestamptz().notNull(),
    signedOutAt: timestamptz(),
    /** What the last action said, shown once by the page it redirected to (POST → 303 → GET). */
    flash: jsonb().$type<PortalFlash>(),
  },
  (t) => [
    index().on(t.expiresAt),
    // The sweep deletes signed-out sessions too; only those few are in this index.
    index("billing_portal_sessions_signed_out").on(t.signedOutAt).where(sql`${t.signedOutAt} is not null`),
  ],
);
