import { getTableColumns, type SQL, sql } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import { sellablePriceSql } from "../catalog/index.js";
import type { Executor } from "../db/client.js";
import { checkoutSessions } from "../db/schema/index.js";
import { param, rawStatement, rowsOf } from "../db/statement.js";
import { MAX_AMOUNT } from "../lib/money.js";
import type { CheckoutSessionRow } from "./serialize.js";

/** Columns whose value is the price's snapshot, read from the catalog inside the insert. */
const FROM_PRICE: Partial<Record<keyof CheckoutSessionRow, SQL>> = {
  priceId: sql`price.id`,
  pricingModelId: sql`price.pricing_model_id`,
  unitAmount: sql`price.unit_price`,
  currency: sql`price.currency`,
};

/** What every new product session starts with: literals in the statement, not parameters to send. */
const FIXED: Partial<Record<keyof CheckoutSessionRow, SQL>> = {
  type: sql`'product'`,
  status: sql`'open'`,
  attempt: sql`0`,
  updatedAt: sql`${param("createdAt")}::timestamptz`,
  ...Object.fromEntries(
    (
      [
        "billingAddress",
        "targetSubscriptionId",
        "automaticallyUpdateSubscriptions",
        "paymentMethodType",
        "completedAt",
        "processorIntentId",
        "lastError",
        "purchaseId",
        "subscriptionId",
        "invoiceId",
        "paymentId",
        "paymentMethodId",
      ] as const
    ).map((key) => [key, sql`null`]),
  ),
};

const INSERTED = Object.entries(getTableColumns(checkoutSessions)).filter(([key]) => key !== "position");

/**
 * A product session for a price id in ONE statement: the price is looked up, checked (sellable, total
 * representable) and snapshotted by the insert itself. What every new session starts with is written into
 * the statement; the rest are typed parameters; the identity `position` takes its default.
 */
const pricedSessionInsert = rawStatement<Record<string, unknown>>(
  "insert_priced_checkout_session",
  sql`insert into ${checkoutSessions}
      (${sql.join(
        INSERTED.map(([key]) => sql.identifier(toSnakeCase(key))),
        sql`, `,
      )})
    select ${sql.join(
      INSERTED.map(
        ([key, column]) =>
          FROM_PRICE[key as keyof CheckoutSessionRow] ??
          FIXED[key as keyof CheckoutSessionRow] ??
          sql`${param(key)}::${sql.raw(column.getSQLType())}`,
      ),
      sql`, `,
    )}
    from ${sellablePriceSql()} as price
    where price.unit_price * ${param("quantity")}::bigint <= ${MAX_AMOUNT}
    returning *`,
);
const toSessions = rowsOf(checkoutSessions);

export type PricedSessionValues = Pick<
  CheckoutSessionRow,
  | "id"
  | "organizationId"
  | "livemode"
  | "source"
  | "anonymous"
  | "quantity"
  | "customerId"
  | "customerEmail"
  | "customerName"
  | "successUrl"
  | "cancelUrl"
  | "outputMetadata"
  | "outputName"
  | "preserveBillingCycleAnchor"
  | "expiresAt"
  | "createdAt"
> & { priceId: string };

/** The inserted session, or undefined when the price cannot be sold as asked (the caller finds out why). */
export async function insertPricedSession(
  db: Executor,
  values: PricedSessionValues,
): Promise<CheckoutSessionRow | undefined> {
  const rows = await pricedSessionInsert(db, {
    ...values,
    // Raw parameters skip Drizzle's column encoders: jsonb goes as JSON text, timestamps as ISO strings.
    outputMetadata: values.outputMetadata === null ? null : JSON.stringify(values.outputMetadata),
    expiresAt: values.expiresAt.toISOString(),
    createdAt: values.createdAt.toISOString(),
  });
  return toSessions(rows)[0];
}
