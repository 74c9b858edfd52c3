export { registerApiKeyRoutes } from "./routes.js";
