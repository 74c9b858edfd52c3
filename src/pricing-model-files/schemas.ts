import { z } from "@hono/zod-openapi";
import { DiscountAmountTypeSchema, DiscountDurationSchema } from "../discounts/index.js";

/**
 * A pricing model as a file, in the shape of Flowglad's `setupPricingModel` input: everything named by slug,
 * never by id, so it can be imported into another organization or mode. Glade adds `prices` on a product
 * (the prices besides its default `price`) and a top-level `discounts` list.
 */
const Slug = z.string().trim().min(1).max(200);
const Name = z.string().trim().min(1).max(255);
const Amount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const Currency = z.string().regex(/^[A-Za-z]{3}$/, "a 3-letter ISO currency code");
const Interval = z.enum(["day", "week", "month", "year"]);

const featureCommon = {
  slug: Slug,
  name: Name,
  description: z.string().max(5000).optional(),
  active: z.boolean().optional(),
};
export const FileFeature = z.discriminatedUnion("type", [
  z.object({ type: z.literal("toggle"), ...featureCommon }),
  z.object({
    type: z.literal("usage_credit_grant"),
    ...featureCommon,
    amount: Amount.min(1),
    renewalFrequency: z.enum(["once", "every_billing_period"]),
    usageMeterSlug: Slug,
  }),
  z.object({ type: z.literal("resource"), ...featureCommon, amount: Amount.min(1), resourceSlug: Slug }),
]);

const priceCommon = {
  slug: Slug,
  name: z.string().max(255).nullable().optional(),
  unitPrice: Amount,
  currency: Currency.optional(),
  isDefault: z.boolean().optional(),
  active: z.boolean().optional(),
};
export const FileUsagePrice = z.object({
  type: z.literal("usage"),
  ...priceCommon,
  usageEventsPerUnit: z.number().int().min(1).max(1_000_000_000).optional(),
  intervalUnit: Interval.optional(),
  intervalCount: z.number().int().min(1).max(1000).optional(),
});
export const FileProductPrice = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("subscription"),
    ...priceCommon,
    intervalUnit: Interval,
    intervalCount: z.number().int().min(1).max(1000).optional(),
    trialPeriodDays: z.number().int().min(0).max(3650).nullable().optional(),
  }),
  z.object({ type: z.literal("single_payment"), ...priceCommon }),
  // A product's own usage price (the API allows one): it counts a meter named by slug.
  FileUsagePrice.extend({ usageMeterSlug: Slug }),
]);
export type FileProductPrice = z.infer<typeof FileProductPrice>;

export const FileProduct = z.object({
  product: z.object({
    name: Name,
    slug: Slug,
    description: z.string().max(5000).nullable().optional(),
    active: z.boolean().optional(),
    singularQuantityLabel: z.string().max(100).nullable().optional(),
    pluralQuantityLabel: z.string().max(100).nullable().optional(),
  }),
  price: FileProductPrice,
  prices: z.array(FileProductPrice).max(100).optional(),
  features: z.array(Slug).max(200),
});

export const FileUsageMeter = z.object({
  usageMeter: z.object({
    name: Name,
    slug: Slug,
    aggregationType: z.enum(["sum", "count_distinct_properties"]).optional(),
  }),
  prices: z.array(FileUsagePrice).max(100).optional(),
});

export const FileResource = z.object({ slug: Slug, name: Name, active: z.boolean().optional() });

export const FileDiscount = z.object({
  name: Name,
  code: z
    .string()
    .trim()
    .min(1)
    .max(50)
    .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, - and _ only"),
  amountType: DiscountAmountTypeSchema,
  amount: Amount.min(1),
  duration: DiscountDurationSchema,
  numberOfPayments: z.number().int().min(1).max(1000).nullable().optional(),
  active: z.boolean().optional(),
});

export const PricingModelFile = z
  .object({
    name: Name,
    isDefault: z.boolean().optional(),
    features: z.array(FileFeature).max(1000),
    products: z.array(FileProduct).max(1000),
    usageMeters: z.array(FileUsageMeter).max(200),
    resources: z.array(FileResource).max(200).optional(),
    discounts: z.array(FileDiscount).max(1000).optional(),
  })
  .openapi("PricingModelFile");
export type PricingModelFile = z.infer<typeof PricingModelFile>;
