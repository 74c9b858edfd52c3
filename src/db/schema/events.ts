import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamptz } from "../columns.js";

/** The outbox: written in the same transaction as the change it describes. */
export const events = pgTable(
  "events",
  {
    id: text().primaryKey(),
    organizationId: text().notNull(),
    livemode: boolean().notNull(),
    type: text().notNull(),
    objectType: text().notNull(),
    objectId: text().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: timestamptz().notNull().defaultNow(),
    position: bigint({ mode: "number" }).generatedAlwaysAsIdentity(),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    // `GET /events?type=`: a rare type's page and count read its own rows, not the merchant's whole log.
    index("events_by_type").on(t.organizationId, t.livemode, t.type, t.position),
  ],
);

export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: text().primaryKey(),
    organizationId: text().notNull(),
    livemode: boolean().notNull(),
    url: text().notNull(),
    /** `whsec_<base64>`; needed in clear to sign, so it is kept like a credential, never logged. */
    secret: text().notNull(),
    /** null = every event type. */
    eventTypes: text().array(),
    active: boolean().notNull().default(true),
    description: text(),
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
    position: bigint({ mode: "number" }).generatedAlwaysAsIdentity(),
    /** Failed attempts since the last success; the circuit opens at CIRCUIT_OPENS_AFTER (see circuit.ts). */
    consecutiveFailures: integer().notNull().default(0),
    /** null = circuit closed. Until then nothing is claimed; after it, one probe at a time. */
    circuitOpenUntil: timestamptz(),
    /** When the worker last took deliveries of this endpoint: the round-robin order among endpoints. */
    lastClaimedAt: timestamptz(),
  },
  (t) => [index().on(t.organizationId, t.livemode, t.position)],
);

export type WebhookDeliveryStatus = "pending" | "delivered" | "failed";

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text().primaryKey(),
    organizationId: text().notNull(),
    livemode: boolean().notNull(),
    eventId: text().notNull(),
    endpointId: text().notNull(),
    status: text().$type<WebhookDeliveryStatus>().notNull().default("pending"),
    attemptCount: integer().notNull().default(0),
    nextAttemptAt: timestamptz().notNull().defaultNow(),
    /** A worker's claim; expires so a crashed worker's batch is picked up again. */
    lockedUntil: timestamptz(),
    lastAttemptAt: timestamptz(),
    deliveredAt: timestamptz(),
    createdAt: timestamptz().notNull().defaultNow(),
    /** Creation order: the delivery log's keyset cursor. */
    position: bigint({ mode: "number" }).generatedAlwaysAsIdentity(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event_endpoint").on(t.eventId, t.endpointId),
    // The claim walks this per endpoint (earliest due first); it holds only what is still to send.
    index("webhook_deliveries_pending_due")
      .on(t.endpointId, t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    index("webhook_deliveries_endpoint_log").on(t.endpointId, t.position),
  ],
);

export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: text().primaryKey(),
    deliveryId: text().notNull(),
    organizationId: text().notNull(),
    livemode: boolean().notNull(),
    attemptedAt: timestamptz().notNull(),
    statusCode: integer(),
    durationMs: integer().notNull(),
    responseSnippet: text(),
    error: text(),
  },
  (t) => [index().on(t.deliveryId)],
);
