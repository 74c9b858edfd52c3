import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { amount, tenantColumns } from "../columns.js";

export type PriceType = "single_payment" | "subscription" | "usage";
export type IntervalUnit = "day" | "week" | "month" | "year";

export const pricingModels = pgTable(
  "pricing_models",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    name: text().notNull(),
    isDefault: boolean().notNull().default(false),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    uniqueIndex("pricing_models_one_default").on(t.organizationId, t.livemode).where(sql`${t.isDefault}`),
  ],
);

export const products = pgTable(
  "products",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text()
      .notNull()
      .references(() => pricingModels.id),
    name: text().notNull(),
    description: text(),
    imageUrl: text(),
    slug: text(),
    active: boolean().notNull().default(true),
    isDefault: boolean().notNull().default(false),
    singularQuantityLabel: text(),
    pluralQuantityLabel: text(),
    /** Whether /product/{id}/purchase may start a checkout for this product. */
    purchasePageEnabled: boolean().notNull().default(true),
    metadata: jsonb().$type<Record<string, string | number | boolean>>(),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    uniqueIndex("products_slug_per_pricing_model")
      .on(t.pricingModelId, t.slug)
      .where(sql`${t.slug} is not null`),
  ],
);

export const prices = pgTable(
  "prices",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text()
      .notNull()
      .references(() => pricingModels.id),
    productId: text().references(() => products.id),
    type: text().$type<PriceType>().notNull(),
    name: text(),
    slug: text(),
    unitPrice: amount().notNull(),
    currency: text().notNull(),
    intervalUnit: text().$type<IntervalUnit>(),
    intervalCount: integer(),
    trialPeriodDays: integer(),
    usageMeterId: text(),
    usageEventsPerUnit: integer(),
    isDefault: boolean().notNull().default(false),
    active: boolean().notNull().default(true),
    purchasePageEnabled: boolean().notNull().default(true),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    index().on(t.productId),
    uniqueIndex("prices_slug_per_pricing_model")
      .on(t.pricingModelId, t.slug)
      .where(sql`${t.slug} is not null`),
    // A usage event naming a meter is priced by the meter's default usage price, found by this index.
    index("prices_usage_meter").on(t.usageMeterId).where(sql`${t.usageMeterId} is not null`),
  ],
);
