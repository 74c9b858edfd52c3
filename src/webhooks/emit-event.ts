import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { Database, Executor, Transaction } from "../db/client.js";
import type { Plan } from "../db/planned-rows.js";
import { param, rawStatement } from "../db/statement.js";
import { settleAtCommit } from "../db/transaction.js";
import { newId } from "../lib/ids.js";

export const EVENT_TYPES = [
  "checkout_session.succeeded",
  "checkout_session.failed",
  "checkout_session.expired",
  "customer.created",
  "customer.updated",
  "purchase.completed",
  "payment.succeeded",
  "payment.failed",
  "payment.refunded",
  "payment.disputed",
  "subscription.created",
  "subscription.updated",
  "subscription.canceled",
  "payment_method.created",
  "invoice.paid",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The order a transaction's events are written in, whatever order its concurrent writes finished in: what
 * exists first comes first (the customer, its card, the subscription, the purchase, the invoice, the
 * payment), what it all completes comes last. Events of one type keep the order they were emitted in.
 */
const CAUSAL_ORDER = [
  "customer.created",
  "customer.updated",
  "payment_method.created",
  "subscription.created",
  "purchase.completed",
  "invoice.paid",
  "payment.succeeded",
  "payment.failed",
  "payment.refunded",
  "payment.disputed",
  "subscription.updated",
  "subscription.canceled",
  "checkout_session.succeeded",
  "checkout_session.failed",
  "checkout_session.expired",
] as const satisfies readonly EventType[];
// Every event type has its place: a type added to EVENT_TYPES and not here fails to compile.
const everyTypeRanked: Exclude<EventType, (typeof CAUSAL_ORDER)[number]> extends never ? true : never = true;
void everyTypeRanked;
const causalRank = new Map<EventType, number>(CAUSAL_ORDER.map((type, rank) => [type, rank]));
const rankOf = (row: PlannedEvent) => causalRank.get(row.type) ?? CAUSAL_ORDER.length;

/** A transaction's events in the order they are written. Array sort is stable: one type keeps emission order. */
export function inCausalOrder(rows: PlannedEvent[]): PlannedEvent[] {
  return rows.sort((a, b) => rankOf(a) - rankOf(b));
}

export type EmitEventInput = {
  organizationId: string;
  livemode: boolean;
  type: EventType;
  objectType: string;
  objectId: string;
  /** The full wire object, exactly as the API would return it. */
  object: Record<string, unknown>;
};

/** The event announcing a change to one tenant row: the row's owner, mode and id, with its wire object. */
export function eventAbout(
  row: { id: string; organizationId: string; livemode: boolean },
  type: EventType,
  objectType: string,
  object: Record<string, unknown>,
): EmitEventInput {
  return {
    organizationId: row.organizationId,
    livemode: row.livemode,
    type,
    objectType,
    objectId: row.id,
    object,
  };
}

/** A domain's plan of a row for a composed statement, with the events it emits (`Plan`). */
export type Planned<Row> = Plan<Row, EmitEventInput>;

/** One event as `jsonb_to_recordset` reads it: column names, not API names. */
export type PlannedEvent = {
  id: string;
  organization_id: string;
  livemode: boolean;
  type: EventType;
  object_type: string;
  object_id: string;
  payload: Record<string, unknown>;
  created_at: string;
};

/**
 * Events and their deliveries (one per subscribed endpoint), as two CTEs (`event`, `delivery`) of a
 * statement: the JSON array `events` is unpacked in order, so events keep the order they were emitted in.
 * Deliveries are created and due at the event's own timestamp because the worker compares against the app
 * clock. A data-modifying CTE always runs, even when no endpoint subscribes. With `guard`, the events are
 * written only when that CTE of the same statement yields a row.
 */
export function eventsWithDeliveriesSql(events: SQLWrapper, guard?: SQL): SQL {
  return sql`event as (
      insert into events (id, organization_id, livemode, type, object_type, object_id, payload, created_at)
      select u.id, u.organization_id, u.livemode, u.type, u.object_type, u.object_id, u.payload, u.created_at
      from ${guard ? sql`${guard}, ` : sql``}rows from (jsonb_to_recordset(${events}::jsonb) as (id text,
        organization_id text, livemode boolean, type text, object_type text, object_id text, payload jsonb,
        created_at timestamptz))
        with ordinality as u(id, organization_id, livemode, type, object_type, object_id, payload, created_at, n)
      order by u.n
      returning id, organization_id, livemode, type, created_at
    ), delivery as (
      insert into webhook_deliveries (id, organization_id, livemode, event_id, endpoint_id, status, next_attempt_at,
        created_at)
      select 'whdel_' || md5(event.id || e.id), e.organization_id, e.livemode, event.id, e.id, 'pending', event.created_at,
        event.created_at
      from event join webhook_endpoints e
        on e.organization_id = event.organization_id and e.livemode = event.livemode and e.active
        and (e.event_types is null or event.type = any(e.event_types))
      returning id
    )`;
}

const insertEvents = rawStatement(
  "insert_events",
  sql`with ${eventsWithDeliveriesSql(param("events"))} select count(*) as deliveries from delivery`,
);

function writeEvents(tx: Executor, rows: PlannedEvent[]): Promise<unknown> {
  return insertEvents(tx, { events: JSON.stringify(rows) });
}

/** Events emitted inside a `transactionWithEvents`, waiting to be written just before it commits. */
const outboxes = new WeakMap<object, PlannedEvent[]>();

/**
 * One transaction whose events are written together, in one statement, sent with its COMMIT: a checkout
 * emits half a dozen events, and each used to be its own round trip. Rolled back, they vanish with
 * everything else.
 */
export async function transactionWithEvents<T>(
  db: Database,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    const pending: PlannedEvent[] = [];
    outboxes.set(tx, pending);
    const result = await work(tx);
    outboxes.delete(tx);
    if (pending.length > 0) {
      await settleAtCommit(tx, [writeEvents(tx, inCausalOrder(pending))]);
    }
    return result;
  });
}

/**
 * Records the event and one pending delivery per subscribed endpoint. Call it inside the transaction that
 * makes the change: either both commit or neither does, so no committed change goes unannounced. Inside
 * `transactionWithEvents` the write joins the others at commit; elsewhere it happens now. `now` is the
 * operation's instant (`deps.now()`), the one its rows carry: the event's timestamp, and when its deliveries
 * are due.
 */
export async function emitEvent(tx: Executor, input: EmitEventInput, now: Date): Promise<string> {
  const row = planEvent(input, now);
  const pending = outboxes.get(tx);
  if (pending) pending.push(row);
  else await writeEvents(tx, [row]);
  return row.id;
}

/** The event row `emitEvent` writes, for a statement that writes its events itself (`eventsWithDeliveriesSql`). */
export function planEvent(input: EmitEventInput, createdAt: Date): PlannedEvent {
  const id = newId("event");
  const payload = {
    id,
    type: input.type,
    createdAt: createdAt.getTime(),
    livemode: input.livemode,
    organizationId: input.organizationId,
    object: input.objectType,
    data: input.object,
  };
  return {
    id,
    organization_id: input.organizationId,
    livemode: input.livemode,
    type: input.type,
    object_type: input.objectType,
    object_id: input.objectId,
    payload,
    created_at: createdAt.toISOString(),
  };
}
