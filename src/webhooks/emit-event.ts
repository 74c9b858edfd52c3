import { sql } from "drizzle-orm";
import type { Executor } from "../db/client.js";
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
  // One statement: the event and its deliveries (one per subscribed endpoint), due at the event's own
  // timestamp because the worker compares against the app clock. A data-modifying CTE always runs, even
  // when no endpoint subscribes.
  const at = createdAt.toISOString();
  await tx.execute(sql`
    with event as (
      insert into events (id, organization_id, livemode, type, object_type, object_id, payload, created_at)
      values (${id}, ${input.organizationId}, ${input.livemode}, ${input.type}, ${input.objectType}, ${input.objectId},
              ${JSON.stringify(payload)}::jsonb, ${at}::timestamptz)
      returning id
    )
    insert into webhook_deliveries (id, organization_id, livemode, event_id, endpoint_id, status, next_attempt_at)
    select 'whdel_' || md5(event.id || e.id), e.organization_id, e.livemode, event.id, e.id, 'pending', ${at}::timestamptz
    from webhook_endpoints e cross join event
    where e.organization_id = ${input.organizationId} and e.livemode = ${input.livemode} and e.active
      and (e.event_types is null or ${input.type} = any(e.event_types))`);
  return id;
}
