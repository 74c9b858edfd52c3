import { AppError } from "../lib/errors.js";

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

/** A `.catch` handler turning known unique violations into CONFLICT; anything else is rethrown untouched. */
export function conflictOnUnique(messages: Record<string, string>): (err: unknown) => never {
  return (err) => {
    const constraint = uniqueViolationConstraint(err);
    const message = constraint === undefined ? undefined : messages[constraint];
    if (message !== undefined) throw new AppError("CONFLICT", message);
    throw err;
  };
}
