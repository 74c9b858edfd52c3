import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { registerEndpointRoutes } from "./routes-endpoints.js";
import { registerEventRoutes } from "./routes-events.js";

export function registerWebhookRoutes(app: App, deps: AppDeps): void {
  registerEventRoutes(app, deps);
  registerEndpointRoutes(app, deps);
}
