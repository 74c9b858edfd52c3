export { clientAddress, createRateLimiter, type RateLimiter } from "./rate-limit.js";
export { purchaseCookieName, registerPurchasePageRoutes } from "./routes.js";
