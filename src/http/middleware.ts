import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppDeps } from "../context/index.js";
import { AppError } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { authenticateSecret } from "../organizations/index.js";
import type { AppEnv } from "./types.js";

type NodeBindings = { outgoing?: { setHeader?: (name: string, value: string) => unknown } };

export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = newId("request");
  c.set("requestId", id);
  // Served by @hono/node-server, the header goes straight onto Node's response, which merges it into
  // whatever the handler answers. Hono's c.header() would build a WHATWG Headers object for every request
  // and turn the answer's plain header object into one too (~1.5 % of a checkout create).
  const outgoing = (c.env as NodeBindings | undefined)?.outgoing;
  if (typeof outgoing?.setHeader === "function") outgoing.setHeader("x-request-id", id);
  else c.header("x-request-id", id);
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

/**
 * The body cap. A declared Content-Length is checked from the header alone; only a body of unknown length
 * (chunked, or a request built in-process) goes through Hono's streaming counter. That counter's first step reads `request.body`, which
 * makes @hono/node-server build a full WHATWG Request (streams, AbortSignal) for every request, GETs
 * included: ~13 % of a checkout create's CPU before any body was even looked at.
 */
export function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  const tooLarge = () => {
    throw new AppError("PAYLOAD_TOO_LARGE", `Request body is larger than ${maxBytes} bytes`);
  };
  const streaming = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    const length = c.req.header("content-length");
    const chunked = c.req.header("transfer-encoding") !== undefined;
    if (length !== undefined && !chunked) {
      if (Number.parseInt(length, 10) > maxBytes) tooLarge();
      return next();
    }
    if (!chunked && (c.req.method === "GET" || c.req.method === "HEAD")) return next();
    // Unknown length: counted as it streams.
    return streaming(c, next);
  };
}
