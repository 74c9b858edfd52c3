export { purchaseCookieName, registerPurchasePageRoutes } from "./routes.js";
