import { and, eq, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { Tenant } from "./statement.js";

/**
 * The isolation boundary: a row belongs to the merchant only in its own organization AND its own mode.
 * Every tenant query goes through this one predicate so there is a single place to audit.
 */
export function ownedBy(table: { organizationId: PgColumn; livemode: PgColumn }, merchant: Tenant): SQL {
  return and(eq(table.organizationId, merchant.organizationId), eq(table.livemode, merchant.livemode)) as SQL;
}
