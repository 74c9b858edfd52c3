export { connectStripe } from "./connection-connect.js";
export { disconnectStripe } from "./connection-disconnect.js";
export { assertEncryptionKeyPresent, rotateSealedSecrets } from "./connection-encryption.js";
export { describeConnection, type OpenConnection, readConnection } from "./connections.js";
export { CONNECTION_CACHE_MS, createProcessorRegistry, LIVE_MODE_NEEDS_PROCESSOR } from "./registry.js";
export { registerProcessorRoutes } from "./routes.js";
export { registerStripeWebhook } from "./routes-stripe-webhook.js";
export {
  type ProcessorConnectionRecord,
  serializeProcessorConnection,
  stripeWebhookUrl,
} from "./serialize.js";
export { processorRegistry } from "./wire.js";
