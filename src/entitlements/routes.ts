import type { AppDeps } from "../context/index.js";
import type { App } from "../http/types.js";
import { registerClaimRoutes } from "./routes-claims.js";
import { registerGrantRoutes } from "./routes-grants.js";

export function registerEntitlementRoutes(app: App, deps: AppDeps): void {
  registerGrantRoutes(app, deps);
  registerClaimRoutes(app, deps);
}
