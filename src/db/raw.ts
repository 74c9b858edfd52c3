import type { SQL } from "drizzle-orm";
import type { Executor } from "./client.js";

/** Raw SQL rows from either driver: postgres.js returns an array, PGlite returns `{ rows }`. */
export async function queryRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
