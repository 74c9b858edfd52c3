import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Merchant } from "../context/index.js";

export type AppEnv = {
  Variables: {
    requestId: string;
    merchant: Merchant;
    /** Set by resolveClientAddress: the peer, or the client behind the operator's trusted proxies. */
    clientAddress: string;
    /** Counts a hosted page's organization as being served (src/http/tenant-admission.ts); set on /checkout/*. */
    tenantSeen: (organizationId: string) => void;
  };
};

export type App = OpenAPIHono<AppEnv>;
