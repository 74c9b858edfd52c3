import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { startBare, startGlade } from "../lib/child.js";
import { type Comparison, compare } from "../lib/compare.js";
import { type BenchDatabase, createOneSession } from "../lib/database.js";
import type { BenchOptions } from "../lib/options.js";

export type PageWeight = {
  assets: { path: string; bytes: number; gzipBytes: number; servedEncoding: string | null }[];
  totalBytes: number;
  totalGzipBytes: number;
};

/** Same-origin stylesheets, scripts and images the page pulls in when a browser opens it. */
function assetPaths(html: string): string[] {
  const found = new Set<string>();
  for (const m of html.matchAll(/<(?:link|script|img)\b[^>]*?\b(?:href|src)="([^"]+)"/gi)) {
    const url = m[1] as string;
    if (url.startsWith("/") && !url.startsWith("//")) found.add(url);
  }
  return [...found];
}

/** What the hosted page weighs: HTML plus every asset, raw and gzip-compressed (zlib default level). */
async function weigh(base: string, pagePath: string): Promise<{ weight: PageWeight; html: Buffer }> {
  const fetchBytes = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { "accept-encoding": "identity" } });
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const servedEncoding = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { "accept-encoding": "gzip, br" } });
    await res.arrayBuffer();
    return res.headers.get("content-encoding");
  };
  const html = await fetchBytes(pagePath);
  const assets = [];
  for (const path of [pagePath, ...assetPaths(html.toString("utf8"))]) {
    const bytes = path === pagePath ? html : await fetchBytes(path);
    assets.push({
      path,
      bytes: bytes.length,
      gzipBytes: gzipSync(bytes).length,
      servedEncoding: await servedEncoding(path),
    });
  }
  return {
    html,
    weight: {
      assets,
      totalBytes: assets.reduce((a, x) => a + x.bytes, 0),
      totalGzipBytes: assets.reduce((a, x) => a + x.gzipBytes, 0),
    },
  };
}

/** GET /checkout/{id} of one open session against node:http sending the same bytes from memory. */
export async function benchPage(
  db: BenchDatabase,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<Comparison & { weight: PageWeight }> {
  const sessionId = await createOneSession(db);
  const pagePath = `/checkout/${sessionId}`;
  const glade = await startGlade(db.url, { httpWorkers: options.gladeWorkers });
  let measured: { weight: PageWeight; html: Buffer };
  try {
    measured = await weigh(glade.url, pagePath);
  } finally {
    await glade.stop();
  }
  const { weight, html } = measured;
  for (const a of weight.assets) {
    log(
      `  ${a.path}: ${a.bytes} B raw, ${a.gzipBytes} B gzip (served encoding: ${a.servedEncoding ?? "none"})`,
    );
  }
  // Outside the repo: the linter would otherwise check a generated page.
  const dir = mkdtempSync(resolve(tmpdir(), "glade-bench-page-"));
  const pageFile = resolve(dir, "checkout-page.html");
  writeFileSync(pageFile, html);
  try {
    const comparison = await compare(
      db,
      {
        glade: {
          label: "glade",
          start: () => startGlade(db.url, { httpWorkers: options.gladeWorkers }),
          spec: () => ({ method: "GET", path: pagePath, expectStatus: 200 }),
        },
        bare: {
          label: "bare",
          start: () => startBare("page", { BARE_PAGE_FILE: pageFile }),
          spec: () => ({ method: "GET", path: pagePath, expectStatus: 200 }),
        },
      },
      options,
      log,
    );
    return { ...comparison, weight };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
