import { and, eq, gt, lte, or, type SQL } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { listTenantPage } from "../db/list.js";
import { type CheckoutSessionStatus, checkoutSessions } from "../db/schema/index.js";
import type { ListPage, ListQuery } from "../lib/pagination.js";
import type { CheckoutSessionRow } from "./serialize.js";

export type CheckoutListStatus = CheckoutSessionStatus;

/**
 * The status a reader is shown at `now`: an open session past its expiry is expired (the sweeper writes it
 * soon), so a list never offers to expire or pay a session that is already over.
 */
export function shownStatus(session: CheckoutSessionRow, now: Date): CheckoutSessionStatus {
  return session.status === "open" && session.expiresAt.getTime() <= now.getTime()
    ? "expired"
    : session.status;
}

function statusFilter(status: CheckoutSessionStatus, now: Date): SQL | undefined {
  const t = checkoutSessions;
  if (status === "open") return and(eq(t.status, "open"), gt(t.expiresAt, now));
  if (status === "expired")
    return or(eq(t.status, "expired"), and(eq(t.status, "open"), lte(t.expiresAt, now)));
  return eq(t.status, status);
}

/**
 * One page of the merchant's sessions, newest first, optionally of one shown status. A read only: unlike the
 * API's list it does not write the expiry of due sessions (the dashboard's GETs change nothing).
 */
export async function listCheckoutSessionsPage(
  db: Executor,
  merchant: Merchant,
  query: ListQuery,
  now: Date,
  status?: CheckoutSessionStatus,
): Promise<ListPage<CheckoutSessionRow>> {
  return listTenantPage(
    db,
    checkoutSessions,
    merchant,
    query,
    (row) => row,
    status === undefined ? undefined : statusFilter(status, now),
    { countTotal: false },
  );
}
