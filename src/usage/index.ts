export { type BalanceSubscription, getUsageBalances, usageMeterBalancesFor } from "./balances.js";
export { billClosingPeriod, usageBilling } from "./bill-usage.js";
export { type Credit, type CreditBook, type CreditTarget, loadCredits } from "./credits.js";
export { registerUsageBalanceRoutes } from "./routes-balances.js";
export { serializeUsageMeterBalance } from "./serialize-balance.js";
