import { createHash } from "node:crypto";
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { listTenantPage } from "../db/list.js";
import { events, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { notFound, unprocessable } from "../lib/errors.js";
import type { ListPage, ListQuery } from "../lib/pagination.js";
import type { EventType } from "./emit-event.js";
import { requireWebhookEndpoint } from "./endpoints.js";
import {
  type DeliveryRecord,
  type EventRecord,
  type EventRow,
  serializeDelivery,
  serializeEvent,
  type WebhookAttemptRow,
} from "./serialize.js";

export async function getEvent(db: Executor, merchant: Merchant, id: string): Promise<EventRow | undefined> {
  const [row] = await db
    .select()
    .from(events)
    .where(and(eq(events.id, id), ownedBy(events, merchant)));
  return row;
}

/** The merchant's events among `ids` (another tenant's are left out), for showing what deliveries carried. */
export async function getEventsByIds(db: Executor, merchant: Merchant, ids: string[]): Promise<EventRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(events)
    .where(and(inArray(events.id, ids), ownedBy(events, merchant)));
}

export function listEvents(
  db: Executor,
  merchant: Merchant,
  query: ListQuery & { type?: EventType | undefined },
): Promise<ListPage<EventRecord>> {
  const filter = query.type === undefined ? undefined : eq(events.type, query.type);
  return listTenantPage(db, events, merchant, query, serializeEvent, filter);
}

/** Each delivery's attempts, oldest first. */
export async function attemptsByDelivery(db: Executor, deliveryIds: string[]) {
  const byDelivery = new Map<string, WebhookAttemptRow[]>();
  if (deliveryIds.length === 0) return byDelivery;
  const rows = await db
    .select()
    .from(webhookAttempts)
    .where(inArray(webhookAttempts.deliveryId, deliveryIds))
    .orderBy(asc(webhookAttempts.attemptedAt));
  for (const row of rows) {
    const list = byDelivery.get(row.deliveryId) ?? [];
    list.push(row);
    byDelivery.set(row.deliveryId, list);
  }
  return byDelivery;
}

/** Same id rule as the fan-out in emitEvent, so a delivery's id is a function of (event, endpoint). */
const deliveryId = (eventId: string, endpointId: string) =>
  `whdel_${createHash("md5")
    .update(eventId + endpointId)
    .digest("hex")}`;

/**
 * Starts a fresh delivery cycle for the event: to one endpoint, or to every active endpoint that
 * subscribes to its type now. Earlier attempts stay in the log; the webhook-id stays the event id, so
 * a receiver that already processed it can recognise the repeat.
 */
export async function redeliverEvent(
  tx: Executor,
  merchant: Merchant,
  eventId: string,
  input: { webhookId?: string | undefined },
  now: Date,
): Promise<DeliveryRecord[]> {
  const event = await getEvent(tx, merchant, eventId);
  if (!event) throw notFound("Event", eventId);
  const subscribes = (types: string[] | null) => types === null || types.includes(event.type);
  let endpointIds: string[];
  if (input.webhookId !== undefined) {
    const endpoint = await requireWebhookEndpoint(tx, merchant, input.webhookId);
    if (!endpoint.active) throw unprocessable(`Webhook ${endpoint.id} is not active`);
    if (!subscribes(endpoint.eventTypes)) {
      throw unprocessable(`Webhook ${endpoint.id} does not subscribe to ${event.type} events`);
    }
    endpointIds = [endpoint.id];
  } else {
    const endpoints = await tx
      .select({ id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes })
      .from(webhookEndpoints)
      .where(and(ownedBy(webhookEndpoints, merchant), eq(webhookEndpoints.active, true)));
    endpointIds = endpoints.filter((e) => subscribes(e.eventTypes)).map((e) => e.id);
    if (endpointIds.length === 0) {
      throw unprocessable(`No active webhook subscribes to ${event.type} events`);
    }
  }
  const rows = await tx
    .insert(webhookDeliveries)
    .values(
      endpointIds.map((endpointId) => ({
        id: deliveryId(event.id, endpointId),
        organizationId: merchant.organizationId,
        livemode: merchant.livemode,
        eventId: event.id,
        endpointId,
        status: "pending" as const,
        attemptCount: 0,
        nextAttemptAt: now,
        createdAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: [webhookDeliveries.eventId, webhookDeliveries.endpointId],
      // A redelivery also breaks any claim in progress: that worker's result no longer applies.
      set: {
        status: "pending",
        attemptCount: 0,
        nextAttemptAt: now,
        lockedUntil: null,
        deliveredAt: null,
      },
    })
    .returning();
  const attempts = await attemptsByDelivery(
    tx,
    rows.map((r) => r.id),
  );
  return rows.map((r) => serializeDelivery(r, event.type, attempts.get(r.id) ?? []));
}
