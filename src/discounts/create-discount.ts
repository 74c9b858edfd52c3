import { ensureDefaultPricingModel, getPricingModel } from "../catalog/index.js";
import type { Merchant } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { discounts } from "../db/schema/index.js";
import { notFound, panic } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import type { CreateDiscountInput } from "./schemas.js";
import type { DiscountRow } from "./serialize.js";
import { checkedTerms, discountCodeTaken } from "./terms.js";

/** A discount in the named pricing model, or in the default one (created if the tenant has none yet). */
export async function createDiscount(
  tx: Executor,
  merchant: Merchant,
  input: CreateDiscountInput,
  now: Date,
): Promise<DiscountRow> {
  const terms = checkedTerms(input);
  const pricingModel = input.pricingModelId
    ? await getPricingModel(tx, merchant, input.pricingModelId)
    : await ensureDefaultPricingModel(tx, merchant, now);
  if (!pricingModel) throw notFound("Pricing model", input.pricingModelId ?? "default");
  const [row] = await tx
    .insert(discounts)
    .values({
      id: newId("discount"),
      organizationId: merchant.organizationId,
      livemode: merchant.livemode,
      pricingModelId: pricingModel.id,
      name: input.name,
      code: input.code,
      amountType: terms.amountType,
      amount: terms.amount,
      duration: terms.duration,
      numberOfPayments: terms.numberOfPayments,
      active: input.active ?? true,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .catch(discountCodeTaken(input.code));
  if (!row) panic("discount insert returned nothing");
  return row;
}
