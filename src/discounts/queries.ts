import { and, count, eq, inArray, sql } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { discountRedemptions, discounts } from "../db/schema/index.js";
import { ownedBy, type Tenant } from "../db/statement.js";
import { notFound } from "../lib/errors.js";
import type { DiscountRow } from "./serialize.js";

export async function getDiscount(
  db: Executor,
  merchant: Merchant,
  id: string,
): Promise<DiscountRow | undefined> {
  const [row] = await db
    .select()
    .from(discounts)
    .where(and(ownedBy(discounts, merchant), eq(discounts.id, id)));
  return row;
}

export async function requireDiscount(db: Executor, merchant: Merchant, id: string): Promise<DiscountRow> {
  const row = await getDiscount(db, merchant, id);
  if (!row) throw notFound("Discount", id);
  return row;
}

/** The pricing model's discount with this code, typed in any case (the unique index is on `lower(code)`). */
export async function findDiscountByCode(
  db: Executor,
  merchant: Tenant,
  pricingModelId: string,
  code: string,
): Promise<DiscountRow | undefined> {
  const [row] = await db
    .select()
    .from(discounts)
    .where(
      and(
        ownedBy(discounts, merchant),
        eq(discounts.pricingModelId, pricingModelId),
        sql`lower(${discounts.code}) = lower(${code.trim()})`,
      ),
    );
  return row;
}

export async function listDiscountsOfPricingModel(
  db: Executor,
  merchant: Merchant,
  pricingModelId: string,
): Promise<DiscountRow[]> {
  return db
    .select()
    .from(discounts)
    .where(and(ownedBy(discounts, merchant), eq(discounts.pricingModelId, pricingModelId)))
    .orderBy(discounts.position);
}

/** Successful checkouts per discount, for the discounts asked about (zero for the ones never used). */
export async function countRedemptions(
  db: Executor,
  merchant: Merchant,
  discountIds: string[],
): Promise<Map<string, number>> {
  const counts = new Map(discountIds.map((id) => [id, 0]));
  if (discountIds.length === 0) return counts;
  const rows = await db
    .select({ discountId: discountRedemptions.discountId, n: count() })
    .from(discountRedemptions)
    .where(and(ownedBy(discountRedemptions, merchant), inArray(discountRedemptions.discountId, discountIds)))
    .groupBy(discountRedemptions.discountId);
  for (const row of rows) counts.set(row.discountId, row.n);
  return counts;
}

/** The discount, if a checkout in this pricing model may still use it (it exists and is active). */
export async function findUsableDiscount(
  db: Executor,
  merchant: Merchant,
  id: string,
  pricingModelId: string,
): Promise<DiscountRow | undefined> {
  const row = await getDiscount(db, merchant, id);
  return row?.active && row.pricingModelId === pricingModelId ? row : undefined;
}
