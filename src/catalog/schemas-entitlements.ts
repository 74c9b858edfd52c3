import { z } from "@hono/zod-openapi";
import { ListQuery } from "../lib/pagination.js";
import { EpochMs } from "../lib/wire.js";
import {
  MinorUnits,
  Name,
  ObjectId,
  PriceRecordSchema,
  PriceTypeSchema,
  PricingModelRecordSchema,
  ProductRecordSchema,
  Slug,
} from "./schemas.js";

export const AggregationTypeSchema = z.enum(["sum", "count_distinct_properties"]);
export const FeatureTypeSchema = z.enum(["toggle", "usage_credit_grant", "resource"]);
export const RenewalFrequencySchema = z.enum(["once", "every_billing_period"]);

const Description = z.string().max(5000);
const FeatureAmount = z
  .number()
  .int()
  .min(1)
  .max(Number.MAX_SAFE_INTEGER)
  .openapi({ description: "A positive integer: credits per grant, or resource capacity per unit" });

/* ---- wire records ---- */

export const UsageMeterRecordSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    aggregationType: AggregationTypeSchema,
    pricingModelId: z.string(),
    organizationId: z.string(),
    livemode: z.boolean(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("UsageMeter");

export const FeatureRecordSchema = z
  .object({
    id: z.string(),
    type: FeatureTypeSchema,
    name: z.string(),
    slug: z.string(),
    description: z.string(),
    amount: z.number().int().nullable().openapi({ description: "null for toggle features" }),
    renewalFrequency: RenewalFrequencySchema.nullable().openapi({
      description: "usage_credit_grant only; null otherwise",
    }),
    usageMeterId: z.string().nullable().openapi({ description: "usage_credit_grant only; null otherwise" }),
    resourceId: z.string().nullable().openapi({ description: "resource only; null otherwise" }),
    active: z.boolean(),
    pricingModelId: z.string(),
    organizationId: z.string(),
    livemode: z.boolean(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("Feature");

export const ResourceRecordSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    active: z.boolean(),
    pricingModelId: z.string(),
    organizationId: z.string(),
    livemode: z.boolean(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
  })
  .openapi("Resource");

export const ProductFeatureRecordSchema = z
  .object({
    id: z.string(),
    productId: z.string(),
    featureId: z.string(),
    pricingModelId: z.string(),
    organizationId: z.string(),
    livemode: z.boolean(),
    createdAt: EpochMs,
    updatedAt: EpochMs,
    expiredAt: EpochMs.nullable().openapi({
      description: "Set when the feature was detached from the product",
    }),
  })
  .openapi("ProductFeature");

export const ProductWithPricesSchema = ProductRecordSchema.extend({
  prices: z.array(PriceRecordSchema),
  defaultPrice: PriceRecordSchema.nullable(),
  features: z.array(FeatureRecordSchema).openapi({ description: "The product's live (attached) features" }),
}).openapi("ProductWithPrices");

export const UsageMeterWithPricesSchema = UsageMeterRecordSchema.extend({
  prices: z.array(PriceRecordSchema).openapi({ description: "The meter's usage prices" }),
  defaultPrice: PriceRecordSchema.optional().openapi({
    description: "The usage price flagged default, else the oldest; absent when the meter has no price",
  }),
}).openapi("UsageMeterWithPrices");

export const PricingModelDetailsSchema = PricingModelRecordSchema.extend({
  products: z.array(ProductWithPricesSchema),
  usageMeters: z.array(UsageMeterWithPricesSchema),
  defaultProduct: ProductWithPricesSchema.optional(),
}).openapi("PricingModelDetails");

/* ---- requests ---- */

export const CreateUsageMeterBody = z
  .object({
    usageMeter: z.object({
      name: Name,
      pricingModelId: ObjectId,
      slug: Slug,
      aggregationType: AggregationTypeSchema.optional(),
    }),
    price: z
      .object({
        type: PriceTypeSchema.optional().openapi({ description: "Only usage" }),
        unitPrice: MinorUnits.optional(),
        usageEventsPerUnit: z.number().int().min(1).max(1_000_000_000).optional(),
      })
      .optional()
      .openapi({ description: "Also creates a usage price for the meter (its default, monthly)" }),
  })
  .openapi("CreateUsageMeterBody");

export const UpdateUsageMeterBody = z
  .object({
    usageMeter: z
      .object({ id: ObjectId, name: Name, slug: Slug, aggregationType: AggregationTypeSchema })
      .partial()
      .openapi({ description: "aggregationType cannot change once a meter exists" }),
  })
  .openapi("UpdateUsageMeterBody");

const featureFields = {
  type: FeatureTypeSchema,
  name: Name,
  slug: Slug,
  description: Description.optional(),
  pricingModelId: ObjectId,
  amount: FeatureAmount.nullable().optional(),
  renewalFrequency: RenewalFrequencySchema.nullable().optional(),
  usageMeterId: ObjectId.nullable().optional(),
  resourceId: ObjectId.nullable().optional(),
  active: z.boolean().optional(),
};

export const CreateFeatureBody = z
  .object({
    feature: z.object(featureFields).openapi({
      description:
        "toggle: no amount, renewalFrequency, usageMeterId or resourceId; usage_credit_grant: amount, renewalFrequency and usageMeterId; resource: amount and resourceId",
    }),
  })
  .openapi("CreateFeatureBody");

export const UpdateFeatureBody = z
  .object({
    feature: z
      .object({ ...featureFields, id: ObjectId })
      .partial()
      .openapi({
        description:
          "name, slug, description, active and amount may change; type, pricing model, renewal frequency, meter and resource may not",
      }),
  })
  .openapi("UpdateFeatureBody");

export const CreateResourceBody = z
  .object({
    resource: z.object({ name: Name, pricingModelId: ObjectId, slug: Slug, active: z.boolean().optional() }),
  })
  .openapi("CreateResourceBody");

export const UpdateResourceBody = z
  .object({
    resource: z.object({ id: ObjectId, name: Name, slug: Slug, active: z.boolean() }).partial(),
  })
  .openapi("UpdateResourceBody");

export const ResourceListQuery = z.object({
  pricingModelId: ObjectId.optional().openapi({
    param: { name: "pricingModelId", in: "query" },
    description: "Defaults to the default pricing model",
  }),
});

export const CreateProductFeatureBody = z
  .object({ productFeature: z.object({ productId: ObjectId, featureId: ObjectId }) })
  .openapi("CreateProductFeatureBody");

export const ProductFeatureListQuery = ListQuery.extend({
  productId: ObjectId.optional().openapi({ param: { name: "productId", in: "query" } }),
});
