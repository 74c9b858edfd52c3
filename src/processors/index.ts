export { CONNECTION_CACHE_MS, createProcessorRegistry, LIVE_MODE_NEEDS_PROCESSOR } from "./registry.js";
export { processorRegistry } from "./wire.js";
export { registerStripeWebhook } from "./stripe-webhook.js";
