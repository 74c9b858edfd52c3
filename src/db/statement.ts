import { and, eq, is, Placeholder, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { panic } from "../lib/errors.js";
import type { Executor } from "./client.js";
import { resultRows } from "./raw.js";

/** Whose rows: a merchant (`Merchant` in src/context) is one; db/ needs nothing else of it. */
export type Tenant = { organizationId: string; livemode: boolean };

const builtSql = new Map<string, string>();

/** The SQL text of every statement built so far in this process, by name (the plan tests read these). */
export function builtStatements(): ReadonlyMap<string, string> {
  return builtSql;
}

type Prepared<R> = { client: unknown; execute(values?: Record<string, unknown>): Promise<R> };
type Preparable<R> = { prepare(name: string): unknown } & PromiseLike<R>;
type SessionHolder = { session: { client: unknown; constructor: unknown } };

/**
 * A statement whose SQL is built once instead of on every call.
 *
 * Drizzle rebuilds a query's SQL text from the builder each time it runs: on the checkout paths that was
 * ~40 % of the server's CPU (`is()` walking every column of wide tables). `.prepare()` keeps the built
 * SQL but ties it to the connection it was prepared on, and an open transaction is a different
 * connection. So the query is built once per driver with `sql.placeholder()` for every value, and each
 * call hands the prepared query the client of the executor the caller holds (the pool or its open
 * transaction): same SQL, same row mapping, the caller's connection.
 *
 * The `client` swap relies on Drizzle's prepared queries (postgres.js and PGlite alike) reading
 * `this.client` when they execute; every test that runs a statement inside a transaction checks it.
 */
export function statement<Params extends Record<string, unknown>, R>(
  name: string,
  build: (db: Executor) => Preparable<R>,
): (db: Executor, params: Params) => Promise<R> {
  const byDriver = new Map<unknown, Prepared<R>>();
  return (db, params) => {
    const session = (db as unknown as SessionHolder).session;
    let prepared = byDriver.get(session.constructor);
    if (!prepared) {
      prepared = build(db).prepare(name) as Prepared<R>;
      byDriver.set(session.constructor, prepared);
      builtSql.set(name, (prepared as unknown as { queryString: string }).queryString);
    }
    if (prepared.client === session.client) return prepared.execute(params);
    const bound = Object.create(prepared) as Prepared<R>;
    bound.client = session.client;
    return bound.execute(params);
  };
}

/** A named value slot in a `statement`. */
export const param = (name: string) => sql.placeholder(name);

type TenantColumns = { organizationId: PgColumn; livemode: PgColumn };

/**
 * The isolation boundary, and the one tenant predicate: a row belongs to the merchant only in its own
 * organization AND its own mode. The tenant is placeholders by default (pass `tenant(merchant)` among a
 * built-once statement's params), or values, or another row's columns in the same statement (a join).
 *
 * As a check on a row found by something else (its key, a join), it is written so that it cannot be used
 * to find rows. A built-once statement runs on Postgres's generic plan, and on a table without statistics
 * yet (a new install, a fresh table) that plan rated "this organization's rows by position" as good as the
 * primary key, then walked every customer of the merchant for each lookup, for the life of the connection.
 * No index serves a row-wise `is not distinct from`, so the key is what finds the row; the columns are NOT
 * NULL, so it means `=` here (`test/db-statement-plans.test.ts` plans every built statement to hold this).
 *
 * `"find"` is for the queries whose rows are found by their tenant, a merchant's list or a sweep of its
 * rows: plain equalities, so the tenant's `(organization_id, livemode, position)` index serves them.
 */
export function sameTenant(
  table: TenantColumns,
  organizationId: string | SQLWrapper = sql.placeholder("organizationId"),
  livemode: boolean | SQLWrapper = sql.placeholder("livemode"),
  use: "check" | "find" = "check",
): SQL {
  if (use === "find")
    return and(eq(table.organizationId, organizationId), eq(table.livemode, livemode)) as SQL;
  return sql`(${table.organizationId}, ${table.livemode}) is not distinct from (${organizationId}, ${livemode})`;
}

/**
 * The merchant's rows: `sameTenant(…, "find")` with the merchant's values. Lists and sweeps need it; the queries
 * built per call that also filter by a key have always used it too, and keep their plans.
 */
export function ownedBy(table: TenantColumns, merchant: Tenant): SQL {
  return sameTenant(table, merchant.organizationId, merchant.livemode, "find");
}

/**
 * `column IN ('a', 'b')` with the values written into the SQL text rather than sent as parameters. A partial
 * index whose predicate names those values (the sweeps' "due" indexes) can then serve a generic plan too,
 * which is made without parameter values and so cannot prove that `status = $1` implies the index's predicate.
 * The values are the code's own constants, checked to be plain words.
 */
export function inConstants(column: PgColumn, values: readonly string[]): SQL {
  for (const value of values) if (!/^[a-z_]+$/.test(value)) panic(`not a plain constant: ${value}`);
  return sql`${column} in (${sql.raw(values.map((value) => `'${value}'`).join(", "))})`;
}

export function tenant(merchant: Tenant): Tenant {
  return { organizationId: merchant.organizationId, livemode: merchant.livemode };
}

/** `{ column: param("column") }` for each name: the values of an insert built once by `statement`. */
export function params<T>(columns: readonly (keyof T & string)[]): T {
  return Object.fromEntries(columns.map((column) => [column, sql.placeholder(column)])) as T;
}

type RawHolder = {
  dialect: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } };
  session: {
    client: unknown;
    prepareQuery(
      query: { sql: string; params: unknown[] },
      fields: undefined,
      name: string,
      arrayMode: false,
    ): { execute(values: Record<string, unknown>): Promise<unknown> };
  };
};

/** Hand-written SQL (with `param()` slots) built once, run on the caller's pool or transaction; raw rows back. */
export function rawStatement<Row>(
  name: string,
  query: SQL,
): (db: Executor, params: Record<string, unknown>) => Promise<Row[]> {
  let built: { sql: string; params: unknown[] } | undefined;
  let fill: ((values: Record<string, unknown>) => unknown[]) | undefined;
  return async (db, values) => {
    const holder = db as unknown as RawHolder;
    if (!built || !fill) {
      built = holder.dialect.sqlToQuery(query);
      builtSql.set(name, built.sql);
      fill = filler(name, built.params);
    }
    const client = holder.session.client as { unsafe?: PostgresUnsafe };
    if (typeof client.unsafe === "function") {
      // postgres.js: straight to the driver, the parameters filled from a plan made once.
      return (await client.unsafe(built.sql, fill(values), { prepare: true })) as Row[];
    }
    return resultRows<Row>(await holder.session.prepareQuery(built, undefined, name, false).execute(values));
  };
}

type PostgresUnsafe = (query: string, params: unknown[], options: { prepare: boolean }) => Promise<unknown>;

/** How to turn a call's named values into the statement's positional parameters, decided once. */
function filler(name: string, params: unknown[]): (values: Record<string, unknown>) => unknown[] {
  // A placeholder's name, or the constant the SQL text carried (a literal Drizzle made a parameter).
  const slots = params.map((p) => (is(p, Placeholder) ? { named: p.name as string } : { value: p }));
  return (values) =>
    slots.map((slot) => {
      if ("value" in slot) return slot.value;
      if (!(slot.named in values)) panic(`statement ${name}: no value for parameter "${slot.named}"`);
      return values[slot.named];
    });
}

/**
 * An insert built once per set of columns: `build` gets `{ column: param("column") }` for the keys of the
 * values the caller passes (undefined ones left out), so call sites keep writing plain value objects. A null goes into the SQL as a
 * literal NULL (and into the cache key): Drizzle would hand it to the column's encoder, which turns a
 * jsonb null into JSON `null` and fails on a timestamp.
 */
export function insertStatement<V extends Record<string, unknown>, R>(
  name: string,
  build: (db: Executor, slots: V) => Preparable<R>,
): (db: Executor, values: V) => Promise<R> {
  const byColumns = new Map<string, (db: Executor, values: V) => Promise<R>>();
  return (db, values) => {
    // Undefined means "the column's default", as in Drizzle's own inserts.
    const columns = Object.keys(values).filter((c) => values[c] !== undefined);
    const signature = columns.map((c) => (values[c] === null ? `${c}:null` : c)).join(",");
    let run = byColumns.get(signature);
    if (!run) {
      const slots = Object.fromEntries(
        columns.map((c) => [c, values[c] === null ? sql`null` : sql.placeholder(c)]),
      ) as V;
      run = statement(`${name}_${byColumns.size}`, (d) => build(d, slots));
      byColumns.set(signature, run);
    }
    return run(db, values);
  };
}
