import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Merchant } from "../context/index.js";

export type AppEnv = {
  Variables: {
    requestId: string;
    merchant: Merchant;
  };
};

export type App = OpenAPIHono<AppEnv>;
