/**
 * One error type for the whole server. Codes are the tRPC-style strings Flowglad puts at the top level of
 * its error body; `@flowglad/server` branches on `code === "NOT_FOUND"` to auto-create customers.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  PAYMENT_REQUIRED: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_SUPPORTED: 405,
  CONFLICT: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE_CONTENT: 422,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type ErrorIssue = { path: (string | number)[]; message: string };

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly issues: ErrorIssue[] | undefined;
  /** Transient failures may be retried by the official client; everything else says "do not retry". */
  readonly retryable: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    options: { issues?: ErrorIssue[]; retryable?: boolean } = {},
  ) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.issues = options.issues;
    this.retryable = options.retryable ?? false;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string, id?: string) =>
  new AppError("NOT_FOUND", id === undefined ? `${what} not found` : `${what} ${id} not found`);
export const badRequest = (message: string, issues?: ErrorIssue[]) =>
  new AppError("BAD_REQUEST", message, issues ? { issues } : {});
export const conflict = (message: string) => new AppError("CONFLICT", message);
export const unprocessable = (message: string) => new AppError("UNPROCESSABLE_CONTENT", message);

/** A broken invariant inside the server: a bug, never a user error. */
export function panic(message: string): never {
  throw new Error(`invariant violated: ${message}`);
}
