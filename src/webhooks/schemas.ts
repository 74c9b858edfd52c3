import { z } from "@hono/zod-openapi";
import { ListQuery } from "../lib/pagination.js";
import { EpochMs, HttpUrl } from "../lib/wire.js";
import { EVENT_TYPES } from "./emit-event.js";

export const EventTypeSchema = z.enum(EVENT_TYPES).openapi({ example: "payment.succeeded" });

/** Where a merchant wants events. */
export const EndpointUrl = HttpUrl.openapi({ example: "https://example.com/webhooks/glade" });

const Description = z
  .string()
  .max(500)
  .refine((value) => !value.includes("\u0000"), "must not contain NUL characters");

/** A filter must name at least one type; `null` (or leaving it out on create) means every type. */
const EventTypeFilter = z.array(EventTypeSchema).min(1).max(EVENT_TYPES.length);

export const CreateWebhookBody = z
  .strictObject({
    webhook: z.strictObject({
      url: EndpointUrl,
      eventTypes: EventTypeFilter.nullable().optional(),
      description: Description.nullable().optional(),
      active: z.boolean().optional(),
    }),
  })
  .openapi("CreateWebhookInput");
export type CreateWebhookInput = z.infer<typeof CreateWebhookBody>["webhook"];

export const UpdateWebhookBody = z
  .strictObject({
    webhook: z.strictObject({
      url: EndpointUrl.optional(),
      eventTypes: EventTypeFilter.nullable().optional(),
      description: Description.nullable().optional(),
      active: z.boolean().optional(),
    }),
  })
  .openapi("UpdateWebhookInput");
export type UpdateWebhookInput = z.infer<typeof UpdateWebhookBody>["webhook"];

/** Every id Glade issues is `prefix_base62`; anything else (NUL bytes included) never reaches SQL. */
const ResourceId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_-]+$/, "is not a valid id");

export const RedeliverBody = z
  .strictObject({ webhookId: ResourceId.optional() })
  .openapi("RedeliverEventInput");

export const IdParam = z.object({
  id: ResourceId.openapi({ param: { name: "id", in: "path" } }),
});

export const EventListQuery = ListQuery.extend({ type: EventTypeSchema.optional() });
export const DeliveryListQuery = ListQuery.extend({
  status: z.enum(["pending", "delivered", "failed"]).optional(),
  eventId: ResourceId.optional(),
});

export const WebhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()).nullable(),
    description: z.string().nullable(),
    active: z.boolean(),
    /** `whsec_<base64>`: verify signatures with it (standardwebhooks / svix libraries). */
    secret: z.string(),
    livemode: z.boolean(),
    organizationId: z.string(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("Webhook");

export const EventSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    createdAt: EpochMs,
    livemode: z.boolean(),
    organizationId: z.string(),
    object: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi("Event");

export const AttemptSchema = z
  .object({
    id: z.string(),
    attemptedAt: EpochMs,
    statusCode: z.number().int().nullable(),
    durationMs: z.number().int(),
    responseSnippet: z.string().nullable(),
    error: z.string().nullable(),
  })
  .openapi("WebhookAttempt");

export const DeliverySchema = z
  .object({
    id: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    webhookId: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    attemptCount: z.number().int(),
    nextAttemptAt: EpochMs.nullable(),
    lastAttemptAt: EpochMs.nullable(),
    deliveredAt: EpochMs.nullable(),
    failureReason: z.string().nullable(),
    livemode: z.boolean(),
    createdAt: EpochMs,
    attempts: z.array(AttemptSchema),
  })
  .openapi("WebhookDelivery");
