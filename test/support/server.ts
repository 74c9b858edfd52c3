import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll } from "vitest";
import type { AppDeps } from "../../src/context/index.js";
import { type TestContext, testContext } from "./app.js";

export { freePort } from "../../bench/lib/child.js";

/** `fetch` behind @hono/node-server on a loopback port the OS picks, closed after the file. */
export async function listen(
  fetch: (request: Request) => Response | Promise<Response>,
): Promise<{ url: string; port: number }> {
  const port = await new Promise<number>((resolve) => {
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve(info.port),
    );
    afterAll(() => new Promise<void>((done) => server.close(() => done())));
  });
  return { url: `http://127.0.0.1:${port}`, port };
}

export type ServedGlade = { ctx: TestContext; baseUrl: string };

/**
 * Glade on a real loopback port, for clients that talk HTTP (the official SDKs, Chromium). The URLs it hands
 * out (hosted checkout, purchase links) point at this same server.
 */
export async function serveGlade(overrides: Partial<Pick<AppDeps, "now">> = {}): Promise<ServedGlade> {
  const base = await testContext();
  // The app reads publicUrl per request, so it can be filled in once the port is known.
  const config = { ...base.deps.config };
  const ctx = await testContext({ config, ...overrides });
  const { url } = await listen(ctx.app.fetch);
  config.publicUrl = url;
  return { ctx, baseUrl: url };
}
