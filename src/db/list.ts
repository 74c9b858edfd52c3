import { and, count, desc, lt, type SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { decodeCursor, type ListPage, type ListQuery, toListPage } from "../lib/pagination.js";
import type { Executor } from "./client.js";
import { ownedBy, type Tenant } from "./statement.js";

type TenantTable = PgTable & { organizationId: PgColumn; livemode: PgColumn; position: PgColumn };

/**
 * One page of a tenant table, newest first, scoped to the merchant's organization and mode. `countTotal: false`
 * skips counting every matching row (the API's `total`), whose cost grows with the table: the page then says
 * `total: -1`. The dashboard's lists page with "Older" links and never show a total. `countUpTo: n` counts
 * at most n + 1 rows (a total of n + 1 reads "more than n"), so a broad search costs no more than n rows.
 */
export async function listTenantPage<Table extends TenantTable, T>(
  db: Executor,
  table: Table,
  merchant: Tenant,
  query: ListQuery,
  serialize: (row: Table["$inferSelect"]) => T,
  filter?: SQL,
  options: { countTotal?: boolean; countUpTo?: number } = {},
): Promise<ListPage<T>> {
  const scope = and(ownedBy(table, merchant), filter);
  const before = decodeCursor(query.cursor);
  const pageWhere = before === undefined ? scope : and(scope, lt(table.position, before));
  const [rows, totals] = await Promise.all([
    db
      .select()
      .from(table as PgTable)
      .where(pageWhere)
      .orderBy(desc(table.position))
      .limit(query.limit + 1),
    options.countTotal === false
      ? [{ n: -1 }]
      : options.countUpTo !== undefined
        ? countUpTo(db, table, scope, options.countUpTo)
        : db
            .select({ n: count() })
            .from(table as PgTable)
            .where(scope),
  ]);
  return toListPage(
    rows as unknown as (Table["$inferSelect"] & { position: number })[],
    query,
    totals[0]?.n ?? 0,
    serialize,
  );
}

function countUpTo(db: Executor, table: TenantTable, scope: SQL | undefined, limit: number) {
  const matches = db
    .select({ one: sql`1` })
    .from(table as PgTable)
    .where(scope)
    .limit(limit + 1)
    .as("matches");
  return db.select({ n: count() }).from(matches);
}
