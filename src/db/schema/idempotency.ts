import { boolean, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { timestamptz } from "../columns.js";

export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    organizationId: text().notNull(),
    livemode: boolean().notNull(),
    key: text().notNull(),
    method: text().notNull(),
    path: text().notNull(),
    requestHash: text().notNull(),
    /** null while the first request is still running. */
    responseStatus: integer(),
    responseBody: text(),
    lockedAt: timestamptz().notNull().defaultNow(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.livemode, t.key] })],
);
