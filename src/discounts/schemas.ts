import { z } from "@hono/zod-openapi";
import { EpochMs } from "../lib/wire.js";

export const DiscountAmountTypeSchema = z.enum(["fixed", "percent"]);
export const DiscountDurationSchema = z.enum(["once", "forever", "number_of_payments"]);

/** What a customer types: letters, digits, `-` and `_`; matched without regard to case. */
export const DiscountCode = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, - and _ only");

const DiscountAmount = z
  .number()
  .int()
  .min(1)
  .max(Number.MAX_SAFE_INTEGER)
  .openapi({ description: "fixed: minor units of the price's currency; percent: whole percent, 1–100" });

const NumberOfPayments = z.number().int().min(1).max(1000);

const discountFields = {
  name: z.string().trim().min(1).max(255),
  code: DiscountCode,
  amountType: DiscountAmountTypeSchema,
  amount: DiscountAmount,
  duration: DiscountDurationSchema,
  numberOfPayments: NumberOfPayments.nullable().optional().openapi({
    description: "Required for number_of_payments; null or absent otherwise",
  }),
  active: z.boolean().optional(),
};

export const CreateDiscountBody = z
  .object({
    discount: z
      .object({ ...discountFields, pricingModelId: z.string().min(1).max(100).optional() })
      .openapi({ description: "Without pricingModelId the discount belongs to the default pricing model" }),
  })
  .openapi("CreateDiscountBody");
export type CreateDiscountInput = z.infer<typeof CreateDiscountBody>["discount"];

export const UpdateDiscountBody = z
  .object({
    discount: z.object({
      id: z.string().min(1).max(100).optional(),
      name: discountFields.name.optional(),
      code: DiscountCode.optional(),
      amountType: DiscountAmountTypeSchema.optional(),
      amount: DiscountAmount.optional(),
      duration: DiscountDurationSchema.optional(),
      numberOfPayments: discountFields.numberOfPayments,
      active: z.boolean().optional(),
    }),
  })
  .openapi("UpdateDiscountBody");
export type UpdateDiscountInput = z.infer<typeof UpdateDiscountBody>["discount"];

export const DiscountRecordSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    code: z.string(),
    amountType: DiscountAmountTypeSchema,
    amount: z.number().int(),
    duration: DiscountDurationSchema,
    numberOfPayments: z.number().int().nullable(),
    active: z.boolean(),
    pricingModelId: z.string(),
    organizationId: z.string(),
    livemode: z.boolean(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("Discount");

export const DiscountWithRedemptionsSchema = DiscountRecordSchema.extend({
  redemptionCount: z.number().int().openapi({ description: "Successful checkouts that used the discount" }),
}).openapi("DiscountWithRedemptions");
