import { and, count, desc, lt, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { decodeCursor, type ListPage, type ListQuery, toListPage } from "../lib/pagination.js";
import type { Executor } from "./client.js";
import { ownedBy, type Tenant } from "./statement.js";

type TenantTable = PgTable & { organizationId: PgColumn; livemode: PgColumn; position: PgColumn };

/** One page of a tenant table, newest first, scoped to the merchant's organization and mode. */
export async function listTenantPage<Table extends TenantTable, T>(
  db: Executor,
  table: Table,
  merchant: Tenant,
  query: ListQuery,
  serialize: (row: Table["$inferSelect"]) => T,
  filter?: SQL,
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
    db
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
