import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { listTenantPage } from "../db/list.js";
import { customers } from "../db/schema/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { ListQuery } from "../lib/pagination.js";
import { createCustomer } from "./create-customer.js";
import { createCustomerExamples, createdCustomerExamples } from "./examples.js";
import { requireCustomerByExternalId } from "./queries.js";
import {
  CreateCustomerBody,
  CustomerList,
  CustomerRecordSchema,
  CustomerResponse,
  ExternalIdParam,
  UpdateCustomerBody,
} from "./schemas.js";
import { serializeCustomer } from "./serialize.js";
import { archiveCustomer, updateCustomer } from "./update-customer.js";

const tags = ["Customers"];
const security = [{ secretKey: [] }];

export function registerCustomerRoutes(app: App, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/customers",
      tags,
      security,
      summary: "Create a customer (answers {data: {customer}}, as @flowglad/server expects)",
      request: { body: jsonBody(CreateCustomerBody, undefined, createCustomerExamples) },
      responses: {
        200: jsonResponse(
          z.object({ data: z.object({ customer: CustomerRecordSchema }) }),
          "The created customer",
          createdCustomerExamples,
        ),
        ...errorResponses("NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { customer } = c.req.valid("json");
      const row = await deps.db.transaction((tx) => createCustomer(tx, merchant, customer, deps.now()));
      return c.json({ data: { customer: serializeCustomer(row) } }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/customers",
      tags,
      security,
      summary: "List customers, newest first",
      request: { query: ListQuery },
      responses: { 200: jsonResponse(CustomerList, "A page of customers"), ...errorResponses() },
    }),
    async (c) => {
      const page = await listTenantPage(
        deps.db,
        customers,
        c.get("merchant"),
        c.req.valid("query"),
        serializeCustomer,
      );
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/customers/{externalId}",
      tags,
      security,
      summary: "A customer by your externalId (404 with code NOT_FOUND when unknown)",
      request: { params: ExternalIdParam },
      responses: { 200: jsonResponse(CustomerResponse, "The customer"), ...errorResponses("NOT_FOUND") },
    }),
    async (c) => {
      const row = await requireCustomerByExternalId(
        deps.db,
        c.get("merchant"),
        c.req.valid("param").externalId,
      );
      return c.json({ customer: serializeCustomer(row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/customers/{externalId}",
      tags,
      security,
      summary: "Update a customer's details (externalId and pricing model are fixed)",
      request: { params: ExternalIdParam, body: jsonBody(UpdateCustomerBody) },
      responses: {
        200: jsonResponse(CustomerResponse, "The updated customer"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { externalId } = c.req.valid("param");
      const { customer } = c.req.valid("json");
      const row = await deps.db.transaction((tx) =>
        updateCustomer(tx, merchant, externalId, customer, deps.now()),
      );
      return c.json({ customer: serializeCustomer(row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/customers/{externalId}/archive",
      tags,
      security,
      summary: "Archive a customer (idempotent)",
      request: { params: ExternalIdParam },
      responses: {
        200: jsonResponse(CustomerResponse, "The archived customer"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { externalId } = c.req.valid("param");
      const row = await deps.db.transaction((tx) => archiveCustomer(tx, merchant, externalId, deps.now()));
      return c.json({ customer: serializeCustomer(row) }, 200);
    },
  );
}
