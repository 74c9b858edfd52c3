import { performance } from "node:perf_hooks";
import { Webhook } from "standardwebhooks";

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

async function readSnippet(response: Response): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short (timeout, reset) still leaves whatever arrived worth showing.
  } finally {
    reader.cancel().catch(() => {});
  }
  if (size === 0) return null;
  const text = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString("utf8");
  return text.slice(0, SNIPPET_CHARS);
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

/**
 * One signed POST. Redirects are not followed (a 3xx is a failure, as with Stripe and Svix) and the
 * whole exchange, body included, is bounded by `timeoutMs`. Never throws: every outcome is a result.
 */
export async function sendWebhook(
  target: { url: string; secret: string },
  message: { id: string; body: string },
  options: { timeoutMs: number; signedAt: Date; fetch?: typeof fetch },
): Promise<SendResult> {
  const doFetch = options.fetch ?? fetch;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await doFetch(target.url, {
      method: "POST",
      headers: signedHeaders(target.secret, message.id, message.body, options.signedAt),
      body: message.body,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const responseSnippet = await readSnippet(response);
    const ok = response.status >= 200 && response.status < 300;
    return { ok, statusCode: response.status, durationMs: elapsed(), responseSnippet, error: null };
  } catch (err) {
    return {
      ok: false,
      statusCode: null,
      durationMs: elapsed(),
      responseSnippet: null,
      error: describeError(err, options.timeoutMs).slice(0, SNIPPET_CHARS),
    };
  }
}
