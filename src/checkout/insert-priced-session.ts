import { type SQL, sql } from "drizzle-orm";
import { sellablePriceSql } from "../catalog/index.js";
import type { Executor } from "../db/client.js";
import { type InsertSelectValues, insertSelectStatement } from "../db/insert-select.js";
import { checkoutSessions } from "../db/schema/index.js";
import { param } from "../db/statement.js";
import { MAX_AMOUNT } from "../lib/money.js";
import type { CheckoutSessionRow } from "./serialize.js";

/** Columns whose value is the price's snapshot, read from the catalog inside the insert. */
const FROM_PRICE = {
  priceId: sql`price.id`,
  pricingModelId: sql`price.pricing_model_id`,
  unitAmount: sql`price.unit_price`,
  currency: sql`price.currency`,
} satisfies Partial<Record<keyof CheckoutSessionRow, SQL>>;

/** What every new product session starts with: literals in the statement, not parameters to send. */
const FIXED = {
  type: "product",
  status: "open",
  attempt: 0,
  billingAddress: null,
  targetSubscriptionId: null,
  automaticallyUpdateSubscriptions: null,
  paymentMethodType: null,
  completedAt: null,
  processorIntentId: null,
  processor: "sandbox",
  lastError: null,
  purchaseId: null,
  subscriptionId: null,
  invoiceId: null,
  paymentId: null,
  paymentMethodId: null,
} satisfies Partial<CheckoutSessionRow>;

/**
 * A product session for a price id in ONE statement: the price is looked up, checked (sellable, total
 * representable) and snapshotted by the insert itself. What every new session starts with is written into
 * the statement; the rest are typed parameters.
 */
const pricedSessionInsert = insertSelectStatement("insert_priced_checkout_session", checkoutSessions, {
  computed: FROM_PRICE,
  constant: FIXED,
  from: sql`${sellablePriceSql()} as price`,
  where: sql`price.unit_price * ${param("quantity")}::bigint <= ${MAX_AMOUNT}`,
});

/** The columns the statement decides itself: the price's snapshot and what every new session starts with. */
export type PricedSessionDecided = keyof typeof FROM_PRICE | keyof typeof FIXED;

/**
 * Every other column of the table, each required (null where null is meant), and the price id to look up.
 * Derived, not listed: a column added to checkout_sessions is a compile error where these values are made
 * until it is supplied there, or decided here in FIXED or FROM_PRICE.
 */
export type PricedSessionValues = InsertSelectValues<typeof checkoutSessions, PricedSessionDecided> & {
  priceId: string;
};

/** The inserted session, or undefined when the price cannot be sold as asked (the caller finds out why). */
export async function insertPricedSession(
  db: Executor,
  values: PricedSessionValues,
): Promise<CheckoutSessionRow | undefined> {
  const [row] = await pricedSessionInsert(db, values);
  return row;
}
