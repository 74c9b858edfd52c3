import { z } from "@hono/zod-openapi";
import { ListQuery } from "../lib/pagination.js";
import { EpochMs } from "../lib/wire.js";

/** Postgres text cannot hold a NUL; refused here so a bulk answer can name the event that had one. */
const noNul = (value: string) => !value.includes("\u0000");
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const storableText = (value: string) => noNul(value) && !LONE_SURROGATE.test(value);
const Text = (max: number) => z.string().min(1).max(max).refine(noNul, "must not contain NUL characters");
const Id = Text(100);
const Slug = z.string().trim().min(1).max(255).refine(noNul, "must not contain NUL characters");

/** Epoch ms from 1970 to the end of year 9999: what a timestamp column and a JS Date both hold. */
const MAX_DATE_MS = 253_402_300_799_999;
const MAX_PROPERTIES_DEPTH = 8;

/**
 * Whether `value` is JSON that Postgres's jsonb stores as the client sent it: no NUL and no lone UTF-16
 * surrogate in any key or string (jsonb refuses both), nested at most `MAX_PROPERTIES_DEPTH` deep.
 */
function storableJson(value: unknown, depth: number): boolean {
  if (typeof value === "string") return storableText(value);
  if (value === null || typeof value !== "object") return true;
  if (depth >= MAX_PROPERTIES_DEPTH) return false;
  if (Array.isArray(value)) return value.every((v) => storableJson(v, depth + 1));
  for (const [k, v] of Object.entries(value)) {
    if (!storableText(k) || !storableJson(v, depth + 1)) return false;
  }
  return true;
}

/**
 * Checked by hand rather than by `z.record`, which fails on a key named "constructor" whose value is null,
 * and would copy the object: here the parsed JSON itself passes through, every key kept.
 */
/** Nullable on the wire (`null` is "none"); the field's `.nullable()` says so to zod. */
const Properties = z
  .custom<Record<string, unknown>>(
    (value) => typeof value === "object" && value !== null && !Array.isArray(value) && storableJson(value, 0),
    `must be a JSON object nested at most ${MAX_PROPERTIES_DEPTH} deep, without NUL characters or lone surrogates`,
  )
  .openapi({
    type: ["object", "null"],
    additionalProperties: {},
    description:
      "Free-form JSON. A count_distinct_properties meter counts each distinct value once per billing period " +
      "(key order does not matter) and needs it.",
  });

export const TARGET_FIELDS = ["priceId", "priceSlug", "usageMeterId", "usageMeterSlug"] as const;

export const UsageEventInputSchema = z
  .object({
    amount: z
      .number()
      .int()
      .min(1)
      .max(Number.MAX_SAFE_INTEGER)
      .openapi({ description: "A positive integer, in the meter's units" }),
    subscriptionId: Id,
    transactionId: Text(255).openapi({
      description:
        "Unique per organization and mode: the same id again returns the first event, counted once",
    }),
    priceId: Id.optional(),
    priceSlug: Slug.optional(),
    usageMeterId: Id.optional(),
    usageMeterSlug: Slug.optional(),
    properties: Properties.nullable().optional(),
    usageDate: EpochMs.min(0)
      .max(MAX_DATE_MS)
      .optional()
      .openapi({ description: "When the usage happened (epoch ms); defaults to now" }),
  })
  .refine((e) => TARGET_FIELDS.filter((f) => e[f] !== undefined).length === 1, {
    message: "Exactly one of priceId, priceSlug, usageMeterId or usageMeterSlug must be provided",
  })
  .openapi("UsageEventInput");
export type UsageEventInput = z.infer<typeof UsageEventInputSchema>;

export const CreateUsageEventBody = z
  .object({ usageEvent: UsageEventInputSchema })
  .openapi("CreateUsageEvent");

export const MAX_BULK_EVENTS = 1000;
export const BulkCreateUsageEventsBody = z
  .object({ usageEvents: z.array(UsageEventInputSchema).min(1).max(MAX_BULK_EVENTS) })
  .openapi("BulkCreateUsageEvents");

export const UsageEventRecordSchema = z
  .object({
    id: z.string(),
    amount: z.number().int(),
    createdAt: EpochMs,
    customerId: z.string(),
    livemode: z.boolean(),
    priceId: z.string().nullable(),
    pricingModelId: z.string(),
    subscriptionId: z.string(),
    transactionId: z.string(),
    updatedAt: EpochMs,
    usageDate: EpochMs,
    usageMeterId: z.string(),
    billingPeriodId: z.string().nullable(),
    properties: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi("UsageEvent");

export const UsageEventResponse = z.object({ usageEvent: UsageEventRecordSchema });
export const BulkUsageEventsResponse = z.object({ usageEvents: z.array(UsageEventRecordSchema) });

export const ListUsageEventsQuery = ListQuery;
