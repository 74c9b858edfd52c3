import type { App } from "./types.js";

export const OPENAPI_INFO = {
  openapi: "3.1.0",
  info: {
    title: "Glade API",
    version: "1.0.0",
    description:
      "Flowglad-compatible checkout and billing API. Authenticate with `Authorization: <secret key>` (a `Bearer` prefix is accepted).",
  },
  // Every /api/v1 operation needs the secret key; declared once so no route can forget it.
  security: [{ secretKey: [] }],
};

export function openApiDocument(app: App) {
  return app.getOpenAPI31Document(OPENAPI_INFO);
}

export function registerDocs(app: App): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "secretKey", {
    type: "apiKey",
    in: "header",
    name: "Authorization",
  });
  app.get("/api/openapi.json", (c) => c.json(openApiDocument(app)));
  app.get("/api/docs", (c) =>
    c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Glade API</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
code{background:#f3f3f3;padding:0 .25rem;border-radius:3px}h2{margin-top:2rem;border-bottom:1px solid #ddd}
.op{margin:.5rem 0;padding:.5rem;border:1px solid #e4e4e4;border-radius:6px}.m{font-weight:600;text-transform:uppercase;width:4rem;display:inline-block}</style>
</head><body><h1>Glade API</h1><p>Machine-readable spec: <a href="/api/openapi.json">/api/openapi.json</a></p>
${renderOperations(openApiDocument(app) as unknown as Doc)}</body></html>`),
  );
}

type Doc = {
  paths?: Record<string, Record<string, { summary?: string; tags?: string[] } | undefined> | undefined>;
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function renderOperations(doc: Doc): string {
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops ?? {})) {
      if (!op) continue;
      const tag = op.tags?.[0] ?? "other";
      const list = byTag.get(tag) ?? [];
      list.push(
        `<div class="op"><span class="m">${escapeHtml(method)}</span><code>${escapeHtml(path)}</code> ${escapeHtml(op.summary ?? "")}</div>`,
      );
      byTag.set(tag, list);
    }
  }
  return [...byTag.entries()].map(([tag, ops]) => `<h2>${escapeHtml(tag)}</h2>${ops.join("")}`).join("");
}
