import { index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { timestamptz } from "../columns.js";

/**
 * Per-client counters of actions that must be limited across every process and session (card attempts on the
 * hosted pages): one row per client key and fixed window. Old windows are deleted by a background sweep.
 */
export const clientAttempts = pgTable(
  "client_attempts",
  {
    key: text().notNull(),
    windowStart: timestamptz().notNull(),
    count: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] }), index().on(t.windowStart)],
);
