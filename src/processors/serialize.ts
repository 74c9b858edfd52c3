import type { ProcessorTenant } from "../context/index.js";
import type { processorConnections } from "../db/schema/index.js";
import { toEpochMs } from "../lib/wire.js";

type ConnectionRow = typeof processorConnections.$inferSelect;

/** Where Stripe sends this tenant's events (registered in Stripe's dashboard with the webhook secret). */
export function stripeWebhookUrl(publicUrl: string, tenant: ProcessorTenant): string {
  return `${publicUrl}/processors/stripe/webhook/${tenant.organizationId}/${tenant.livemode ? "live" : "test"}`;
}

/**
 * A connection on the wire. Built field by field from the public columns: the sealed secrets are not
 * read here at all, so no change to the row can put one in an answer.
 */
export function serializeProcessorConnection(row: ConnectionRow, publicUrl: string) {
  return {
    id: row.id,
    processor: row.processor,
    organizationId: row.organizationId,
    livemode: row.livemode,
    accountId: row.accountId,
    publishableKey: row.publishableKey,
    secretKeyHint: row.secretKeyHint,
    webhookUrl: stripeWebhookUrl(publicUrl, row),
    createdAt: toEpochMs(row.createdAt),
    updatedAt: toEpochMs(row.updatedAt),
  };
}
export type ProcessorConnectionRecord = ReturnType<typeof serializeProcessorConnection>;
