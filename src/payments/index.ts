export { type CardField, cardBrand, cardIssues, describeCard, validateCard } from "./cards.js";
export { chargeSavedCard, refundUnrecordedCharge } from "./charge-saved-card.js";
export { listPayments } from "./list-payments.js";
export {
  customerHasDefaultCardSql,
  getPaymentMethod,
  listPaymentMethodsForCustomer,
  planCard,
  processorCustomerOfSavedCard,
  type SavePaymentMethodInput,
  savePaymentMethod,
  setDefaultPaymentMethod,
} from "./payment-methods.js";
export { recordDispute, recordProcessorRefundTotal } from "./processor-reports.js";
export {
  fullyRefundedPurchases,
  getPayment,
  listPaymentsForInvoice,
  listRecentPaymentsForCustomer,
  paymentDescription,
  planPayment,
  type RecordPaymentInput,
  recordPayment,
} from "./record-payment.js";
export { refundPayment } from "./refund-payment.js";
export { registerPaymentRoutes } from "./routes.js";
export { createSandboxProcessor } from "./sandbox.js";
export { PaymentMethodRecord, PaymentRecord } from "./schemas.js";
export {
  type PaymentMethodRow,
  type PaymentRow,
  serializePayment,
  serializePaymentMethod,
} from "./serialize.js";
export {
  createStripeClient,
  createStripeProcessor,
  type ProcessorCustomerStore,
  parseStripeEvent,
  stripeErrorType,
  verifyStripeKey,
} from "./stripe/index.js";
export { hasAnyPayment, type PaymentBucket, type SummaryWindow, summarizePayments } from "./summary.js";
