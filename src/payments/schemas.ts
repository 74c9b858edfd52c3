import { z } from "@hono/zod-openapi";
import { NoTaxFields } from "../lib/tax.js";
import { EpochMs } from "../lib/wire.js";

const AddressSchema = z.object({
  country: z.string(),
  city: z.string().optional(),
  line1: z.string().optional(),
  line2: z.string().optional(),
  name: z.string().optional(),
  postal_code: z.string().optional(),
  state: z.string().optional(),
});

export const PaymentMethodRecord = z
  .object({
    id: z.string(),
    customerId: z.string(),
    type: z.literal("card"),
    default: z.boolean(),
    paymentMethodData: z.object({
      brand: z.string(),
      last4: z.string(),
      exp_month: z.number().int(),
      exp_year: z.number().int(),
    }),
    billingDetails: z.object({
      name: z.string().nullable(),
      email: z.string().nullable(),
      address: AddressSchema.nullable(),
    }),
    livemode: z.boolean(),
    pricingModelId: z.string().nullable(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
    metadata: z.null(),
  })
  .openapi("PaymentMethod");
export type PaymentMethodRecord = z.infer<typeof PaymentMethodRecord>;

export const PaymentStatusSchema = z.enum(["processing", "succeeded", "failed", "canceled", "refunded"]);

export const PaymentRecord = z
  .object({
    id: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    status: PaymentStatusSchema,
    customerId: z.string().nullable(),
    invoiceId: z.string().nullable(),
    purchaseId: z.string().nullable(),
    subscriptionId: z.string().nullable(),
    paymentMethodId: z.string().nullable(),
    checkoutSessionId: z.string().nullable(),
    billingPeriodId: z.string().nullable(),
    description: z.string().nullable(),
    subtotal: z
      .number()
      .int()
      .openapi({ description: "The amount before tax; equal to amount, as Glade adds no tax" }),
    applicationFee: z.null(),
    ...NoTaxFields,
    chargeDate: EpochMs,
    refunded: z.boolean(),
    refundedAmount: z.number().int(),
    refundedAt: EpochMs.nullable(),
    failureCode: z.string().nullable(),
    failureMessage: z.string().nullable(),
    livemode: z.boolean(),
    organizationId: z.string(),
    pricingModelId: z.string().nullable(),
    paymentMethod: z.literal("card"),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("Payment");
export type PaymentRecord = z.infer<typeof PaymentRecord>;

export const IdParams = z.object({ id: z.string().min(1).max(200) });

export const RefundBody = z
  .object({
    partialAmount: z
      .number()
      .int()
      .min(1)
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .openapi({ description: "Minor units to refund; omit to refund everything not yet refunded." }),
  })
  .openapi("RefundPaymentInput");
