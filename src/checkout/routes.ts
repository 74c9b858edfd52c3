import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { listTenantPage } from "../db/list.js";
import { checkoutSessions } from "../db/schema/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { ListQuery } from "../lib/pagination.js";
import { listEnvelope } from "../lib/wire.js";
import { createCheckoutSession } from "./create-session.js";
import { checkoutSessionResponseExamples, createCheckoutSessionExamples } from "./examples.js";
import { expireCheckoutSession, expireIfDue, getCheckoutSession } from "./expire.js";
import { CheckoutSessionRecord, CheckoutSessionResponse, CreateCheckoutSessionBody } from "./schemas.js";
import { type CheckoutSessionRow, serializeCheckoutSession, toCheckoutSessionResponse } from "./serialize.js";

const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});
const tags = ["Checkout sessions"];

const create = createRoute({
  method: "post",
  path: "/api/v1/checkout-sessions",
  tags,
  summary: "Create a checkout session (product, add_payment_method or activate_subscription)",
  request: { body: jsonBody(CreateCheckoutSessionBody, undefined, createCheckoutSessionExamples) },
  responses: {
    200: jsonResponse(
      CheckoutSessionResponse,
      "The session and its hosted page URL",
      checkoutSessionResponseExamples,
    ),
    ...errorResponses("NOT_FOUND", "CONFLICT", "UNPROCESSABLE_CONTENT"),
  },
});

const retrieve = createRoute({
  method: "get",
  path: "/api/v1/checkout-sessions/{id}",
  tags,
  summary: "Retrieve a checkout session",
  request: { params: IdParam },
  responses: { 200: jsonResponse(CheckoutSessionResponse, "The session"), ...errorResponses("NOT_FOUND") },
});

const list = createRoute({
  method: "get",
  path: "/api/v1/checkout-sessions",
  tags,
  summary: "List checkout sessions, newest first",
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(listEnvelope(CheckoutSessionRecord, "CheckoutSessionList"), "A page of sessions"),
    ...errorResponses(),
  },
});

const expire = createRoute({
  method: "post",
  path: "/api/v1/checkout-sessions/{id}/expire",
  tags,
  summary: "Expire an open checkout session now",
  request: { params: IdParam },
  responses: {
    200: jsonResponse(CheckoutSessionResponse, "The expired session"),
    ...errorResponses("NOT_FOUND", "CONFLICT"),
  },
});

export function registerCheckoutRoutes(app: App, deps: AppDeps): void {
  app.openapi(create, async (c) => {
    const { checkoutSession } = c.req.valid("json");
    const session = await createCheckoutSession(deps, c.get("merchant"), checkoutSession);
    return c.json(toCheckoutSessionResponse(deps.config, session), 200);
  });

  app.openapi(retrieve, async (c) => {
    const session = await getCheckoutSession(deps, c.get("merchant"), c.req.valid("param").id);
    return c.json(toCheckoutSessionResponse(deps.config, session), 200);
  });

  app.openapi(list, async (c) => {
    const page = await listTenantPage(
      deps.db,
      checkoutSessions,
      c.get("merchant"),
      c.req.valid("query"),
      (row: CheckoutSessionRow) => row,
    );
    // Sessions past their expiry are expired (and written) before anyone is shown them as open.
    const rows = await Promise.all(page.data.map((row) => expireIfDue(deps, row)));
    return c.json({ ...page, data: rows.map(serializeCheckoutSession) }, 200);
  });

  app.openapi(expire, async (c) => {
    const session = await expireCheckoutSession(deps, c.get("merchant"), c.req.valid("param").id);
    return c.json(toCheckoutSessionResponse(deps.config, session), 200);
  });
}
