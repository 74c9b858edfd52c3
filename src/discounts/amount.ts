import type { DiscountAmountType } from "../db/schema/index.js";
import { panic } from "../lib/errors.js";

export type DiscountTerms = { amountType: DiscountAmountType; amount: number };

/**
 * What a discount takes off `subtotal` (minor units), never more than the subtotal, so a total can never go
 * below zero. A fixed discount is its amount; a percent discount is `subtotal × percent / 100` rounded half
 * up to the minor unit (12.5 cents → 13), computed in integers so it is exact for every safe amount.
 */
export function discountAmountFor(terms: DiscountTerms, subtotal: number): number {
  if (!Number.isSafeInteger(subtotal) || subtotal < 0) panic(`subtotal ${subtotal} is not a safe amount`);
  if (terms.amountType === "fixed") return Math.min(terms.amount, subtotal);
  const percent = BigInt(Math.min(Math.max(terms.amount, 0), 100));
  const off = (BigInt(subtotal) * percent + 50n) / 100n;
  return Number(off);
}
