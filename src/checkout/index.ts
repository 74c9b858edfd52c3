export { settleReturn, syncClientAttempt } from "./client-attempt.js";
export { loadSessionIfAny } from "./confirm.js";
export { createCheckoutSession } from "./create-session.js";
export { expireCheckoutSession, getCheckoutSession, sweepExpiredSessions } from "./expire.js";
export { checkoutJobs } from "./jobs.js";
export { type CheckoutListStatus, listCheckoutSessionsPage, shownStatus } from "./list-sessions.js";
export { registerCheckoutPages } from "./public-routes.js";
export { reconcilePendingSessions } from "./reconcile.js";
export { registerCheckoutRoutes } from "./routes.js";
export {
  type CheckoutSessionRow,
  checkoutUrl,
  serializeCheckoutSession,
  toCheckoutSessionResponse,
} from "./serialize.js";
