import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { listTenantPage } from "../db/list.js";
import { products } from "../db/schema/index.js";
import { errorResponses, jsonBody, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { ListQuery } from "../lib/pagination.js";
import { listEnvelope } from "../lib/wire.js";
import { createProduct } from "./create-product.js";
import { createProductExamples } from "./examples.js";
import { listLiveFeaturesOfProducts } from "./product-features.js";
import { listPricesForProducts, requireProduct } from "./queries.js";
import { CreateProductBody, IdParam, ProductRecordSchema, UpdateProductBody } from "./schemas.js";
import { ProductWithPricesSchema } from "./schemas-entitlements.js";
import { type ProductRow, serializeProduct } from "./serialize.js";
import { serializeProductWithPrices } from "./serialize-details.js";
import { updateProduct } from "./update-product.js";

const tags = ["Products"];
const security = [{ secretKey: [] }];
const ProductResponse = z.object({ product: ProductRecordSchema });

export function registerProductRoutes(app: App, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/products",
      tags,
      security,
      summary: "Create a product together with its first (default) price, optionally attaching features",
      request: { body: jsonBody(CreateProductBody, undefined, createProductExamples) },
      responses: {
        200: jsonResponse(ProductResponse, "The created product"),
        ...errorResponses("NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const body = c.req.valid("json");
      const { product } = await deps.db.transaction((tx) =>
        createProduct(tx, merchant, body.product, body.price, deps.now(), body.featureIds),
      );
      return c.json({ product: serializeProduct(product, deps.config.publicUrl) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/products",
      tags,
      security,
      summary: "List products, newest first",
      request: { query: ListQuery },
      responses: {
        200: jsonResponse(listEnvelope(ProductRecordSchema, "ProductList"), "A page of products"),
        ...errorResponses(),
      },
    }),
    async (c) => {
      const page = await listTenantPage(
        deps.db,
        products,
        c.get("merchant"),
        c.req.valid("query"),
        (row: ProductRow) => serializeProduct(row, deps.config.publicUrl),
      );
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/products/{id}",
      tags,
      security,
      summary:
        "A product with its prices, default price and live features (not wrapped, as Flowglad returns it)",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(ProductWithPricesSchema, "The product"),
        ...errorResponses("NOT_FOUND"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const product = await requireProduct(deps.db, merchant, c.req.valid("param").id);
      const [productPrices, features] = await Promise.all([
        listPricesForProducts(deps.db, merchant, [product.id]),
        listLiveFeaturesOfProducts(deps.db, merchant, [product.id]),
      ]);
      return c.json(
        serializeProductWithPrices(
          product,
          productPrices,
          features.get(product.id) ?? [],
          deps.config.publicUrl,
        ),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/products/{id}",
      tags,
      security,
      summary: "Update a product and, optionally, its default price and its set of features",
      request: { params: IdParam, body: jsonBody(UpdateProductBody) },
      responses: {
        200: jsonResponse(ProductResponse, "The updated product"),
        ...errorResponses("NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const merchant = c.get("merchant");
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const { product } = await deps.db.transaction((tx) =>
        updateProduct(tx, merchant, id, body.product, deps.now(), body.price, body.featureIds),
      );
      return c.json({ product: serializeProduct(product, deps.config.publicUrl) }, 200);
    },
  );
}
