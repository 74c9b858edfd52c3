import { ilike, type SQL } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { listTenantPage } from "../db/list.js";
import { customerSearchText, customers } from "../db/schema/index.js";
import { LIST_TOTAL_CAP, type ListPage, type ListQuery } from "../lib/pagination.js";
import type { CustomerRow } from "./serialize.js";

/** `%`, `_` and `\` typed by a person are literal characters, not LIKE wildcards. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The rows matching `q` (case-insensitive, anywhere in the email, name or externalId), written on the same
 * expression as the trigram index: a term of three characters or more is found through the index, however
 * many customers the merchant has; a shorter one walks the tenant's newest-first index to the page's end.
 */
function matching(q: string): SQL {
  return ilike(customerSearchText(customers), `%${likeLiteral(q)}%`);
}

/** A search counts its matches as every list does, up to this many; a total above it means "more than this". */
export const SEARCH_COUNT_LIMIT = LIST_TOTAL_CAP;

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
    // The page says how many match a search, up to SEARCH_COUNT_LIMIT; the unfiltered list shows no total.
    q === "" ? { countTotal: false } : {},
  );
}
