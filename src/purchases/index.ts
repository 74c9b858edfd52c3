export {
  type CreatePurchaseInput,
  createPurchase,
  getPurchase,
  listPurchasesForCustomer,
  planPurchase,
} from "./purchases.js";
export { reflectRefundOnPurchase } from "./reflect-refund.js";
export { registerPurchaseRoutes } from "./routes.js";
export { PurchaseRecord } from "./schemas.js";
export { type PurchaseRow, serializePurchase } from "./serialize.js";
