export { createStripeClient, verifyStripeKey } from "./client.js";
export type { ProcessorCustomerStore } from "./customers.js";
export { mapIntentStatus, paymentIntentResult, setupIntentResult } from "./intent-result.js";
export { createStripeProcessor, type StripeProcessorOptions } from "./processor.js";
export { stripeErrorType } from "./stripe-errors.js";
export {
  disputeFromEvent,
  intentFromEvent,
  parseStripeEvent,
  refundFromEvent,
  type StripeDisputeOpened,
  type StripeRefundUpdate,
} from "./webhook-events.js";
