import { createRoute } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { connectStripe } from "./connection-connect.js";
import { disconnectStripe } from "./connection-disconnect.js";
import { describeConnection, noConnection } from "./connections.js";
import { ConnectStripeBody, ProcessorConnectionEnvelope } from "./schemas.js";
import { serializeProcessorConnection } from "./serialize.js";

const tags = ["Processors"];

const connect = createRoute({
  method: "post",
  path: "/api/v1/processors/stripe",
  tags,
  summary:
    "Connect the organization's Stripe account for the API key's mode (or replace its keys): the secret key is checked with Stripe first, and both secrets are stored sealed",
  request: { body: jsonBody(ConnectStripeBody) },
  responses: {
    201: jsonResponse(ProcessorConnectionEnvelope, "Connected"),
    200: jsonResponse(ProcessorConnectionEnvelope, "The keys of the existing connection were replaced"),
    ...errorResponses("UNPROCESSABLE_CONTENT", "SERVICE_UNAVAILABLE"),
  },
});

const show = createRoute({
  method: "get",
  path: "/api/v1/processors/stripe",
  tags,
  summary: "The Stripe connection of the API key's mode (never its secrets)",
  responses: {
    200: jsonResponse(ProcessorConnectionEnvelope, "The connection"),
    ...errorResponses("NOT_FOUND"),
  },
});

const disconnect = createRoute({
  method: "delete",
  path: "/api/v1/processors/stripe",
  tags,
  summary:
    "Disconnect Stripe for the API key's mode: new test-mode sessions go back to the sandbox, live mode refuses new sessions",
  responses: {
    200: jsonResponse(ProcessorConnectionEnvelope, "The removed connection"),
    ...errorResponses("NOT_FOUND"),
  },
});

export function registerProcessorRoutes(app: App, deps: AppDeps): void {
  app.openapi(connect, async (c) => {
    const { connection, created } = await connectStripe(
      deps,
      c.get("merchant"),
      c.req.valid("json"),
      deps.now(),
    );
    const body = { processorConnection: serializeProcessorConnection(connection, deps.config.publicUrl) };
    return created ? c.json(body, 201) : c.json(body, 200);
  });

  app.openapi(show, async (c) => {
    const merchant = c.get("merchant");
    const processorConnection = await describeConnection(deps, merchant);
    if (!processorConnection) throw noConnection(merchant);
    return c.json({ processorConnection }, 200);
  });

  app.openapi(disconnect, async (c) => {
    const row = await disconnectStripe(deps, c.get("merchant"));
    return c.json({ processorConnection: serializeProcessorConnection(row, deps.config.publicUrl) }, 200);
  });
}
