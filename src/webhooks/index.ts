export { type Resolver, registrationRefusal } from "./destination.js";
export {
  type EmitEventInput,
  EVENT_TYPES,
  type EventType,
  emitEvent,
  eventAbout,
  eventsWithDeliveriesSql,
  inCausalOrder,
  type Planned,
  type PlannedEvent,
  planEvent,
  transactionWithEvents,
} from "./emit-event.js";
export {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  type EndpointConfig,
  getWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from "./endpoints.js";
export { getEvent, getEventsByIds, listEvents, redeliverEvent } from "./event-log.js";
export { listRecentEventsAboutCustomer } from "./events-about-customer.js";
export { listDeliveries } from "./list-deliveries.js";
export { registerWebhookRoutes } from "./routes.js";
export { MAX_ATTEMPTS, nextAttemptAt, RETRY_WINDOW_MS } from "./schedule.js";
export { openWebhookSecret, sealStoredWebhookSecrets } from "./secret-at-rest.js";
export { signedHeaders } from "./send.js";
export {
  type DeliveryRecord,
  type EventRecord,
  type EventRow,
  serializeDelivery,
  serializeEvent,
  serializeWebhook,
  type WebhookEndpointRow,
  type WebhookRecord,
} from "./serialize.js";
export {
  type BatchResult,
  type DeliveryWorkerOptions,
  drainDeliveries,
  runDeliveryBatch,
  webhookDeliveryJob,
} from "./worker.js";
