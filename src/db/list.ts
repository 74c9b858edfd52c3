import { and, count, desc, lt, type SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import {
  decodeCursor,
  LIST_TOTAL_CAP,
  type ListPage,
  type ListQuery,
  toListPage,
} from "../lib/pagination.js";
import type { Executor } from "./client.js";
import { ownedBy, type Tenant } from "./statement.js";

type TenantTable = PgTable & { organizationId: PgColumn; livemode: PgColumn; position: PgColumn };

/**
 * One page of a tenant table, newest first, scoped to the merchant's organization and mode. Its cost is the
 * page plus at most `countUpTo + 1` index entries for `total` (default LIST_TOTAL_CAP), whatever the size of
 * the tenant's table. `countTotal: false` skips the count (the page says `total: -1`): the dashboard's lists
 * page with "Older" links and never show a total.
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
  const [rows, totals] = await Promise.all([
    tenantPageQuery(db, table, merchant, query, filter),
    options.countTotal === false
      ? [{ n: -1 }]
      : countUpTo(db, table, scope, options.countUpTo ?? LIST_TOTAL_CAP),
  ]);
  return toListPage(
    rows as unknown as (Table["$inferSelect"] & { position: number })[],
    query,
    totals[0]?.n ?? 0,
    serialize,
  );
}

/** The page's rows, `limit + 1` of them (the extra one says `hasMore`), before the cursor, newest first. */
export function tenantPageQuery(
  db: Executor,
  table: TenantTable,
  merchant: Tenant,
  query: ListQuery,
  filter?: SQL,
) {
  const scope = and(ownedBy(table, merchant), filter);
  const before = decodeCursor(query.cursor);
  return db
    .select()
    .from(table as PgTable)
    .where(before === undefined ? scope : and(scope, lt(table.position, before)))
    .orderBy(desc(table.position))
    .limit(query.limit + 1);
}

/** How many rows `scope` matches, counted up to `limit + 1` (which reads "more than `limit`"). */
export function countUpTo(db: Executor, table: TenantTable, scope: SQL | undefined, limit: number) {
  const matches = db
    .select({ one: sql`1` })
    .from(table as PgTable)
    .where(scope)
    // In the page's order: the generic plan of a long-lived connection then walks the tenant's index for both.
    // Without it, that plan (made without the tenant's values) was a sequential scan stopped at `limit + 1`,
    // which for a small tenant beside a large one reads the whole table and never reaches the limit.
    .orderBy(desc(table.position))
    .limit(limit + 1)
    .as("matches");
  return db.select({ n: count() }).from(matches);
}
