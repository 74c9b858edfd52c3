import { and, gte, inArray, lte, sql } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { payments } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";

/** A window of days, grouped into days or ISO weeks (Monday first), in UTC like everything Glade stores. */
export type SummaryWindow = { since: Date; until: Date; by: "day" | "week" };

/** One bucket of one currency: money in minor units, `bucket` the UTC day (or the week's Monday), YYYY-MM-DD. */
export type PaymentBucket = {
  bucket: string;
  currency: string;
  /** Payments that succeeded (a fully refunded one included: it was volume when charged). */
  gross: number;
  /** `gross` less what has been refunded of those payments so far. */
  net: number;
  failed: number;
};

/**
 * The merchant's payments in the window by charge date, summed by Postgres (one GROUP BY, never the rows in
 * Node). Refunds count against the day of the payment they refund: a payment keeps its refunded total only.
 */
export async function summarizePayments(
  db: Executor,
  merchant: Merchant,
  window: SummaryWindow,
): Promise<PaymentBucket[]> {
  const bucket = sql<string>`to_char(date_trunc(${window.by}, ${payments.chargeDate} at time zone 'UTC'), 'YYYY-MM-DD')`;
  const settled = sql`${payments.status} in ('succeeded', 'refunded')`;
  const rows = await db
    .select({
      bucket,
      currency: payments.currency,
      gross: sql<string>`coalesce(sum(${payments.amount}) filter (where ${settled}), 0)`,
      net: sql<string>`coalesce(sum(${payments.amount} - ${payments.refundedAmount}) filter (where ${settled}), 0)`,
      failed: sql<string>`count(*) filter (where ${payments.status} = 'failed')`,
    })
    .from(payments)
    .where(
      and(
        ownedBy(payments, merchant),
        gte(payments.chargeDate, window.since),
        lte(payments.chargeDate, window.until),
        inArray(payments.status, ["succeeded", "refunded", "failed"]),
      ),
    )
    .groupBy(sql`1`, payments.currency);
  return rows.map((r) => ({
    bucket: r.bucket,
    currency: r.currency,
    gross: Number(r.gross),
    net: Number(r.net),
    failed: Number(r.failed),
  }));
}

/** Whether the merchant has recorded any payment in this mode (the dashboard's "get started" state until then). */
export async function hasAnyPayment(db: Executor, merchant: Merchant): Promise<boolean> {
  const [row] = await db
    .select({ one: sql<number>`1` })
    .from(payments)
    .where(ownedBy(payments, merchant))
    .limit(1);
  return row !== undefined;
}
