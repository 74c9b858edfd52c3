import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { listTenantPage } from "../db/list.js";
import { payments } from "../db/schema/index.js";
import type { ListPage, ListQuery } from "../lib/pagination.js";
import type { PaymentRow } from "./serialize.js";

/** A page of the merchant's payments as rows (the dashboard formats them), newest first. */
export function listPayments(
  db: Executor,
  merchant: Merchant,
  query: ListQuery,
): Promise<ListPage<PaymentRow>> {
  return listTenantPage(db, payments, merchant, query, (row) => row, undefined, { countTotal: false });
}
