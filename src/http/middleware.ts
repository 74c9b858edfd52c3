import type { MiddlewareHandler } from "hono";
import { AppError } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { authenticateSecret } from "../organizations/service.js";
import type { AppDeps, AppEnv } from "./types.js";

export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = newId("request");
  c.set("requestId", id);
  c.header("x-request-id", id);
  await next();
};

const KEY_SHAPE = /^sk_(test|live)_[0-9A-Za-z]{16,128}$/;

/** `Authorization: <key>` as the official client sends it; `Bearer <key>` is accepted too. */
export function requireApiKey(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization")?.trim();
    if (!header) throw new AppError("UNAUTHORIZED", "Missing API key: send it in the Authorization header");
    const secret = header.replace(/^Bearer\s+/i, "").trim();
    if (!KEY_SHAPE.test(secret)) throw new AppError("UNAUTHORIZED", "Invalid API key");
    const key = await authenticateSecret(deps.db, secret);
    if (!key) throw new AppError("UNAUTHORIZED", "Invalid API key");
    c.set("merchant", { organizationId: key.organizationId, livemode: key.livemode, apiKeyId: key.id });
    await next();
  };
}
