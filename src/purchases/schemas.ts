import { z } from "@hono/zod-openapi";
import { EpochMs, MetadataSchema } from "../lib/wire.js";

export const PurchaseRecord = z
  .object({
    id: z.string(),
    customerId: z.string(),
    priceId: z.string(),
    productId: z.string().nullable(),
    priceType: z.enum(["single_payment", "subscription", "usage"]),
    name: z.string(),
    quantity: z.number().int(),
    status: z.enum(["open", "pending", "paid", "refunded", "partial_refund", "failed"]),
    currency: z.string(),
    firstInvoiceValue: z.number().int(),
    totalPurchaseValue: z.number().int().nullable().openapi({ description: "null for a subscription" }),
    pricePerBillingCycle: z.number().int().nullable().openapi({ description: "Subscriptions only" }),
    intervalUnit: z.enum(["day", "week", "month", "year"]).nullable(),
    intervalCount: z.number().int().nullable(),
    trialPeriodDays: z.number().int().nullable(),
    archived: z.boolean(),
    bankPaymentOnly: z.boolean(),
    proposal: z.null(),
    position: z.number().int().optional(),
    metadata: MetadataSchema.nullable(),
    purchaseDate: EpochMs.nullable(),
    endDate: EpochMs.nullable(),
    livemode: z.boolean(),
    organizationId: z.string(),
    pricingModelId: z.string(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("Purchase");
export type PurchaseRecord = z.infer<typeof PurchaseRecord>;
