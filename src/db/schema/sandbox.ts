import { bigint, boolean, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { timestamptz } from "../columns.js";

/**
 * The sandbox processor's own ledger. It plays the part of an external processor, so it is written
 * outside the merchant's transactions, exactly as a remote API would be.
 */
export type SandboxIntentStatus = "requires_action" | "succeeded" | "failed" | "canceled";

export const sandboxPaymentMethods = pgTable("sandbox_payment_methods", {
  id: text().primaryKey(),
  livemode: boolean().notNull(),
  brand: text().notNull(),
  last4: text().notNull(),
  expMonth: integer().notNull(),
  expYear: integer().notNull(),
  /** Which test-card behaviour this token replays on later off-session charges. */
  behavior: text().notNull(),
  createdAt: timestamptz().notNull().defaultNow(),
});

export const sandboxIntents = pgTable("sandbox_intents", {
  id: text().primaryKey(),
  kind: text().$type<"payment" | "setup">().notNull(),
  livemode: boolean().notNull(),
  idempotencyKey: text().notNull().unique(),
  amount: bigint({ mode: "number" }).notNull(),
  currency: text().notNull(),
  status: text().$type<SandboxIntentStatus>().notNull(),
  paymentMethodId: text(),
  declineCode: text(),
  declineMessage: text(),
  refundedAmount: bigint({ mode: "number" }).notNull().default(0),
  metadata: jsonb().$type<Record<string, string>>(),
  createdAt: timestamptz().notNull().defaultNow(),
  updatedAt: timestamptz().notNull().defaultNow(),
});
