import { Flowglad } from "@flowglad/node";
import { expect } from "vitest";
import type { ServedGlade } from "./server.js";

export type RequestLog = { method: string; path: string; body: unknown }[];

/**
 * The official client as a merchant would build it: only the base URL and the secret key are set. Retries are
 * off so a compatibility failure shows up as the first error; every request is logged for wire assertions.
 */
export function flowgladClient(
  glade: ServedGlade,
  apiKey: string,
  options: { maxRetries?: number; log?: RequestLog } = {},
): Flowglad {
  const log = options.log;
  return new Flowglad({
    apiKey,
    baseURL: glade.baseUrl,
    maxRetries: options.maxRetries ?? 0,
    timeout: 60_000,
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
