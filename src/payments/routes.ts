import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { listTenantPage } from "../db/list.js";
import { paymentMethods, payments } from "../db/schema/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { notFound } from "../lib/errors.js";
import { ListQuery } from "../lib/pagination.js";
import { listEnvelope } from "../lib/wire.js";
import { getPaymentMethod } from "./payment-methods.js";
import { getPayment } from "./record-payment.js";
import { refundPayment } from "./refund-payment.js";
import { IdParams, PaymentMethodRecord, PaymentRecord, RefundBody } from "./schemas.js";
import { serializePayment, serializePaymentMethod } from "./serialize.js";

const PaymentMethodEnvelope = z.object({ paymentMethod: PaymentMethodRecord });
const PaymentEnvelope = z.object({ payment: PaymentRecord });

const listPaymentMethodsRoute = createRoute({
  method: "get",
  path: "/api/v1/payment-methods",
  tags: ["Payment methods"],
  security: [{ secretKey: [] }],
  summary: "List saved payment methods",
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(listEnvelope(PaymentMethodRecord, "PaymentMethodList"), "A page of payment methods"),
    ...errorResponses(),
  },
});

const getPaymentMethodRoute = createRoute({
  method: "get",
  path: "/api/v1/payment-methods/{id}",
  tags: ["Payment methods"],
  security: [{ secretKey: [] }],
  summary: "Retrieve a payment method",
  request: { params: IdParams },
  responses: {
    200: jsonResponse(PaymentMethodEnvelope, "The payment method"),
    ...errorResponses("NOT_FOUND"),
  },
});

const listPaymentsRoute = createRoute({
  method: "get",
  path: "/api/v1/payments",
  tags: ["Payments"],
  security: [{ secretKey: [] }],
  summary: "List payments",
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(listEnvelope(PaymentRecord, "PaymentList"), "A page of payments"),
    ...errorResponses(),
  },
});

const getPaymentRoute = createRoute({
  method: "get",
  path: "/api/v1/payments/{id}",
  tags: ["Payments"],
  security: [{ secretKey: [] }],
  summary: "Retrieve a payment",
  request: { params: IdParams },
  responses: { 200: jsonResponse(PaymentEnvelope, "The payment"), ...errorResponses("NOT_FOUND") },
});

const refundPaymentRoute = createRoute({
  method: "post",
  path: "/api/v1/payments/{id}/refund",
  tags: ["Payments"],
  security: [{ secretKey: [] }],
  summary: "Refund a payment in full or in part",
  request: { params: IdParams, body: { ...jsonBody(RefundBody), required: false } },
  responses: {
    200: jsonResponse(PaymentEnvelope, "The refunded payment"),
    ...errorResponses("NOT_FOUND", "UNPROCESSABLE_CONTENT"),
  },
});

export function registerPaymentRoutes(app: App, deps: AppDeps): void {
  app.openapi(listPaymentMethodsRoute, async (c) => {
    const page = await listTenantPage(
      deps.db,
      paymentMethods,
      c.get("merchant"),
      c.req.valid("query"),
      serializePaymentMethod,
    );
    return c.json(page, 200);
  });

  app.openapi(getPaymentMethodRoute, async (c) => {
    const { id } = c.req.valid("param");
    const row = await getPaymentMethod(deps.db, c.get("merchant"), id);
    if (!row) throw notFound("Payment method", id);
    return c.json({ paymentMethod: serializePaymentMethod(row) }, 200);
  });

  app.openapi(listPaymentsRoute, async (c) => {
    const page = await listTenantPage(
      deps.db,
      payments,
      c.get("merchant"),
      c.req.valid("query"),
      serializePayment,
    );
    return c.json(page, 200);
  });

  app.openapi(getPaymentRoute, async (c) => {
    const { id } = c.req.valid("param");
    const row = await getPayment(deps.db, c.get("merchant"), id);
    if (!row) throw notFound("Payment", id);
    return c.json({ payment: serializePayment(row) }, 200);
  });

  app.openapi(refundPaymentRoute, async (c) => {
    const { id } = c.req.valid("param");
    const row = await refundPayment(deps, c.get("merchant"), id, c.req.valid("json"));
    return c.json({ payment: serializePayment(row) }, 200);
  });
}
