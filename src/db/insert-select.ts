import { getTableColumns, type SQL, sql, type Table } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import type { Executor } from "./client.js";
import { param, rawStatement } from "./statement.js";

type Insert<T extends Table> = T["$inferInsert"];

export type InsertSelectOptions<T extends Table> = {
  /** Columns whose value the statement computes (from the FROM clause or a literal), not the caller. */
  computed: Partial<Record<keyof Insert<T> & string, SQL>>;
  /** A common table expression (`name as (…)`) the FROM clause reads, e.g. a data-modifying one. */
  with?: SQL;
  from: SQL;
  where?: SQL;
};

/**
 * `insert into T (every column) select … from …` as one built-once statement: the columns named in
 * `computed` come from the statement itself, every other column from the caller's values (typed
 * parameters, each column's own encoding), and the identity `position` takes its default. The row handed
 * back is the caller's values plus what the statement decided (computed columns, `position`). For writes
 * whose row depends on another row read or changed in the same statement: one round trip instead of two.
 * No row comes back when the FROM clause finds nothing.
 */
export function insertSelectStatement<T extends Table>(
  name: string,
  table: T,
  /** A function when the clauses come from another domain's module, which may not be loaded yet. */
  options: InsertSelectOptions<T> | (() => InsertSelectOptions<T>),
): (db: Executor, values: Record<string, unknown>) => Promise<T["$inferSelect"][]> {
  let built: ReturnType<typeof build<T>> | undefined;
  return (db, values) => {
    built ??= build(name, table, typeof options === "function" ? options() : options);
    return built(db, values);
  };
}

function build<T extends Table>(name: string, table: T, options: InsertSelectOptions<T>) {
  const computed = options.computed as Record<string, SQL | undefined>;
  const columns = Object.entries(getTableColumns(table)).filter(([key]) => key !== "position");
  const supplied = columns.filter(([key]) => !computed[key]);
  // Only what the statement decides comes back: the caller's own values are the rest of the row, and
  // sending them back (timestamps and JSON formatted by Postgres, parsed again here) was work for nothing.
  const returned = Object.entries(getTableColumns(table))
    .filter(([key]) => key === "position" || computed[key])
    .map(([key, column]) => [key, toSnakeCase(key), column] as const);
  const run = rawStatement<Record<string, unknown>>(
    name,
    sql`${options.with ? sql`with ${options.with} ` : sql``}insert into ${table}
      (${sql.join(
        columns.map(([key]) => sql.identifier(toSnakeCase(key))),
        sql`, `,
      )})
    select ${sql.join(
      columns.map(([key, column]) => computed[key] ?? sql`${param(key)}::${sql.raw(column.getSQLType())}`),
      sql`, `,
    )}
    from ${options.from}${options.where ? sql` where ${options.where}` : sql``}
    returning ${sql.join(
      returned.map(([, column]) => sql.identifier(column)),
      sql`, `,
    )}`,
  );
  return async (db: Executor, values: Record<string, unknown>): Promise<T["$inferSelect"][]> => {
    // Raw parameters skip Drizzle's encoders, so each column encodes its own value (jsonb as JSON text,
    // timestamps as ISO strings); a value left undefined is a bug here, not "use the default".
    const encoded: Record<string, unknown> = { ...values };
    const known: Record<string, unknown> = {};
    for (const [key, column] of supplied) {
      const value = values[key];
      if (value === undefined) throw new Error(`${name}: no value for column ${key}`);
      encoded[key] = value === null ? null : column.mapToDriverValue(value);
      known[key] = value;
    }
    const rows = await run(db, encoded);
    return rows.map((raw) => {
      const row: Record<string, unknown> = { ...known };
      for (const [key, columnName, column] of returned) {
        const value = raw[columnName];
        row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
      }
      return row as T["$inferSelect"];
    });
  };
}
