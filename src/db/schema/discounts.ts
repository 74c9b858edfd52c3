import { sql } from "drizzle-orm";
import { boolean, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { amount, tenantColumns } from "../columns.js";

export type DiscountAmountType = "fixed" | "percent";
export type DiscountDuration = "once" | "forever" | "number_of_payments";

/** A code a customer can type at checkout; it belongs to one pricing model. */
export const discounts = pgTable(
  "discounts",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    pricingModelId: text().notNull(),
    name: text().notNull(),
    /** As the merchant typed it; matching is case-insensitive (see the unique index). */
    code: text().notNull(),
    amountType: text().$type<DiscountAmountType>().notNull(),
    /** `fixed`: minor units of the price's currency; `percent`: whole percent, 1–100. */
    amount: amount().notNull(),
    duration: text().$type<DiscountDuration>().notNull(),
    /** Only for `number_of_payments`: how many payments (the first included) the discount reduces. */
    numberOfPayments: integer(),
    active: boolean().notNull().default(true),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    uniqueIndex("discounts_code_per_pricing_model").on(t.pricingModelId, sql`lower(${t.code})`),
  ],
);

/**
 * One successful checkout's use of a discount, with the discount's terms copied so a later edit of the
 * discount cannot change what this customer was promised. A subscription's renewals read it for the
 * discount's duration.
 */
export const discountRedemptions = pgTable(
  "discount_redemptions",
  {
    id: text().primaryKey(),
    ...tenantColumns(),
    discountId: text().notNull(),
    checkoutSessionId: text().notNull(),
    customerId: text().notNull(),
    purchaseId: text(),
    subscriptionId: text(),
    discountName: text().notNull(),
    discountCode: text().notNull(),
    discountAmountType: text().$type<DiscountAmountType>().notNull(),
    discountAmount: amount().notNull(),
    duration: text().$type<DiscountDuration>().notNull(),
    numberOfPayments: integer(),
    /** Payments the discount has reduced so far (the checkout's own payment counts as the first). */
    paymentsApplied: integer().notNull().default(0),
    fullyRedeemed: boolean().notNull().default(false),
  },
  (t) => [
    index().on(t.organizationId, t.livemode, t.position),
    index().on(t.discountId),
    uniqueIndex("discount_redemptions_one_per_checkout_session").on(t.checkoutSessionId),
    index("discount_redemptions_running")
      .on(t.subscriptionId)
      .where(sql`${t.subscriptionId} is not null and not ${t.fullyRedeemed}`),
  ],
);
