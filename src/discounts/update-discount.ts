import { and, eq } from "drizzle-orm";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { discounts } from "../db/schema/index.js";
import { ownedBy } from "../db/statement.js";
import { badRequest, notFound } from "../lib/errors.js";
import type { UpdateDiscountInput } from "./schemas.js";
import type { DiscountRow } from "./serialize.js";
import { checkedTerms, discountCodeTaken } from "./terms.js";

/**
 * Changes a discount for checkouts from now on. Customers who already redeemed it keep the terms their
 * redemption copied, so editing or deactivating a code never changes what a running subscription was promised.
 */
export async function updateDiscount(
  tx: Executor,
  merchant: Merchant,
  id: string,
  input: UpdateDiscountInput,
  now: Date,
): Promise<DiscountRow> {
  if (input.id !== undefined && input.id !== id) {
    throw badRequest(`discount.id ${input.id} does not match the path id ${id}`, [
      { path: ["discount", "id"], message: "must match the path id" },
    ]);
  }
  const [current] = await tx
    .select()
    .from(discounts)
    .where(and(ownedBy(discounts, merchant), eq(discounts.id, id)))
    .for("update");
  if (!current) throw notFound("Discount", id);
  const duration = input.duration ?? current.duration;
  const terms = checkedTerms({
    amountType: input.amountType ?? current.amountType,
    amount: input.amount ?? current.amount,
    duration,
    // A duration change without a count drops the old count; otherwise the count given, or the current one.
    numberOfPayments:
      input.numberOfPayments !== undefined
        ? input.numberOfPayments
        : duration === current.duration
          ? current.numberOfPayments
          : undefined,
  });
  const code = input.code ?? current.code;
  const [row] = await tx
    .update(discounts)
    .set({
      name: input.name ?? current.name,
      code,
      amountType: terms.amountType,
      amount: terms.amount,
      duration: terms.duration,
      numberOfPayments: terms.numberOfPayments,
      active: input.active ?? current.active,
      updatedAt: now,
    })
    .where(and(ownedBy(discounts, merchant), eq(discounts.id, id)))
    .returning()
    .catch(discountCodeTaken(code));
  if (!row) throw notFound("Discount", id);
  return row;
}
