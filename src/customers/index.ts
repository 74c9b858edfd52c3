export { type CheckoutBuyer, checkoutBuyerFields, joinCheckoutBuyer } from "./checkout-buyer.js";
export {
  type CreateCustomerInput,
  createCustomer,
  planCustomer,
  planCustomerWithFirstInvoice,
} from "./create-customer.js";
export { countInvoiceSql, nextInvoiceNumberOf, takeInvoiceNumber } from "./invoice-numbers.js";
export {
  getCustomerByExternalId,
  getCustomerById,
  listCustomersByIds,
  requireCustomerByExternalId,
} from "./queries.js";
export { registerCustomerRoutes } from "./routes.js";
export { CustomerRecordSchema, ExternalIdParam } from "./schemas.js";
export { SEARCH_COUNT_LIMIT, searchCustomers } from "./search-customers.js";
export { type CustomerRecord, type CustomerRow, serializeCustomer } from "./serialize.js";
export { countNewCustomers } from "./summary.js";
export { archiveCustomer, type UpdateCustomerInput, updateCustomer } from "./update-customer.js";
