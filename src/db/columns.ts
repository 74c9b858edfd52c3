import { bigint, boolean, text, timestamp } from "drizzle-orm/pg-core";

export const timestamptz = (name?: string) =>
  name
    ? timestamp(name, { withTimezone: true, mode: "date" })
    : timestamp({ withTimezone: true, mode: "date" });

/** Money in integer minor units. bigint in SQL, number in JS (guarded to the safe-integer range by zod). */
export const amount = () => bigint({ mode: "number" });

/** Columns every tenant-owned row carries: who owns it, which mode, and a stable order for cursors. */
export const tenantColumns = () => ({
  organizationId: text().notNull(),
  livemode: boolean().notNull(),
  createdAt: timestamptz().notNull().defaultNow(),
  updatedAt: timestamptz().notNull().defaultNow(),
  position: bigint({ mode: "number" }).generatedAlwaysAsIdentity(),
});
