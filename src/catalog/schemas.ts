import { z } from "@hono/zod-openapi";
import { CURRENCIES, MAX_AMOUNT } from "../lib/money.js";
import { EpochMs } from "../lib/wire.js";

export const PriceTypeSchema = z.enum(["single_payment", "subscription", "usage"]);
export const IntervalUnitSchema = z.enum(["day", "week", "month", "year"]);

const SUPPORTED = new Set<string>(CURRENCIES);
/** ISO 4217, stored upper-case; lower-case input is accepted and normalised. */
export const CurrencySchema = z
  .string()
  .regex(/^[A-Za-z]{3}$/, "must be a 3-letter ISO 4217 code")
  .toUpperCase()
  .refine((c) => SUPPORTED.has(c), `must be one of ${CURRENCIES.join(", ")}`)
  .openapi({ example: "USD" });

export const MinorUnits = z
  .number()
  .int()
  .min(0)
  .max(MAX_AMOUNT)
  .openapi({ description: "Integer minor units" });
export const Slug = z.string().trim().min(1).max(255);
export const ObjectId = z.string().min(1).max(100);
export const Name = z.string().trim().min(1).max(255);

export const IdParam = z.object({ id: ObjectId.openapi({ param: { name: "id", in: "path" } }) });

const priceFields = {
  type: PriceTypeSchema,
  unitPrice: MinorUnits,
  currency: CurrencySchema.optional(),
  name: z.string().max(255).nullable().optional(),
  slug: Slug.nullable().optional(),
  isDefault: z.boolean().optional(),
  active: z.boolean().optional(),
  intervalUnit: IntervalUnitSchema.nullable().optional(),
  intervalCount: z.number().int().min(1).max(1000).nullable().optional(),
  trialPeriodDays: z.number().int().min(0).max(730).nullable().optional(),
  usageMeterId: z.string().min(1).max(255).nullable().optional(),
  usageEventsPerUnit: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
  purchasePageEnabled: z.boolean().optional(),
};

export const PriceInputSchema = z.object(priceFields).openapi("PriceInput");

export const CreatePriceBody = z
  .object({
    price: z.object({
      ...priceFields,
      productId: ObjectId.nullable().optional(),
      pricingModelId: ObjectId.optional().openapi({ description: "Only for usage prices without a product" }),
    }),
  })
  .openapi("CreatePriceBody");

export const UpdatePriceBody = z
  .object({
    price: z
      .object({ ...priceFields, id: ObjectId.optional(), productId: ObjectId.nullable().optional() })
      .partial()
      .openapi({
        description:
          "name, slug, active, isDefault and purchasePageEnabled may change; charging terms may not",
      }),
  })
  .openapi("UpdatePriceBody");

const FeatureIds = z.array(ObjectId).max(100);

const productFields = {
  name: z.string().trim().min(1).max(255),
  description: z.string().max(5000).nullable().optional(),
  imageURL: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .nullable()
    .optional(),
  slug: Slug.nullable().optional(),
  active: z.boolean().optional(),
  singularQuantityLabel: z.string().max(100).nullable().optional(),
  pluralQuantityLabel: z.string().max(100).nullable().optional(),
  purchasePageEnabled: z.boolean().optional(),
};

export const CreateProductBody = z
  .object({
    product: z.object({ ...productFields, pricingModelId: ObjectId }),
    price: PriceInputSchema,
    featureIds: FeatureIds.optional().openapi({
      description: "Features to attach to the new product (same pricing model)",
    }),
  })
  .openapi("CreateProductBody");

export const UpdateProductBody = z
  .object({
    product: z.object({ ...productFields, id: ObjectId, pricingModelId: ObjectId }).partial(),
    price: PriceInputSchema.optional().openapi({
      description:
        "The product's default price. New charging terms create a new default price; the same terms update it in place.",
    }),
    featureIds: FeatureIds.optional().openapi({
      description:
        "When given, exactly the product's live features afterwards: missing ones are attached, the others expired",
    }),
  })
  .openapi("UpdateProductBody");

export const CreatePricingModelBody = z
  .object({
    pricingModel: z.object({ name: z.string().trim().min(1).max(255), isDefault: z.boolean().optional() }),
    defaultPlanIntervalUnit: IntervalUnitSchema.optional().openapi({
      description: "Accepted for Flowglad compatibility; Glade does not create a free default plan",
    }),
  })
  .openapi("CreatePricingModelBody");

export const UpdatePricingModelBody = z
  .object({
    pricingModel: z
      .object({ id: ObjectId, name: z.string().trim().min(1).max(255), isDefault: z.boolean() })
      .partial(),
  })
  .openapi("UpdatePricingModelBody");

export const ClonePricingModelBody = z
  .object({
    name: z.string().trim().min(1).max(255).openapi({ description: "Name of the copy" }),
    destinationEnvironment: z.enum(["livemode", "testmode"]).optional().openapi({
      description: "Mode the copy is created in; defaults to the mode of the API key",
    }),
  })
  .openapi("ClonePricingModelInput");

export const PricingModelRecordSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    isDefault: z.boolean(),
    livemode: z.boolean(),
    organizationId: z.string(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("PricingModel");

export const ProductRecordSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    imageURL: z.string().nullable(),
    slug: z.string().nullable(),
    active: z.boolean(),
    default: z.boolean(),
    pricingModelId: z.string(),
    organizationId: z.string(),
    livemode: z.boolean(),
    singularQuantityLabel: z.string().nullable(),
    pluralQuantityLabel: z.string().nullable(),
    purchasePageEnabled: z.boolean(),
    purchaseUrl: z.string().nullable().openapi({
      description:
        "Public purchase page selling the product's default price (works while the product, the price and both purchasePageEnabled flags are on)",
    }),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("Product");

export const PriceRecordSchema = z
  .object({
    id: z.string(),
    productId: z.string().nullable(),
    type: PriceTypeSchema,
    name: z.string().nullable(),
    slug: z.string().nullable(),
    unitPrice: z.number().int(),
    currency: z.string(),
    intervalUnit: IntervalUnitSchema.nullable(),
    intervalCount: z.number().int().nullable(),
    trialPeriodDays: z.number().int().nullable(),
    usageMeterId: z.string().nullable(),
    usageEventsPerUnit: z.number().int().nullable(),
    isDefault: z.boolean(),
    active: z.boolean(),
    livemode: z.boolean(),
    pricingModelId: z.string(),
    purchasePageEnabled: z.boolean(),
    purchaseUrl: z.string().nullable().openapi({
      description:
        "Public purchase page for this price (works while it, its product and both purchasePageEnabled flags are on); null for usage prices",
    }),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("Price");
