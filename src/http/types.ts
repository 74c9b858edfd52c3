import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Merchant } from "../context/index.js";

export type AppEnv = {
  Variables: {
    requestId: string;
    merchant: Merchant;
    /** Set by resolveClientAddress: the peer, or the client behind the operator's trusted proxies. */
    clientAddress: string;
  };
};

export type App = OpenAPIHono<AppEnv>;
