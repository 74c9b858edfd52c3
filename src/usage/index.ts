export { ingestUsageEvents } from "./ingest-bulk.js";
export { ingestUsageEvent } from "./ingest-event.js";
export { getUsageEvent } from "./queries-events.js";
export { registerUsageEventRoutes } from "./routes-usage-events.js";
export { type UsageEventInput, UsageEventRecordSchema } from "./schemas-events.js";
export {
  serializeUsageEvent,
  type UsageEventData,
  type UsageEventRecord,
  type UsageEventRow,
} from "./serialize-event.js";
export { currentPeriodUsage, type UsageBySubscription } from "./usage-totals.js";
