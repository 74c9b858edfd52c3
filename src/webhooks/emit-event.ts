import { sql } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { events } from "../db/schema/index.js";
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
  "subscription.created",
  "subscription.updated",
  "subscription.canceled",
  "payment_method.created",
  "invoice.paid",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type EmitEventInput = {
  organizationId: string;
  livemode: boolean;
  type: EventType;
  objectType: string;
  objectId: string;
  /** The full wire object, exactly as the API would return it. */
  object: Record<string, unknown>;
};

/**
 * Writes the event and one pending delivery per subscribed endpoint. Call it inside the transaction that
 * makes the change: either both commit or neither does, so no committed change goes unannounced.
 */
export async function emitEvent(tx: Executor, input: EmitEventInput): Promise<string> {
  const id = newId("event");
  const createdAt = new Date();
  const payload = {
    id,
    type: input.type,
    createdAt: createdAt.getTime(),
    livemode: input.livemode,
    organizationId: input.organizationId,
    object: input.objectType,
    data: input.object,
  };
  await tx.insert(events).values({
    id,
    organizationId: input.organizationId,
    livemode: input.livemode,
    type: input.type,
    objectType: input.objectType,
    objectId: input.objectId,
    payload,
    createdAt,
  });
  // Due at the event's own timestamp: the worker compares against the app clock, not the database's.
  await tx.execute(sql`
    insert into webhook_deliveries (id, organization_id, livemode, event_id, endpoint_id, status, next_attempt_at)
    select 'whdel_' || md5(${id} || e.id), e.organization_id, e.livemode, ${id}, e.id, 'pending', ${createdAt.toISOString()}::timestamptz
    from webhook_endpoints e
    where e.organization_id = ${input.organizationId} and e.livemode = ${input.livemode} and e.active
      and (e.event_types is null or ${input.type} = any(e.event_types))`);
  return id;
}
