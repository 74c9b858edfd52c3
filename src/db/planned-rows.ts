import { getTableColumns, getTableName, type SQL, sql, type Table } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import { panic } from "../lib/errors.js";
import type { Executor } from "./client.js";
import { compileRowShape } from "./row-shape.js";
import { param, rawStatement } from "./statement.js";

/** A row as its domain decides it before it is written: every column but `position`, which Postgres numbers. */
export type PlannedRow<Row> = Omit<Row, "position">;

/** A row one domain planned, for a statement composed elsewhere to write along with others. */
export type RowWrite = { table: Table; row: Record<string, unknown> };

/**
 * What a domain plans for a statement composed elsewhere: the row it decided, the writes that store it
 * (`insertPlannedRowSql` each) and the events that announce it.
 */
export type Plan<Row, Event> = { row: PlannedRow<Row>; writes: RowWrite[]; events: Event[] };

export function rowWrite<T extends Table>(table: T, row: PlannedRow<T["$inferSelect"]>): RowWrite {
  return { table, row: row as Record<string, unknown> };
}

type TableShape = {
  /** [key, column name] of every column but `position`. */
  columns: (readonly [key: string, column: string])[];
  /** The row as the JSON object `jsonb_populate_record` reads: column names as keys. */
  toJsonObject: (row: Record<string, unknown>) => Record<string, unknown>;
};

const shapes = new WeakMap<Table, TableShape>();

function shapeOf(table: Table): TableShape {
  let shape = shapes.get(table);
  if (!shape) {
    const columns = Object.keys(getTableColumns(table))
      .filter((key) => key !== "position")
      .map((key) => [key, toSnakeCase(key)] as const);
    const toJsonObject = compileRowShape<Record<string, unknown>>(
      columns.map(([key, column]) => ({ key: column, given: key })),
    );
    shape = { columns, toJsonObject: (row) => toJsonObject(row, {}) };
    shapes.set(table, shape);
  }
  return shape;
}

const columnsOf = (table: Table) => shapeOf(table).columns;

/**
 * The row as the JSON object `jsonb_populate_record` reads: column names as keys, dates as ISO text, jsonb
 * columns as nested JSON (which is what Drizzle would have sent for them). A column left undefined is a
 * bug in the plan, not "use the default": every column is written.
 */
function rowJson({ table, row }: RowWrite): Record<string, unknown> {
  const shape = shapeOf(table);
  for (const [key, column] of shape.columns) {
    if (row[key] === undefined) panic(`planned row has no value for ${column}`);
  }
  return shape.toJsonObject(row);
}

/**
 * `insert into T (every column but position) select … from <from>, jsonb_populate_record(null::T, <source>)`:
 * one planned row, read from a jsonb value, written only when `from` yields a row (a guard in the same
 * statement). Each column is converted by Postgres to the table's own type.
 */
function insertPlannedRowSql(table: Table, source: SQL, from: SQL): SQL {
  const columns = columnsOf(table).map(([, column]) => sql.identifier(column));
  return sql`insert into ${table} (${sql.join(columns, sql`, `)})
    select ${sql.join(
      columns.map((column) => sql`r.${column}`),
      sql`, `,
    )}
    from ${from}, jsonb_populate_record(null::${table}, ${source}) r`;
}

type GuardedRun = (db: Executor, writes: RowWrite[], values: Record<string, unknown>) => Promise<boolean>;

/**
 * One statement, one transaction: `guard` (a data-modifying CTE body that yields a row only when the write
 * may go ahead, e.g. a conditional update) runs first, and every planned row and every `also` CTE is
 * written only if it yielded one. Either everything is stored or nothing is; the answer says which. Built
 * once per sequence of tables; each row travels as one jsonb parameter (`w0`, `w1`, …) and the guard's and
 * `also`'s placeholders take their values from `values`.
 */
export function guardedWrites(
  name: string,
  guard: SQL,
  /** Further CTEs (`name as (…), …`) that read `guard` themselves, given its name. */
  also: (guardName: SQL) => SQL,
): GuardedRun {
  const bySequence = new Map<string, (db: Executor, params: Record<string, unknown>) => Promise<unknown[]>>();
  return async (db, writes, values) => {
    const signature = writes.map((w) => getTableName(w.table)).join(",");
    let run = bySequence.get(signature);
    if (!run) {
      const guardName = sql`${sql.identifier("guard")}`;
      const rows = writes.map(
        (w, i) =>
          sql`${sql.identifier(`w${i}`)} as (${insertPlannedRowSql(w.table, sql`${param(`w${i}`)}::jsonb`, guardName)})`,
      );
      run = rawStatement(
        `${name}_${bySequence.size}`,
        sql`with ${guardName} as (${guard}), ${sql.join(rows, sql`, `)}, ${also(guardName)}
          select count(*) as written from ${guardName}`,
      );
      bySequence.set(signature, run);
    }
    const params: Record<string, unknown> = { ...values };
    writes.forEach((w, i) => {
      params[`w${i}`] = JSON.stringify(rowJson(w));
    });
    const [result] = (await run(db, params)) as { written: number | string }[];
    return Number(result?.written) === 1;
  };
}
