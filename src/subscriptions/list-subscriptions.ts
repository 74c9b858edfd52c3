import { eq } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { listTenantPage } from "../db/list.js";
import { type SubscriptionStatus, subscriptions } from "../db/schema/index.js";
import type { ListPage, ListQuery } from "../lib/pagination.js";
import type { SubscriptionRow } from "./serialize.js";

/** One page of the merchant's subscriptions, newest first, optionally of one status (the dashboard's list). */
export async function listSubscriptionsPage(
  db: Executor,
  merchant: Merchant,
  query: ListQuery,
  status?: SubscriptionStatus,
): Promise<ListPage<SubscriptionRow>> {
  return listTenantPage(
    db,
    subscriptions,
    merchant,
    query,
    (row) => row,
    status === undefined ? undefined : eq(subscriptions.status, status),
    { countTotal: false },
  );
}
