import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { AppError } from "../lib/errors.js";
import { errorResponse, toAppError, validationError } from "./errors.js";
import { idempotency } from "./idempotency.js";
import { limitBody, requestId, requireApiKey } from "./middleware.js";
import { registerDocs } from "./openapi-doc.js";
import { registerRoutes } from "./routes.js";
import type { App, AppEnv } from "./types.js";

export function createApp(deps: AppDeps): App {
  const app: App = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return errorResponse(c, validationError(result.error, result.target));
    },
  });

  app.use("*", requestId);
  app.use("*", limitBody(deps.config.maxBodyBytes));
  app.use("/api/v1/*", requireApiKey(deps));
  app.use("/api/v1/*", idempotency(deps));

  registerRoutes(app, deps);
  registerDocs(app);
  app.get("/", (c) =>
    c.html(
      '<!doctype html><html lang="en"><meta charset="utf-8"><title>Glade</title><body style="font-family:system-ui;max-width:40rem;margin:3rem auto"><h1>Glade</h1><p>Checkout and billing server. API reference: <a href="/api/docs">/api/docs</a>.</p></body></html>',
    ),
  );

  app.notFound((c) => {
    if (c.req.path.startsWith("/api/")) {
      return errorResponse(c, new AppError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`));
    }
    return c.html("<!doctype html><title>Not found</title><h1>Not found</h1>", 404);
  });
  app.onError((err, c) => errorResponse(c, toAppError(err, deps.logger, c.get("requestId") ?? "unknown")));
  return app;
}
