export { type DiscountTerms, discountAmountFor } from "./amount.js";
export { createDiscount } from "./create-discount.js";
export {
  countRedemptions,
  findDiscountByCode,
  getDiscount,
  listDiscountsOfPricingModel,
  requireDiscount,
} from "./queries.js";
export { registerDiscountRoutes } from "./routes.js";
export {
  type CreateDiscountInput,
  DiscountRecordSchema,
  type UpdateDiscountInput,
} from "./schemas.js";
export { type DiscountRecord, type DiscountRow, serializeDiscount } from "./serialize.js";
export { updateDiscount } from "./update-discount.js";
