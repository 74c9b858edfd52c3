import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { Scalar } from "@scalar/hono-api-reference";
import type { Context } from "hono";
import type { App, AppEnv } from "./types.js";

export const OPENAPI_INFO = {
  openapi: "3.1.0",
  info: {
    title: "Glade API",
    version: "1.0.0",
    description: [
      "Flowglad-compatible checkout and billing API. Authenticate with `Authorization: <secret key>` (a `Bearer`",
      'prefix is accepted). Request bodies wrap the object in its name (`{"product": {...}}`) and answers do',
      "the same, as Flowglad's do, with two exceptions kept for its clients' sake: `POST /customers` answers",
      '`{"data": {"customer": {...}}}`, and `POST /subscriptions` takes a flat body. Errors are',
      "`{error, message, code, request_id}` with `x-should-retry` saying whether retrying can help.",
    ].join(" "),
  },
  // Every /api/v1 operation needs the secret key; declared once so no route can forget it.
  security: [{ secretKey: [] }],
};

export function openApiDocument(app: App) {
  return app.getOpenAPI31Document(OPENAPI_INFO);
}

const SCALAR_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../vendor/scalar");

/**
 * Scalar's browser bundle, served from here (vendor/scalar) so the reference page makes no request to a
 * third party. Read once, on the first visit: the API itself never pays for the 1.4 MB.
 */
let renderer: { version: string; gzipped: Buffer; plain?: Buffer } | undefined;
function scalarBundle() {
  renderer ??= {
    version: readFileSync(resolve(SCALAR_DIR, "VERSION"), "utf8").trim(),
    gzipped: readFileSync(resolve(SCALAR_DIR, "api-reference.standalone.js.gz")),
  };
  return renderer;
}

/**
 * The reference page's policy: its own origin only. Scalar's bundle adds style elements at run time, hence
 * inline styles; scripts need the per-request nonce. "Try it" requests go to this server and nowhere else.
 */
function setDocsSecurityHeaders(c: Context, nonce: string): void {
  c.header(
    "content-security-policy",
    [
      "default-src 'none'",
      `script-src 'self' 'nonce-${nonce}'`,
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "font-src 'self' data:",
      "connect-src 'self'",
      "worker-src 'self' blob:",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ].join("; "),
  );
  c.header("x-frame-options", "DENY");
  c.header("x-content-type-options", "nosniff");
  c.header("referrer-policy", "no-referrer");
}

/** `publicUrl` becomes the document's server as served, so the reference's copied curl commands reach this server. */
export function registerDocs(app: App, publicUrl: string): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "secretKey", {
    type: "apiKey",
    in: "header",
    name: "Authorization",
  });
  app.get("/api/openapi.json", (c) => c.json({ ...openApiDocument(app), servers: [{ url: publicUrl }] }));
  app.get(
    "/api/docs",
    Scalar<AppEnv>((c) => {
      const nonce = randomBytes(16).toString("base64");
      setDocsSecurityHeaders(c, nonce);
      return {
        url: "/api/openapi.json",
        cdn: `/api/docs/scalar-${scalarBundle().version}.js`,
        nonce,
        pageTitle: "Glade API reference",
        withDefaultFonts: false,
        telemetry: false,
        documentDownloadType: "json",
        // Scalar's hosted extras (its toolbar, its AI agent) talk to scalar.com; the reference stays local.
        showDeveloperTools: "never",
        agent: { disabled: true },
      };
    }),
  );
  app.get("/api/docs/:file{scalar-[0-9.]+\\.js}", (c) => {
    const bundle = scalarBundle();
    if (c.req.param("file") !== `scalar-${bundle.version}.js`) return c.notFound();
    c.header("content-type", "text/javascript; charset=utf-8");
    c.header("cache-control", "public, max-age=31536000, immutable");
    c.header("x-content-type-options", "nosniff");
    c.header("vary", "accept-encoding");
    if (/\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
      c.header("content-encoding", "gzip");
      return c.body(new Uint8Array(bundle.gzipped));
    }
    bundle.plain ??= gunzipSync(bundle.gzipped);
    return c.body(new Uint8Array(bundle.plain));
  });
}
