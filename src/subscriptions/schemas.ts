import { z } from "@hono/zod-openapi";
import { EpochMs, MAX_EPOCH_MS, MetadataSchema } from "../lib/wire.js";
import { SubscriptionExperimental } from "./schemas-experimental.js";

export const SubscriptionStatusSchema = z.enum([
  "trialing",
  "active",
  "past_due",
  "unpaid",
  "cancellation_scheduled",
  "incomplete",
  "incomplete_expired",
  "canceled",
  "paused",
  "credit_trial",
]);

const IntervalSchema = z.enum(["day", "week", "month", "year"]);

export const SubscriptionRecord = z
  .object({
    id: z.string(),
    customerId: z.string(),
    priceId: z.string(),
    pricingModelId: z.string(),
    organizationId: z.string(),
    status: SubscriptionStatusSchema,
    current: z.boolean(),
    renews: z.boolean(),
    interval: IntervalSchema.nullable(),
    intervalCount: z.number().int().nullable(),
    startDate: EpochMs,
    createdAt: EpochMs,
    updatedAt: EpochMs,
    backupPaymentMethodId: z.string().nullable(),
    defaultPaymentMethodId: z.string().nullable(),
    cancellationReason: z.string().nullable(),
    name: z.string().nullable(),
    replacedBySubscriptionId: z.string().nullable(),
    doNotCharge: z.boolean(),
    isFreePlan: z.boolean(),
    runBillingAtPeriodStart: z.boolean(),
    livemode: z.boolean(),
    billingCycleAnchorDate: EpochMs.nullable(),
    currentBillingPeriodStart: EpochMs.nullable(),
    currentBillingPeriodEnd: EpochMs.nullable(),
    trialEnd: EpochMs.nullable(),
    canceledAt: EpochMs.nullable(),
    cancelScheduledAt: EpochMs.nullable(),
    metadata: MetadataSchema.nullable(),
  })
  .openapi("Subscription");
export type SubscriptionRecord = z.infer<typeof SubscriptionRecord>;

export const SubscriptionItemRecord = z
  .object({
    pricingModelId: z.string(),
    externalId: z.null(),
    manuallyCreated: z.boolean(),
    id: z.string(),
    subscriptionId: z.string(),
    priceId: z.string(),
    name: z.string().nullable(),
    quantity: z.number().int(),
    unitPrice: z.number().int(),
    addedDate: EpochMs,
    expiredAt: EpochMs.nullable(),
    metadata: MetadataSchema.nullable(),
    type: z.literal("static"),
    livemode: z.boolean(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
    price: z.record(z.string(), z.unknown()).optional().openapi({ description: "The item's price record" }),
  })
  .openapi("SubscriptionItem");
export type SubscriptionItemRecord = z.infer<typeof SubscriptionItemRecord>;

export const SubscriptionDetailsRecord = SubscriptionRecord.extend({
  subscriptionItems: z.array(SubscriptionItemRecord),
  experimental: SubscriptionExperimental.optional().openapi({
    description: "Experimental fields (the billing view fills them). May change without notice.",
  }),
}).openapi("SubscriptionDetails");
export type SubscriptionDetailsRecord = z.infer<typeof SubscriptionDetailsRecord>;

/** Latest date we accept anywhere: year 9999, so period arithmetic never leaves the Date range. */

const ObjectId = z.string().min(1).max(200);

/** Flat, as `subscriptions.create` sends it; unknown keys (e.g. `interval`) are ignored: the price decides. */
export const CreateSubscriptionBody = z
  .object({
    customerId: ObjectId.optional(),
    customerExternalId: z.string().min(1).max(255).optional(),
    priceId: ObjectId.optional(),
    priceSlug: z.string().min(1).max(255).optional(),
    quantity: z.number().int().min(1).max(1_000_000).default(1),
    startDate: z
      .union([z.string().max(64), z.number().int().min(0).max(MAX_EPOCH_MS)])
      .optional()
      .openapi({ description: "ISO 8601 date-time (or epoch ms); defaults to now" }),
    trialEnd: z
      .number()
      .int()
      .min(0)
      .max(MAX_EPOCH_MS)
      .optional()
      .openapi({ description: "Epoch ms; a future value starts the subscription as trialing" }),
    metadata: MetadataSchema.optional(),
    name: z.string().min(1).max(255).optional(),
    defaultPaymentMethodId: ObjectId.optional(),
    backupPaymentMethodId: ObjectId.optional(),
    doNotCharge: z.boolean().optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.customerId === undefined) === (body.customerExternalId === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["customerId"],
        message: "Provide exactly one of customerId or customerExternalId",
      });
    }
    if ((body.priceId === undefined) === (body.priceSlug === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["priceId"],
        message: "Provide exactly one of priceId or priceSlug",
      });
    }
  })
  .openapi("CreateSubscriptionInput");
export type CreateSubscriptionBody = z.infer<typeof CreateSubscriptionBody>;

export const CancelSubscriptionBody = z
  .object({
    cancellation: z.object({
      timing: z.enum(["immediately", "at_end_of_current_billing_period"]),
    }),
  })
  .openapi("CancelSubscriptionInput");

export const SubscriptionEnvelope = z.object({ subscription: SubscriptionRecord });

export const ADJUSTMENT_TIMINGS = ["immediately", "at_end_of_current_billing_period", "auto"] as const;
export type AdjustmentTiming = (typeof ADJUSTMENT_TIMINGS)[number];
export type ResolvedAdjustmentTiming = Exclude<AdjustmentTiming, "auto">;

/**
 * One entry of `newSubscriptionItems`. The official client may also send whole item records (id, addedDate,
 * unitPrice…): only the price reference and the quantity are read, the rest is ignored, and the unit price
 * always comes from the price itself.
 */
const NewSubscriptionItem = z.object({
  priceId: ObjectId.nullable().optional(),
  priceSlug: z.string().min(1).max(255).optional(),
  quantity: z.number().int().min(1).max(10_000).default(1),
});

export const AdjustSubscriptionBody = z
  .object({
    adjustment: z.object({
      timing: z.enum(ADJUSTMENT_TIMINGS),
      newSubscriptionItems: z.array(NewSubscriptionItem).max(100).openapi({
        description:
          "The subscription's whole new set of items (a base plan and add-ons), each price once; an entry with the price and quantity of an item in force keeps that item. The first new item becomes the subscription's priceId when the current price leaves the set",
      }),
      prorateCurrentBillingPeriod: z.boolean().optional().openapi({
        description:
          "Charge the price difference for the rest of the current period on an immediate upgrade (default true)",
      }),
    }),
  })
  .openapi("AdjustSubscriptionInput");
export type AdjustSubscriptionBody = z.infer<typeof AdjustSubscriptionBody>;
export type AdjustmentInput = AdjustSubscriptionBody["adjustment"];

export const AdjustSubscriptionResponse = z
  .object({
    subscription: SubscriptionRecord,
    subscriptionItems: z.array(SubscriptionItemRecord).openapi({
      description:
        "Items in force now. A change scheduled for the period end shows as the current item's expiredAt",
    }),
    isUpgrade: z.boolean(),
    resolvedTiming: z.enum(["immediately", "at_end_of_current_billing_period"]),
  })
  .openapi("AdjustSubscriptionResponse");

const PreviewItem = z.object({
  priceId: z.string(),
  name: z.string().nullable(),
  quantity: z.number().int(),
  unitPrice: z.number().int(),
  subscriptionItemId: z.string().nullable().openapi({
    description: "The item in force that runs on unchanged, or null for an item the change adds",
  }),
});

const PreviewLine = z.object({
  description: z.string(),
  quantity: z.number().int(),
  unitPrice: z.number().int(),
  amount: z.number().int().openapi({ description: "Minor units; negative for the credit of an ended item" }),
});

export const PreviewAdjustmentResponse = z
  .object({
    resolvedTiming: z.enum(["immediately", "at_end_of_current_billing_period"]),
    isUpgrade: z.boolean(),
    prorationAmount: z.number().int().openapi({
      description: "Minor units adjust would charge now; 0 when scheduled or when nothing is charged",
    }),
    currency: z.string(),
    effectiveDate: EpochMs,
    currentSubscriptionItems: z.array(SubscriptionItemRecord),
    newSubscriptionItems: z.array(PreviewItem),
    lineItems: z.array(PreviewLine).openapi({
      description:
        "The proration's breakdown: a credit for the unused time of each item the change ends and a charge for the rest of the period of each item it adds; the amounts add up to prorationAmount, and the list is empty when nothing is charged",
    }),
  })
  .openapi("PreviewAdjustSubscriptionResponse");
export type PreviewAdjustmentResponse = z.infer<typeof PreviewAdjustmentResponse>;

export const SubscriptionWithItemsResponse = z
  .object({
    subscription: SubscriptionRecord,
    subscriptionItems: z.array(SubscriptionItemRecord).openapi({ description: "Items in force now" }),
  })
  .openapi("SubscriptionWithItems");
