import { and, eq, gte, lte, sql } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { paymentDailyTotals, payments } from "../db/schema/index.js";
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

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The merchant's payments in the window by charge date (whole UTC days, `until`'s day included), read from the
 * per-day totals the database keeps with every payment write (migration 0015): a few rows per day, however
 * many payments. Refunds count against the day of the payment they refund.
 */
export async function summarizePayments(
  db: Executor,
  merchant: Merchant,
  window: SummaryWindow,
): Promise<PaymentBucket[]> {
  const t = paymentDailyTotals;
  const bucket =
    window.by === "day"
      ? sql<string>`to_char(${t.day}, 'YYYY-MM-DD')`
      : sql<string>`to_char(date_trunc('week', ${t.day}), 'YYYY-MM-DD')`;
  const rows = await db
    .select({
      bucket,
      currency: t.currency,
      gross: sql<string>`sum(${t.gross})`,
      net: sql<string>`sum(${t.net})`,
      failed: sql<string>`sum(${t.failedCount})`,
    })
    .from(t)
    .where(
      and(
        eq(t.organizationId, merchant.organizationId),
        eq(t.livemode, merchant.livemode),
        gte(t.day, isoDay(window.since)),
        lte(t.day, isoDay(window.until)),
      ),
    )
    .groupBy(sql`1`, t.currency);
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
