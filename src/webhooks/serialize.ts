import type { events, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../db/schema/index.js";
import { toEpochMs, toEpochMsOrNull } from "../lib/wire.js";

export type EventRow = typeof events.$inferSelect;
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect;

/** `secret` is the opened signing secret (the row holds it sealed: see secret-at-rest.ts). */
export function serializeWebhook(row: WebhookEndpointRow, secret: string) {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.eventTypes ?? null,
    description: row.description ?? null,
    active: row.active,
    secret,
    livemode: row.livemode,
    organizationId: row.organizationId,
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
}
export type WebhookRecord = ReturnType<typeof serializeWebhook>;

/** The API shows an event exactly as its webhook body, so what a merchant fetches and receives agree. */
export function serializeEvent(row: EventRow) {
  const payload = row.payload as {
    id: string;
    type: string;
    createdAt: number;
    livemode: boolean;
    organizationId: string;
    object: string;
    data: Record<string, unknown>;
  };
  return {
    id: payload.id,
    type: payload.type,
    createdAt: payload.createdAt,
    livemode: payload.livemode,
    organizationId: payload.organizationId,
    object: payload.object,
    data: payload.data,
  };
}
export type EventRecord = ReturnType<typeof serializeEvent>;

export function serializeAttempt(row: WebhookAttemptRow) {
  return {
    id: row.id,
    attemptedAt: toEpochMs(row.attemptedAt),
    statusCode: row.statusCode ?? null,
    durationMs: row.durationMs,
    responseSnippet: row.responseSnippet ?? null,
    error: row.error ?? null,
  };
}

/** Why a failed delivery stopped, read from its last recorded attempt (or cancellation note). */
function failureReason(delivery: WebhookDeliveryRow, attempts: WebhookAttemptRow[]): string | null {
  if (delivery.status !== "failed") return null;
  const last = attempts[attempts.length - 1];
  if (!last) return "failed";
  if (last.error) return last.error;
  return last.statusCode === null ? "failed" : `receiver answered HTTP ${last.statusCode}`;
}

export function serializeDelivery(row: WebhookDeliveryRow, eventType: string, attempts: WebhookAttemptRow[]) {
  return {
    id: row.id,
    eventId: row.eventId,
    eventType,
    webhookId: row.endpointId,
    status: row.status,
    attemptCount: row.attemptCount,
    nextAttemptAt: row.status === "pending" ? toEpochMs(row.nextAttemptAt) : null,
    lastAttemptAt: toEpochMsOrNull(row.lastAttemptAt),
    deliveredAt: toEpochMsOrNull(row.deliveredAt),
    failureReason: failureReason(row, attempts),
    livemode: row.livemode,
    createdAt: toEpochMs(row.createdAt),
    attempts: attempts.map(serializeAttempt),
  };
}
export type DeliveryRecord = ReturnType<typeof serializeDelivery>;
