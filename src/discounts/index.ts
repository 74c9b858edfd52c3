export { type DiscountTerms, discountAmountFor } from "./amount.js";
export { createDiscount } from "./create-discount.js";
export {
  countRedemptions,
  findDiscountByCode,
  findUsableDiscount,
  getDiscount,
  listDiscountsOfPricingModel,
  requireDiscount,
} from "./queries.js";
export {
  countRedeemedPayment,
  type DiscountRedemptionRow,
  getRedemption,
  lockRunningRedemption,
  planRedemption,
} from "./redemptions.js";
export { registerDiscountRoutes } from "./routes.js";
export {
  type CreateDiscountInput,
  DiscountAmountTypeSchema,
  DiscountDurationSchema,
  DiscountRecordSchema,
  type UpdateDiscountInput,
} from "./schemas.js";
export { type DiscountRecord, type DiscountRow, serializeDiscount } from "./serialize.js";
export { updateDiscount } from "./update-discount.js";
