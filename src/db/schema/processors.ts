import { boolean, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { tenantColumns, timestamptz } from "../columns.js";

export type ProcessorName = "sandbox" | "stripe";

/**
 * An organization's own processor account for one mode. The secrets are sealed (AES-256-GCM) and carry
 * the id of the key that sealed them, so keys can be rotated; nothing here is ever returned by the API.
 */
export const processorConnections = pgTable(
  "processor_connections",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    processor: text().$type<Exclude<ProcessorName, "sandbox">>().notNull(),
    /** The processor's own account id (Stripe `acct_…`), read when the key was verified. */
    accountId: text().notNull(),
    /** Public by design (Stripe.js needs it in the browser); stored in the clear. */
    publishableKey: text().notNull(),
    secretKeySealed: text().notNull(),
    webhookSecretSealed: text().notNull(),
    /** Which encryption key sealed both secrets. */
    encryptionKeyId: text().notNull(),
    /** `sk_test_…4242`: enough for a merchant to tell keys apart, nothing to use. */
    secretKeyHint: text().notNull(),
  },
  (t) => [uniqueIndex("processor_connections_one_per_mode").on(t.organizationId, t.livemode)],
);

/** One processor customer per Glade customer and processor account. */
export const processorCustomers = pgTable(
  "processor_customers",
  {
    customerId: text().notNull(),
    organizationId: text().notNull(),
    livemode: boolean().notNull(),
    processorAccountId: text().notNull(),
    processorCustomerId: text().notNull(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.processorAccountId] })],
);
