/**
 * SQLSTATEs that say the database cannot serve anyone right now, whatever was asked: class 08 (connection
 * exception), 53 (insufficient resources: too many connections, out of memory or disk), and 57P01–57P03
 * (the backend was terminated, the server crashed or is still starting).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|53...|57P0[1-3])$/;

/** postgres.js's own codes for a connection it lost, could not open, or was told to close. */
const DRIVER_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/**
 * Socket errors count only when postgres.js raised them for a statement (it gives such errors a `query`):
 * the same ECONNRESET from the HTTP client hanging up is that client's business, not an outage.
 */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
]);

/**
 * Whether `err` (or what it wraps: Drizzle puts the driver's error in `cause`) means the database is out of
 * reach or refusing work, so the request may succeed if retried later, as opposed to a bug or bad input.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") {
      if (UNAVAILABLE_SQLSTATE.test(code) || DRIVER_CODES.has(code)) return true;
      if (SOCKET_CODES.has(code) && "query" in current) return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * SQLSTATEs for a statement Postgres gave up on: 57014 (cancelled, which is how `statement_timeout` ends one)
 * and 55P03 (`lock_timeout`). The transaction rolled back, so the request can be retried as it was.
 */
const GAVE_UP_SQLSTATE = new Set(["57014", "55P03"]);

/** Whether `err` (or what it wraps) is the database cancelling a statement that ran or waited too long. */
export function isDatabaseTimeout(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && GAVE_UP_SQLSTATE.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
