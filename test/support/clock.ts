import { sql } from "drizzle-orm";
import type { Executor } from "../../src/db/client.js";

/** Checks that an operation wrote its rows at the app clock's instant (test/lib/clock.test.ts). */

/** The sandbox processor stands in for an external system, which keeps its own clock. */
const OWN_CLOCK_TABLES = new Set(["sandbox_intents", "sandbox_payment_methods"]);
const STAMPS = new Set(["created_at", "updated_at"]);
/**
 * Columns some statement moves without touching updated_at, because they are not a change to the row's
 * record: a customer's invoice counter is the numbering sequence (no `customer.updated` either).
 */
const SEQUENCES: Record<string, string[]> = { customers: ["invoice_count"] };
const REAL_TIME_SLACK_MS = 10 * 60_000;

type Row = Record<string, unknown>;
type Snapshot = Map<string, Map<string, Row>>;

async function rowsOf(db: Executor, query: string): Promise<Row[]> {
  const result = (await db.execute(sql.raw(query))) as unknown as Row[] | { rows: Row[] };
  return Array.isArray(result) ? result : result.rows;
}

/** Each table's timestamp columns, from the catalog, so a table added later is swept too. */
async function timestampColumns(db: Executor): Promise<Map<string, string[]>> {
  const rows = await rowsOf(
    db,
    `select table_name, column_name, data_type from information_schema.columns
    where table_schema = 'public' order by table_name, ordinal_position`,
  );
  const tables = new Map<string, string[]>();
  for (const row of rows) {
    const table = String(row.table_name);
    if (OWN_CLOCK_TABLES.has(table)) continue;
    const columns = tables.get(table) ?? [];
    if (row.data_type === "timestamp with time zone") columns.push(String(row.column_name));
    tables.set(table, columns);
  }
  return tables;
}

async function snapshot(db: Executor, tables: Map<string, string[]>): Promise<Snapshot> {
  const all: Snapshot = new Map();
  for (const table of tables.keys()) {
    const rows = await rowsOf(db, `select to_jsonb(t) as row from "${table}" t`);
    const byKey = new Map<string, Row>();
    for (const { row } of rows as { row: Row }[]) byKey.set(String(row.id ?? JSON.stringify(row)), row);
    all.set(table, byKey);
  }
  return all;
}

type Written = { table: string; row: Row; columns: string[]; isNew: boolean };

/** Rows inserted, and rows updated with the columns whose value changed. */
function diff(before: Snapshot, after: Snapshot): Written[] {
  const written: Written[] = [];
  for (const [table, rows] of after) {
    const old = before.get(table) ?? new Map<string, Row>();
    for (const [key, row] of rows) {
      const previous = old.get(key);
      if (!previous) written.push({ table, row, columns: Object.keys(row), isNew: true });
      else {
        const columns = Object.keys(row).filter(
          (c) => JSON.stringify(row[c]) !== JSON.stringify(previous[c]),
        );
        if (columns.length > 0) written.push({ table, row, columns, isNew: false });
      }
    }
  }
  return written;
}

/** Every way a written row can disagree with the operation's instant, as readable lines. */
function offClock(written: Written[], tables: Map<string, string[]>, at: Date, realStart: number): string[] {
  const problems: string[] = [];
  const realEnd = Date.now() + REAL_TIME_SLACK_MS;
  for (const { table, row, columns, isNew } of written) {
    const where = `${table} ${String(row.id ?? "")}`;
    const stamps = (tables.get(table) ?? []).filter((c) => STAMPS.has(c));
    const onlySequence = !isNew && columns.every((c) => SEQUENCES[table]?.includes(c));
    for (const stamp of onlySequence ? [] : stamps) {
      if (!isNew && stamp === "created_at") continue;
      const value = row[stamp];
      if (typeof value !== "string" || new Date(value).getTime() !== at.getTime()) {
        problems.push(`${where}: ${stamp} is ${String(value)}, not ${at.toISOString()}`);
      }
    }
    for (const column of columns) {
      if (!(tables.get(table) ?? []).includes(column) || row[column] === null) continue;
      const ms = new Date(String(row[column])).getTime();
      if (ms !== at.getTime() && ms >= realStart - REAL_TIME_SLACK_MS && ms <= realEnd) {
        problems.push(`${where}: ${column} is the real time ${String(row[column])}`);
      }
    }
    const payload = row.payload as { createdAt?: unknown } | undefined;
    if (table === "events" && payload?.createdAt !== at.getTime()) {
      problems.push(`${where}: payload.createdAt is ${String(payload?.createdAt)}, not ${at.getTime()}`);
    }
  }
  return problems;
}

/** An app clock a test can stop: `now` goes into AppDeps; real time unless `set` fixed an instant. */
export function settableClock(): { now: () => Date; set: (at: Date | undefined) => void } {
  let fixed: Date | undefined;
  return {
    now: () => fixed ?? new Date(),
    set: (at) => {
      fixed = at;
    },
  };
}

/**
 * Runs `operation` with `clock` fixed at `at` and diffs every table of the database `db` (which no one else
 * may write to meanwhile) before and after. `problems` lists each way a row it wrote disagrees with `at`:
 * created_at (new rows) or updated_at (new and changed rows) other than `at`, a timestamp it set at the real
 * time, an event whose payload says another time. `tables` are the tables it wrote, so a case can show its
 * operation did the writing it is about (a no-op would have nothing to disagree with); the audit log, which
 * every API change also writes, is checked for `problems` but not listed there.
 */
export async function writtenAt(
  db: Executor,
  clock: { set: (at: Date | undefined) => void },
  at: Date,
  operation: () => Promise<unknown>,
): Promise<{ tables: Set<string>; problems: string[] }> {
  const tables = await timestampColumns(db);
  const realStart = Date.now();
  const before = await snapshot(db, tables);
  clock.set(at);
  try {
    await operation();
  } finally {
    clock.set(undefined);
  }
  const written = diff(before, await snapshot(db, tables));
  return {
    tables: new Set(written.filter((w) => w.table !== "audit_log").map((w) => w.table)),
    problems: offClock(written, tables, at, realStart),
  };
}
