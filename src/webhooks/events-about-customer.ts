import { and, desc, eq, or, sql } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { events } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import type { EventRow } from "./serialize.js";

/**
 * The latest events about one customer, newest first: the customer's own (`customer.*`) and every event whose
 * object names it as `customerId` (payments, subscriptions, invoices, cards…). No index covers the payload, so
 * this walks the tenant's events newest first until it has `limit` of them; fine for a page, not for a sweep.
 */
export function listRecentEventsAboutCustomer(
  db: Executor,
  merchant: Merchant,
  customerId: string,
  limit: number,
): Promise<EventRow[]> {
  return db
    .select()
    .from(events)
    .where(
      and(
        ownedBy(events, merchant),
        or(
          and(eq(events.objectType, "customer"), eq(events.objectId, customerId)),
          sql`${events.payload} -> 'data' ->> 'customerId' = ${customerId}`,
        ),
      ),
    )
    .orderBy(desc(events.position))
    .limit(limit);
}
