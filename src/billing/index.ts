// The customer billing view reads every domain that holds something for a customer. It is its own folder,
// above them, so that customers (which invoices and subscriptions build on) depends on none of them.
export { getCustomerBilling } from "./billing.js";
export { registerBillingRoutes } from "./routes.js";
export { CustomerBillingSchema } from "./schemas.js";
