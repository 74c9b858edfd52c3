// What the dashboard's list pages share: paging (every list), names and money (the records pages).
import type { Context } from "hono";
import type { AppDeps, Merchant } from "../context/index.js";
import { listCustomersByIds } from "../customers/index.js";
import { AppError } from "../lib/errors.js";
import { formatAmount } from "../lib/money.js";
import type { ListPage, ListQuery } from "../lib/pagination.js";
import { messagePage } from "./routes-visitor.js";

export const RECORDS_PAGE_SIZE = 25;

/** The page's query, or undefined when `?status=` names no status of `allowed` (a 400, not an empty list). */
export function statusParam<S extends string>(c: Context, allowed: readonly S[]): S | undefined | null {
  const raw = c.req.query("status");
  if (raw === undefined || raw === "") return undefined;
  return (allowed as readonly string[]).includes(raw) ? (raw as S) : null;
}

export function pageQuery(c: Context): ListQuery {
  const cursor = c.req.query("cursor");
  return { limit: RECORDS_PAGE_SIZE, ...(cursor ? { cursor } : {}) };
}

/** Runs a list; a cursor that is not one of ours (an AppError from the domain) is a 400 page. */
export async function listOr400<T>(
  c: Context,
  title: string,
  list: () => Promise<ListPage<T>>,
): Promise<ListPage<T> | Response> {
  try {
    return await list();
  } catch (error) {
    if (error instanceof AppError && error.code === "BAD_REQUEST") {
      return messagePage(
        c,
        400,
        title,
        "That page of the list does not exist. Start again from the first page.",
      );
    }
    throw error;
  }
}

/** "Ada Lovelace (ada@example.com)" per customer id, for the rows of one page, in one query. */
export async function customerLabels(
  deps: AppDeps,
  merchant: Merchant,
  ids: (string | null)[],
): Promise<Map<string, string>> {
  const rows = await listCustomersByIds(
    deps.db,
    merchant,
    ids.filter((id): id is string => id !== null),
  );
  return new Map(rows.map((r) => [r.id, r.name ? `${r.name} (${r.email})` : r.email]));
}

export function money(amount: number, currency: string): string {
  return formatAmount(amount, currency);
}

export function notFoundPage(c: Context, what: string) {
  return messagePage(c, 404, "Not found", `There is no such ${what} in this organization and mode.`);
}
