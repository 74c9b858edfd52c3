import type { AddressInfo } from "node:net";
import { Flowglad } from "@flowglad/node";
import { serve } from "@hono/node-server";
import { afterAll, expect } from "vitest";
import { type TestContext, testContext } from "./app.js";
import { submitCheckoutForm } from "./checkout.js";

export type GladeServer = { ctx: TestContext; baseUrl: string };

/**
 * Glade on a real loopback port, so the official clients talk to it over HTTP exactly as they would in
 * production. The hosted checkout URLs it hands out point at this same server.
 */
export async function startGlade(): Promise<GladeServer> {
  const base = await testContext();
  // The app reads publicUrl per request, so it can be filled in once the port is known.
  const config = { ...base.deps.config };
  const ctx = await testContext({ config });
  const port = await new Promise<number>((resolve) => {
    const server = serve({ fetch: ctx.app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve(info.port),
    );
    afterAll(async () => {
      await new Promise<void>((done) => server.close(() => done()));
    });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  config.publicUrl = baseUrl;
  return { ctx, baseUrl };
}

export type RequestLog = { method: string; path: string; body: unknown }[];

/**
 * The official client as a merchant would build it: only the base URL and the secret key are set. Retries are
 * off so a compatibility failure shows up as the first error; every request is logged for wire assertions.
 */
export function flowgladClient(
  glade: GladeServer,
  apiKey: string,
  options: { maxRetries?: number; log?: RequestLog } = {},
): Flowglad {
  const log = options.log;
  return new Flowglad({
    apiKey,
    baseURL: glade.baseUrl,
    maxRetries: options.maxRetries ?? 0,
    timeout: 10_000,
    fetch: async (input, init) => {
      if (log) {
        const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
        const body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
        log.push({ method: init?.method ?? "GET", path: url.pathname + url.search, body });
      }
      return fetch(input, init);
    },
  });
}

/** Pays an open session through the hosted page's form, as the buyer's browser would. */
export async function payCheckout(glade: GladeServer, sessionId: string, card = "4242 4242 4242 4242") {
  const res = await submitCheckoutForm(glade.ctx, sessionId, { cardNumber: card });
  expect(res.status, res.text).toBe(303);
}

/** Matchers for the wire shapes: the client does no validation, so every test checks the fields itself. */
export const anyMs = () => expect.any(Number);
export const nullableString = () => expect.toBeOneOf([null, expect.any(String)]);

export function expectListEnvelope(page: unknown) {
  expect(page).toEqual(
    expect.objectContaining({
      data: expect.any(Array),
      hasMore: expect.any(Boolean),
      total: expect.any(Number),
    }),
  );
}
