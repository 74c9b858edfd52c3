import { z } from "zod";
import { badRequest } from "./errors.js";

/** The official client sends `limit` as a string; cursors are opaque to callers. */
export const ListQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});
export type ListQuery = z.infer<typeof ListQuery>;

/**
 * The API's `total` counts at most this many rows: exact up to it, and `LIST_TOTAL_CAP + 1` means "more than
 * LIST_TOTAL_CAP". An exact count of a million-row tenant cost 0.4–0.8 s of three processes per page, a cost
 * that grew with the tenant's table and was paid by every other tenant sharing the database.
 */
export const LIST_TOTAL_CAP = 1_000;

export type ListPage<T> = {
  data: T[];
  hasMore: boolean;
  total: number;
  currentCursor?: string;
  nextCursor?: string;
};

export function encodeCursor(position: number): string {
  return Buffer.from(JSON.stringify({ p: position })).toString("base64url");
}

export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    const p = (parsed as { p?: unknown }).p;
    if (typeof p === "number" && Number.isSafeInteger(p) && p > 0) return p;
  } catch {
    // fall through to the error below
  }
  throw badRequest("Invalid cursor");
}

/** Builds the envelope from rows fetched with `limit + 1` (newest first, by position). */
export function toListPage<Row extends { position: number }, T>(
  rows: Row[],
  query: ListQuery,
  total: number,
  serialize: (row: NoInfer<Row>) => T,
): ListPage<T> {
  const hasMore = rows.length > query.limit;
  const pageRows = hasMore ? rows.slice(0, query.limit) : rows;
  const last = pageRows[pageRows.length - 1];
  const page: ListPage<T> = { data: pageRows.map(serialize), hasMore, total };
  if (query.cursor) page.currentCursor = query.cursor;
  if (hasMore && last) page.nextCursor = encodeCursor(last.position);
  return page;
}
