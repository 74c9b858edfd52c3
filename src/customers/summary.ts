import { and, gte, lte, sql } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { customers } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";

/**
 * Customers created in [since, until] by UTC day (or the week's Monday), as `YYYY-MM-DD`: counted by Postgres
 * (one GROUP BY), archived ones included since they were new then.
 */
export async function countNewCustomers(
  db: Executor,
  merchant: Merchant,
  window: { since: Date; until: Date; by: "day" | "week" },
): Promise<{ bucket: string; count: number }[]> {
  const rows = await db
    .select({
      bucket: sql<string>`to_char(date_trunc(${window.by}, ${customers.createdAt} at time zone 'UTC'), 'YYYY-MM-DD')`,
      count: sql<string>`count(*)`,
    })
    .from(customers)
    .where(
      and(
        ownedBy(customers, merchant),
        gte(customers.createdAt, window.since),
        lte(customers.createdAt, window.until),
      ),
    )
    .groupBy(sql`1`);
  return rows.map((r) => ({ bucket: r.bucket, count: Number(r.count) }));
}
