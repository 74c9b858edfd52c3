import type { SQL } from "drizzle-orm";
import type { Executor } from "./client.js";

/** The rows of a raw query's result from either driver: postgres.js returns an array, PGlite `{ rows }`. */
export function resultRows<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

export async function queryRows<T>(db: Executor, query: SQL): Promise<T[]> {
  return resultRows<T>(await db.execute(query));
}
