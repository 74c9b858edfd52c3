import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../context/index.js";
import { errorResponses, jsonResponse } from "../http/openapi.js";
import type { App } from "../http/types.js";
import { notFound } from "../lib/errors.js";
import { listEnvelope, toEpochMs, toEpochMsOrNull } from "../lib/wire.js";
import { type ApiKeyRecord, getApiKey, listApiKeys, revokeApiKey } from "../organizations/index.js";

const tags = ["API keys"];

/** A key as the API shows it: never the secret (shown once at creation) nor its hash. */
const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    /** The secret's first characters, to tell keys apart. */
    keyPrefix: z.string(),
    livemode: z.boolean(),
    createdAt: z.number().int(),
    revokedAt: z.number().int().nullable(),
  })
  .openapi("ApiKey");

const ApiKeyIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/, "is not a valid id")
    .openapi({ param: { name: "id", in: "path" } }),
});

function serializeApiKey(key: ApiKeyRecord) {
  return {
    id: key.id,
    name: key.name,
    keyPrefix: key.keyPrefix,
    livemode: key.livemode,
    createdAt: toEpochMs(key.createdAt),
    revokedAt: toEpochMsOrNull(key.revokedAt),
  };
}

const listKeys = createRoute({
  method: "get",
  path: "/api/v1/api-keys",
  tags,
  security: [{ secretKey: [] }],
  summary: "The organization's secret keys of the calling key's mode, revoked ones included, newest first",
  responses: {
    200: jsonResponse(listEnvelope(ApiKeySchema, "ApiKeyList"), "Every key (a merchant has a handful)"),
    ...errorResponses(),
  },
});

const revokeKey = createRoute({
  method: "post",
  path: "/api/v1/api-keys/{id}/revoke",
  tags,
  security: [{ secretKey: [] }],
  summary:
    "Revoke a key of the calling key's mode (the caller's own included): every Glade process refuses it from the commit on",
  request: { params: ApiKeyIdParam },
  responses: {
    200: jsonResponse(
      z.object({ apiKey: ApiKeySchema }),
      "The revoked key (revoking twice keeps the first time)",
    ),
    ...errorResponses("NOT_FOUND"),
  },
});

export function registerApiKeyRoutes(app: App, deps: AppDeps): void {
  app.openapi(listKeys, async (c) => {
    const keys = await listApiKeys(deps.db, c.get("merchant"));
    return c.json({ data: keys.map(serializeApiKey), hasMore: false, total: keys.length }, 200);
  });

  app.openapi(revokeKey, async (c) => {
    const merchant = c.get("merchant");
    const { id } = c.req.valid("param");
    const key = await deps.db.transaction(async (tx) => {
      const found = await getApiKey(tx, merchant, id);
      if (!found) throw notFound(`API key ${id} not found`);
      if (!found.revokedAt) await revokeApiKey(tx, id, deps.now());
      return getApiKey(tx, merchant, id);
    });
    if (!key) throw notFound(`API key ${id} not found`);
    return c.json({ apiKey: serializeApiKey(key) }, 200);
  });
}
