import type { IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { performance } from "node:perf_hooks";
import { Webhook } from "standardwebhooks";
import { type AllowList, plainHost } from "../lib/address-policy.js";
import { type CheckedDestination, checkDestination, type Resolver, systemResolver } from "./destination.js";

export const DEFAULT_TIMEOUT_MS = 10_000;
export const SNIPPET_CHARS = 500;
/** Enough bytes for SNIPPET_CHARS characters of any UTF-8 text; the rest of the body is never read. */
const SNIPPET_BYTES = SNIPPET_CHARS * 4;
const USER_AGENT = "Glade-Webhooks/1.0";

export type SendResult = {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  responseSnippet: string | null;
  error: string | null;
};

/**
 * Standard Webhooks headers. The same values also go out under `svix-*` names because Flowglad's own
 * `verifyWebhook` (in @flowglad/server) reads those; both schemes sign `${id}.${timestamp}.${body}`.
 */
export function signedHeaders(secret: string, messageId: string, body: string, at: Date) {
  const signature = new Webhook(secret).sign(messageId, at, body);
  const timestamp = String(Math.floor(at.getTime() / 1000));
  return {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    "webhook-id": messageId,
    "webhook-timestamp": timestamp,
    "webhook-signature": signature,
    "svix-id": messageId,
    "svix-timestamp": timestamp,
    "svix-signature": signature,
  };
}

type Answer = { status: number; snippet: string | null };

/**
 * Reads at most SNIPPET_BYTES of the answer; a longer body is cut off there (the socket is dropped rather
 * than drained). A body cut short by the timeout or a reset still leaves whatever arrived worth showing.
 */
function readSnippet(response: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      if (size === 0) return resolve(null);
      const text = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString("utf8");
      resolve(text.slice(0, SNIPPET_CHARS));
    };
    response.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size >= SNIPPET_BYTES) response.destroy();
    });
    response.on("error", () => {});
    response.once("close", done);
  });
}

/**
 * The POST itself, to the checked address only: the socket connects to `to.address` (no second lookup
 * that could answer differently), while the Host header and TLS's server name and certificate check stay
 * the URL's hostname. node:http follows no redirects.
 */
function post(
  url: URL,
  to: CheckedDestination,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
) {
  const https = url.protocol === "https:";
  const host = plainHost(url.hostname);
  return new Promise<Answer>((resolve, reject) => {
    const request = (https ? httpsRequest : httpRequest)({
      host: to.address,
      family: to.family,
      port: url.port === "" ? (https ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: "POST",
      headers: { ...headers, host: url.host, "content-length": String(Buffer.byteLength(body)) },
      ...(https ? { servername: isIP(host) === 0 ? host : "" } : {}),
      signal,
    });
    let answered = false;
    // Once the status is in, a timeout or reset only cuts the snippet short (readSnippet sees it close).
    request.on("error", (err) => {
      if (!answered) reject(err);
    });
    request.once("response", (response) => {
      answered = true;
      readSnippet(response).then((snippet) => resolve({ status: response.statusCode ?? 0, snippet }));
    });
    request.end(body);
  });
}

/** Resolves or fails with the abort, whichever comes first: a hanging DNS server is bounded by the timeout too. */
function resolverUntil(resolve: Resolver, signal: AbortSignal): Resolver {
  return (hostname) =>
    new Promise((ok, fail) => {
      const abort = () => fail(Object.assign(new Error("aborted"), { name: "AbortError" }));
      if (signal.aborted) return abort();
      signal.addEventListener("abort", abort, { once: true });
      resolve(hostname).then(ok, fail);
    });
}

function describeError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    if (err.name === "TimeoutError" || err.name === "AbortError") return `timed out after ${timeoutMs} ms`;
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    if (cause && typeof cause.code === "string") return `${err.message}: ${cause.code}`;
    if (cause && typeof cause.message === "string") return `${err.message}: ${cause.message}`;
    return err.message;
  }
  return String(err);
}

export type SendOptions = {
  timeoutMs: number;
  signedAt: Date;
  /** The operator's GLADE_WEBHOOK_ALLOW_PRIVATE. */
  allow: AllowList;
  /** The system resolver unless a test stands in for DNS. */
  resolve?: Resolver;
};

/**
 * One signed POST, to a destination the address policy allows (see destination.ts). Redirects are not
 * followed (a 3xx is a failure, as with Stripe and Svix) and the whole exchange, name lookup and body
 * included, is bounded by `timeoutMs`. A refused destination is a failed attempt that sent nothing. Never
 * throws: every outcome is a result.
 */
export async function sendWebhook(
  target: { url: string; secret: string },
  message: { id: string; body: string },
  options: SendOptions,
): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(options.timeoutMs);
  const failure = (error: string): SendResult => ({
    ok: false,
    statusCode: null,
    durationMs: elapsed(),
    responseSnippet: null,
    error: error.slice(0, SNIPPET_CHARS),
  });
  try {
    const url = new URL(target.url);
    const resolve = resolverUntil(options.resolve ?? systemResolver, signal);
    const to = await checkDestination(url, options.allow, resolve);
    if ("refusal" in to) return failure(to.refusal);
    const headers = signedHeaders(target.secret, message.id, message.body, options.signedAt);
    const { status, snippet } = await post(url, to, headers, message.body, signal);
    const ok = status >= 200 && status < 300;
    const redirect = status >= 300 && status < 400;
    return {
      ok,
      statusCode: status,
      durationMs: elapsed(),
      responseSnippet: snippet,
      error: redirect ? `receiver answered HTTP ${status}, a redirect; webhooks are not redirected` : null,
    };
  } catch (err) {
    return failure(describeError(err, options.timeoutMs));
  }
}
