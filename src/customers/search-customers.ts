import { ilike, or, type SQL } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { listTenantPage } from "../db/list.js";
import { customers } from "../db/schema/index.js";
import type { ListPage, ListQuery } from "../lib/pagination.js";
import type { CustomerRow } from "./serialize.js";

/** `%`, `_` and `\` typed by a person are literal characters, not LIKE wildcards. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The rows matching `q` (case-insensitive, anywhere in the email, name or externalId). The scan walks the
 * tenant's (organization, mode, position) index newest first and stops at the page's end; there is no
 * trigram index (it needs a migration), so a rare term scans the tenant's customers.
 */
function matching(q: string): SQL | undefined {
  const pattern = `%${likeLiteral(q)}%`;
  return or(
    ilike(customers.email, pattern),
    ilike(customers.name, pattern),
    ilike(customers.externalId, pattern),
  );
}

/** A page of the merchant's customers, newest first; with a non-blank `q`, only those it matches. */
export function searchCustomers(
  db: Executor,
  merchant: Merchant,
  query: ListQuery & { q?: string | undefined },
): Promise<ListPage<CustomerRow>> {
  const q = (query.q ?? "").trim();
  return listTenantPage(
    db,
    customers,
    merchant,
    { limit: query.limit, cursor: query.cursor },
    (row) => row,
    q === "" ? undefined : matching(q),
    // The page says how many match a search; the unfiltered list never shows a total, so it is not counted.
    { countTotal: q !== "" },
  );
}
