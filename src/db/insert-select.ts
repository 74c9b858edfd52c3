import { getTableColumns, type SQL, sql, type Table } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import { panic } from "../lib/errors.js";
import type { Executor } from "./client.js";
import { compileRowShape, type RowSource } from "./row-shape.js";
import { param, rawStatement } from "./statement.js";

type Insert<T extends Table> = T["$inferInsert"];
type ColumnKey<T extends Table> = keyof Insert<T> & string;

/**
 * The values an insert-select takes from its caller: one for every column the statement does not decide
 * itself (`Decided`: its computed and constant columns) but `position`. Every key is required, null where
 * null is meant: the statement names every column, so a value left out would fail every call at run time,
 * default or not. Derived from the table, so a new column is a compile error where the values are made.
 */
export type InsertSelectValues<T extends Table, Decided extends PropertyKey> = {
  [K in Exclude<ColumnKey<T>, Decided | "position">]-?: Exclude<Insert<T>[K], undefined>;
};

/** The columns `options` decides: its computed ones and its constants. */
type DecidedBy<O> =
  | (O extends { computed: infer C } ? keyof C : never)
  | (O extends { constant?: infer K } ? keyof NonNullable<K> : never);

/** A value every row of a statement gets: a code constant, never user input. */
export type ConstantValue = string | number | boolean | null;

export type InsertSelectOptions<T extends Table> = {
  /** Columns whose value the statement computes (from the FROM clause), read back from what it inserted. */
  computed: Partial<Record<ColumnKey<T>, SQL>>;
  /** Columns every row gets the same value for: literals in the SQL text, neither sent nor read back. */
  constant?: Partial<Record<ColumnKey<T>, ConstantValue>>;
  /** A common table expression (`name as (…)`) the FROM clause reads, e.g. a data-modifying one. */
  with?: SQL;
  from: SQL;
  where?: SQL;
};

/**
 * `insert into T (every column) select … from …` as one built-once statement: the columns named in
 * `computed` come from the statement itself, those in `constant` are literals, every other column comes from
 * the caller's values (typed parameters, each column's own encoding), and the identity `position` takes its
 * default. The row handed back is the caller's values, the constants, and what the statement decided
 * (computed columns, `position`). For writes whose row depends on another row read or changed in the same
 * statement: one round trip instead of two. No row comes back when the FROM clause finds nothing.
 */
export function insertSelectStatement<T extends Table, const O extends InsertSelectOptions<T>>(
  name: string,
  table: T,
  /** A function when the clauses come from another domain's module, which may not be loaded yet. */
  options: O | (() => O),
): <V extends InsertSelectValues<T, DecidedBy<O>>>(db: Executor, values: V) => Promise<T["$inferSelect"][]> {
  let built: ReturnType<typeof build<T>> | undefined;
  return (db, values) => {
    built ??= build(name, table, typeof options === "function" ? options() : options);
    // Further keys are the FROM clause's own parameters (a price id to look up, say).
    return built(db, values as Record<string, unknown>);
  };
}

/**
 * A constant as SQL text. Only plain words and integers are accepted, so quoting them cannot go wrong; the
 * cast gives the literal its column's type.
 */
function constantSql(name: string, key: string, value: ConstantValue, type: string): SQL {
  if (value === null) return sql.raw(`null::${type}`);
  if (typeof value === "boolean" || (typeof value === "number" && Number.isSafeInteger(value))) {
    return sql.raw(`${value}::${type}`);
  }
  if (typeof value === "string" && /^[\w .-]*$/.test(value)) return sql.raw(`'${value}'::${type}`);
  panic(`${name}: constant for ${key} must be null, a boolean, an integer or a plain word`);
}

function build<T extends Table>(name: string, table: T, options: InsertSelectOptions<T>) {
  const computed = options.computed as Record<string, SQL | undefined>;
  const constant = (options.constant ?? {}) as Record<string, ConstantValue | undefined>;
  const allColumns = Object.entries(getTableColumns(table));
  const columns = allColumns.filter(([key]) => key !== "position");
  const supplied = columns.filter(([key]) => !computed[key] && constant[key] === undefined);
  // Only what the statement decides comes back: the caller's own values and the constants are the rest of the
  // row, and sending them back (timestamps and JSON formatted by Postgres, parsed again here) was work for nothing.
  const returned = allColumns.filter(([key]) => key === "position" || computed[key]);
  const run = rawStatement<Record<string, unknown>>(
    name,
    sql`${options.with ? sql`with ${options.with} ` : sql``}insert into ${table}
      (${sql.join(
        columns.map(([key]) => sql.identifier(toSnakeCase(key))),
        sql`, `,
      )})
    select ${sql.join(
      columns.map(([key, column]) => {
        const value = constant[key];
        if (value !== undefined) return constantSql(name, key, value, column.getSQLType());
        return computed[key] ?? sql`${param(key)}::${sql.raw(column.getSQLType())}`;
      }),
      sql`, `,
    )}
    from ${options.from}${options.where ? sql` where ${options.where}` : sql``}
    returning ${sql.join(
      returned.map(([key]) => sql.identifier(toSnakeCase(key))),
      sql`, `,
    )}`,
  );
  const toRow = compileRowShape<T["$inferSelect"]>(
    allColumns.map(([key, column]): RowSource => {
      const value = constant[key];
      if (value !== undefined) return { key, constant: value };
      if (key === "position" || computed[key]) return { key, returned: toSnakeCase(key), column };
      return { key, given: key };
    }),
  );
  return async (db: Executor, values: Record<string, unknown>): Promise<T["$inferSelect"][]> => {
    // Raw parameters skip Drizzle's encoders, so each column encodes its own value (jsonb as JSON text,
    // timestamps as ISO strings); a value left undefined is a bug here, not "use the default".
    const encoded: Record<string, unknown> = { ...values };
    for (const [key, column] of supplied) {
      const value = values[key];
      if (value === undefined) panic(`${name}: no value for column ${key}`);
      if (value !== null) encoded[key] = column.mapToDriverValue(value);
    }
    const rows = await run(db, encoded);
    return rows.map((raw) => toRow(values, raw));
  };
}
