/**
 * Postgres reports a unique violation as SQLSTATE 23505; drizzle wraps the driver error in `cause`, and the
 * two drivers name the constraint differently (postgres.js `constraint_name`, PGlite `constraint`).
 */
export function uniqueViolationConstraint(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const e = current as { code?: unknown; constraint_name?: unknown; constraint?: unknown; cause?: unknown };
    if (e.code === "23505") {
      const name = e.constraint_name ?? e.constraint;
      return typeof name === "string" ? name : "";
    }
    current = e.cause;
  }
  return undefined;
}
