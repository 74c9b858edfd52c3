import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { AppDeps, Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { listTenantPage } from "../db/list.js";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { notFound, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import type { ListPage, ListQuery } from "../lib/pagination.js";
import { assertRegistrable } from "./destination.js";
import type { CreateWebhookInput, UpdateWebhookInput } from "./schemas.js";
import { secretToStore } from "./secret-at-rest.js";
import type { WebhookEndpointRow } from "./serialize.js";

/** Standard Webhooks secret: `whsec_` + base64 of 24 random bytes (192 bits). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/** What registering an endpoint reads: the address policy, and the key that seals its signing secret. */
export type EndpointConfig = Pick<AppDeps["config"], "webhookAllowPrivate" | "encryptionKey">;

export const ENDPOINT_DELETED_REASON = "Canceled: the webhook endpoint was deleted before this was delivered";

const scoped = (merchant: Merchant, id: string) =>
  and(eq(webhookEndpoints.id, id), ownedBy(webhookEndpoints, merchant));

const uniqueTypes = (types: readonly string[] | null | undefined) =>
  types === undefined ? undefined : types === null ? null : [...new Set(types)];

export async function getWebhookEndpoint(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<WebhookEndpointRow | undefined> {
  const [row] = await db.select().from(webhookEndpoints).where(scoped(merchant, id));
  return row;
}

/** The merchant's endpoints, newest first, as rows (the dashboard shows them; the API serializes them). */
export function listWebhookEndpoints(
  db: Executor,
  merchant: Merchant,
  query: ListQuery,
): Promise<ListPage<WebhookEndpointRow>> {
  return listTenantPage(db, webhookEndpoints, merchant, query, (row) => row);
}

export async function requireWebhookEndpoint(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<WebhookEndpointRow> {
  const row = await getWebhookEndpoint(db, merchant, id);
  if (!row) throw notFound("Webhook", id);
  return row;
}

export async function createWebhookEndpoint(
  tx: Executor,
  merchant: Merchant,
  input: CreateWebhookInput,
  now: Date,
  config: EndpointConfig,
): Promise<WebhookEndpointRow> {
  assertRegistrable(input.url, config.webhookAllowPrivate);
  const id = newId("webhookEndpoint");
  const [row] = await tx
    .insert(webhookEndpoints)
    .values({
      id,
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      url: input.url,
      secret: secretToStore(config, id, newWebhookSecret()),
      eventTypes: uniqueTypes(input.eventTypes) ?? null,
      description: input.description ?? null,
      active: input.active ?? true,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) panic("webhook endpoint insert returned nothing");
  return row;
}

/**
 * Setting `active: false` pauses the endpoint: no new deliveries are queued and queued ones wait (the
 * worker skips inactive endpoints) until it is reactivated. Deleting is what cancels them.
 */
export async function updateWebhookEndpoint(
  tx: Executor,
  merchant: Merchant,
  id: string,
  input: UpdateWebhookInput,
  now: Date,
  config: EndpointConfig,
): Promise<WebhookEndpointRow> {
  if (input.url !== undefined) assertRegistrable(input.url, config.webhookAllowPrivate);
  const eventTypes = uniqueTypes(input.eventTypes);
  const [row] = await tx
    .update(webhookEndpoints)
    .set({
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(eventTypes !== undefined ? { eventTypes } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      updatedAt: now,
    })
    .where(scoped(merchant, id))
    .returning();
  if (!row) throw notFound("Webhook", id);
  return row;
}

export async function rotateWebhookSecret(
  tx: Executor,
  merchant: Merchant,
  id: string,
  now: Date,
  config: EndpointConfig,
): Promise<WebhookEndpointRow> {
  const [row] = await tx
    .update(webhookEndpoints)
    .set({ secret: secretToStore(config, id, newWebhookSecret()), updatedAt: now })
    .where(scoped(merchant, id))
    .returning();
  if (!row) throw notFound("Webhook", id);
  return row;
}

/**
 * Deactivates the endpoint and cancels what is still queued for it. Nothing is removed: the endpoint,
 * its deliveries and their attempts stay readable, and each canceled delivery gets a note saying why.
 */
export async function deleteWebhookEndpoint(
  tx: Executor,
  merchant: Merchant,
  id: string,
  now: Date,
): Promise<WebhookEndpointRow> {
  const [row] = await tx
    .update(webhookEndpoints)
    .set({ active: false, updatedAt: now })
    .where(scoped(merchant, id))
    .returning();
  if (!row) throw notFound("Webhook", id);
  const canceled = await tx
    .update(webhookDeliveries)
    .set({ status: "failed", lockedUntil: null })
    .where(
      and(
        eq(webhookDeliveries.endpointId, id),
        ownedBy(webhookDeliveries, merchant),
        eq(webhookDeliveries.status, "pending"),
      ),
    )
    .returning({ id: webhookDeliveries.id });
  if (canceled.length > 0) {
    await tx.insert(webhookAttempts).values(
      canceled.map((delivery) => ({
        id: newId("webhookAttempt"),
        deliveryId: delivery.id,
        organizationId: merchant.organizationId,
        livemode: merchant.livemode,
        attemptedAt: now,
        statusCode: null,
        durationMs: 0,
        responseSnippet: null,
        error: ENDPOINT_DELETED_REASON,
      })),
    );
  }
  return row;
}
