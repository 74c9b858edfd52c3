import type { Executor } from "../../src/db/client.js";
import { createApiKey, createOrganization } from "../../src/organizations/index.js";

/**
 * Talking to Glade as a merchant does, over any transport: in-process `app.request` for most files, real HTTP
 * for a server in a child process. Nothing here imports Vitest, so bench/crash-soak.ts can use it too.
 */

export type ApiOptions = { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> };
export type ApiResult = { status: number; body: any; headers: Headers; text: string };
export type Api = (method: string, path: string, options?: ApiOptions) => Promise<ApiResult>;
/** Anything that can call the API: a test context, a served Glade, a child process's world. */
export type ApiClient = { api: Api };

export type TestMerchant = {
  organizationId: string;
  testKey: string;
  liveKey: string;
};

/** `key` goes into Authorization as the official client sends it; JSON answers come back parsed. */
export function apiOver(send: (path: string, init: RequestInit) => Promise<Response>): Api {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.key !== undefined) headers.authorization = options.key;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
      headers["content-type"] = "application/json";
    }
    const res = await send(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get("content-type") ?? "").includes("application/json") && text.length > 0)
      parsed = JSON.parse(text);
    return { status: res.status, body: parsed, headers: res.headers, text };
  };
}

/** Glade served by another process (a `glade start` child), over real HTTP. */
export function httpApi(baseUrl: string): Api {
  return apiOver((path, init) => fetch(`${baseUrl}${path}`, init));
}

/** The body of an answer that must have `status`; anything else stops the test with what came back. */
export async function ok(res: ApiResult | Promise<ApiResult>, what = "request", status = 200): Promise<any> {
  const r = await res;
  if (r.status !== status)
    throw new Error(`${what}: expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A fresh organization with a test and a live key: tests never share tenants. */
export async function newMerchant(db: Executor, name = "Test Merchant"): Promise<TestMerchant> {
  const org = await createOrganization(db, { name }, new Date());
  const test = await createApiKey(db, { organizationId: org.id, livemode: false }, new Date());
  const live = await createApiKey(db, { organizationId: org.id, livemode: true }, new Date());
  return { organizationId: org.id, testKey: test.secret, liveKey: live.secret };
}
