import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { isDatabaseTimeout, isDatabaseUnavailable } from "../db/unavailable.js";
import { AppError, type ErrorCode, type ErrorIssue } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import type { AppEnv } from "./types.js";

/**
 * Flowglad's error body: `error` (message or issues), top-level `code`, `request_id`. `message` is added
 * because the official client builds `err.message` from it ("404 Customer not found").
 */
export type ErrorBody = {
  error: string;
  message: string;
  code: ErrorCode;
  request_id: string;
  issues?: ErrorIssue[];
};

export function errorResponse(c: Context<AppEnv>, error: AppError): Response {
  const body: ErrorBody = {
    error: error.message,
    message: error.message,
    code: error.code,
    request_id: c.get("requestId") ?? "unknown",
  };
  if (error.issues) body.issues = error.issues;
  // The official client retries 409/429/5xx unless told otherwise; deterministic failures must say no.
  c.header("x-should-retry", error.retryable ? "true" : "false");
  return c.json(body, error.status as ContentfulStatusCode);
}

export function zodIssues(error: ZodError): ErrorIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
    message: issue.message,
  }));
}

/** Hono's validator targets, in the words of the request a client sent. */
const TARGET_NAMES: Record<string, string> = {
  json: "request body",
  form: "form",
  query: "query parameters",
  param: "path parameters",
  header: "headers",
  cookie: "cookies",
};

export function validationError(error: ZodError, target: string): AppError {
  const where = TARGET_NAMES[target] ?? target;
  const issues = zodIssues(error);
  const first = issues[0];
  const summary = first ? `${first.path.join(".") || where}: ${first.message}` : "invalid input";
  return new AppError("BAD_REQUEST", `Invalid ${where}: ${summary}`, { issues });
}

/**
 * Postgres errors that can only come from what the client sent (a NUL byte, a value out of a column's
 * range): the client's fault, so a 400, never a 500.
 */
const CLIENT_DATA_SQLSTATES = new Set(["22021", "22P05", "22P02", "22003", "22007", "22008", "54000"]);

function sqlState(err: unknown): string | undefined {
  for (
    let e: unknown = err, depth = 0;
    e && typeof e === "object" && depth < 4;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * The client hung up before its request body arrived (Node's "aborted", a reset, a stream cut short): nobody
 * is left to answer, and a flood of such clients must not flood the log with stacks.
 */
function isClientAbort(err: unknown): boolean {
  for (
    let e: unknown = err, depth = 0;
    e && typeof e === "object" && depth < 4;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE" || message === "aborted") return true;
  }
  return false;
}

/** One line per failed request during an outage, not a stack each: there may be thousands of them. */
function describe(err: unknown): { code?: unknown; message?: unknown } {
  const cause = (err as { cause?: unknown }).cause ?? err;
  const { code, message } = cause as { code?: unknown; message?: unknown };
  return { code, message };
}

export function toAppError(err: unknown, logger: Logger, requestId: string): AppError {
  if (err instanceof AppError) return err;
  // Before the client-abort test: a database socket reset is an outage, not a client hanging up.
  if (isDatabaseUnavailable(err)) {
    logger.warn({ database: describe(err), requestId }, "database unavailable");
    return new AppError("SERVICE_UNAVAILABLE", "The database is unavailable; try again shortly", {
      retryable: true,
    });
  }
  if (isDatabaseTimeout(err)) {
    logger.warn({ database: describe(err), requestId }, "database statement timed out");
    return new AppError("SERVICE_UNAVAILABLE", "The database took too long to answer; try again shortly", {
      retryable: true,
    });
  }
  if (isClientAbort(err)) {
    logger.debug({ requestId }, "client closed the connection before its request ended");
    return new AppError("BAD_REQUEST", "The request ended before its body arrived");
  }
  const state = sqlState(err);
  if (state && CLIENT_DATA_SQLSTATES.has(state)) {
    return new AppError(
      "BAD_REQUEST",
      "The request contains a value the server cannot store (for example a NUL character)",
    );
  }
  if (err instanceof HTTPException) {
    if (err.status === 413) return new AppError("PAYLOAD_TOO_LARGE", "Request body is too large");
    if (err.status === 400) return new AppError("BAD_REQUEST", err.message || "Malformed request");
    if (err.status === 401) return new AppError("UNAUTHORIZED", err.message || "Unauthorized");
    if (err.status === 404) return new AppError("NOT_FOUND", err.message || "Not found");
    if (err.status < 500) return new AppError("BAD_REQUEST", err.message || "Bad request");
  }
  logger.error({ err, requestId }, "unhandled error");
  return new AppError("INTERNAL_SERVER_ERROR", "Internal server error", { retryable: true });
}
