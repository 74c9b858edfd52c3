import { sql } from "drizzle-orm";
import type { Executor } from "../../src/db/client.js";

export type Backlog = {
  organizationId: string;
  livemode?: boolean;
  endpointId: string;
  count: number;
  /** Distinguishes the ids of several backlogs in one database. */
  tag: string;
  status?: "pending" | "delivered" | "failed";
  /** When the newest one is due; the others are due a millisecond apart before it, oldest first. */
  dueBy?: Date;
};

/**
 * `count` events and one delivery of each to the endpoint, written by two INSERT … SELECT generate_series
 * statements (what 100k of them through emitEvent would take minutes to build). Ids and positions follow the
 * series, so the first one is the oldest.
 */
export async function seedBacklog(db: Executor, backlog: Backlog): Promise<void> {
  const { organizationId, endpointId, count, tag } = backlog;
  const livemode = backlog.livemode ?? false;
  const dueBy = (backlog.dueBy ?? new Date()).toISOString();
  const status = backlog.status ?? "pending";
  const eventId = sql`'evt_' || ${tag}::text || '_' || lpad(g::text, 8, '0')`;
  await db.execute(sql`
    insert into events (id, organization_id, livemode, type, object_type, object_id, payload, created_at)
    select ${eventId}, ${organizationId}::text, ${livemode}::boolean, 'payment.succeeded', 'payment', 'pymt_' || g,
      jsonb_build_object('id', ${eventId}, 'type', 'payment.succeeded', 'livemode', ${livemode}::boolean,
        'organizationId', ${organizationId}::text, 'object', 'payment', 'data', jsonb_build_object('n', g)),
      ${dueBy}::timestamptz - (${count}::int - g) * interval '1 millisecond'
    from generate_series(1, ${count}::int) g`);
  await db.execute(sql`
    insert into webhook_deliveries
      (id, organization_id, livemode, event_id, endpoint_id, status, next_attempt_at, created_at)
    select 'whdel_' || md5(${eventId} || ${endpointId}::text), ${organizationId}::text, ${livemode}::boolean,
      ${eventId}, ${endpointId}::text, ${status}::text,
      ${dueBy}::timestamptz - (${count}::int - g) * interval '1 millisecond',
      ${dueBy}::timestamptz - (${count}::int - g) * interval '1 millisecond'
    from generate_series(1, ${count}::int) g
    order by g`);
}
