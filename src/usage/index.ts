export { type BalanceSubscription, getUsageBalances, usageMeterBalancesFor } from "./balances.js";
export { billClosingPeriod, usageBilling } from "./bill-usage.js";
export { type Credit, type CreditBook, type CreditTarget, loadCredits } from "./credits.js";
export { ingestUsageEvents } from "./ingest-bulk.js";
export { ingestUsageEvent } from "./ingest-event.js";
export { getUsageEvent } from "./queries-events.js";
export { registerUsageBalanceRoutes } from "./routes-balances.js";
export { registerUsageEventRoutes } from "./routes-usage-events.js";
export { type UsageEventInput, UsageEventRecordSchema } from "./schemas-events.js";
export { serializeUsageMeterBalance } from "./serialize-balance.js";
export {
  serializeUsageEvent,
  type UsageEventData,
  type UsageEventRecord,
  type UsageEventRow,
} from "./serialize-event.js";
export { currentPeriodUsage, type UsageBySubscription } from "./usage-totals.js";
