import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { listTenantPage } from "../db/list.js";
import { invoices } from "../db/schema/index.js";
import type { ListPage, ListQuery } from "../lib/pagination.js";
import type { InvoiceRow } from "./serialize.js";

/** One page of the merchant's invoices as rows, newest first (the dashboard's list). */
export async function listInvoicesPage(
  db: Executor,
  merchant: Merchant,
  query: ListQuery,
): Promise<ListPage<InvoiceRow>> {
  return listTenantPage(db, invoices, merchant, query, (row) => row, undefined, { countTotal: false });
}
