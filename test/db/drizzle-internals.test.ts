import { eq, getTableColumns, is, Placeholder, type SQL, sql, type Table } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import { integer, PgTable, pgTable, text } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type DbHandle, type Executor, openDatabase } from "../../src/db/client.js";
import { resultRows } from "../../src/db/raw.js";
import * as schema from "../../src/db/schema/index.js";
import { checkoutSessions } from "../../src/db/schema/index.js";
import { param, statement } from "../../src/db/statement.js";
import { randomToken } from "../../src/lib/ids.js";

/**
 * Canary for the parts of drizzle-orm that are not its public API but that Glade's statement helpers
 * (src/db/statement.ts, insert-select.ts, row-shape.ts, planned-rows.ts, transaction.ts) are built on. This is
 * why package.json pins drizzle-orm exactly (package.json cannot say so itself): a minor release may move any
 * of these without notice, and most would not fail to compile (they are reached through casts) but would run
 * statements on the wrong connection or send wrong values. To upgrade, change the pin, `npm install`, run
 * this file: every failure names what moved. Checked on both drivers Glade runs on, postgres.js and PGlite.
 *
 * What is relied on, and where:
 * - `db.session.client`, the driver's client (postgres.js's has `unsafe`, PGlite's `query` and no `unsafe`), and
 *   `db.session.constructor`, one class per driver: statement(), rawStatement().
 * - A prepared query (`.prepare(name)`) keeps its client in a `client` field that `execute` reads as
 *   `this.client`, its SQL in `queryString`, and fills placeholders by name: statement(), builtStatements().
 * - `db.dialect.sqlToQuery(sql)` gives `{ sql, params }`, a `sql.placeholder` as a `Placeholder` with its `name`;
 *   `session.prepareQuery(query, undefined, name, false).execute(values)`: rawStatement().
 * - On postgres.js, a transaction's `tx.session.client` is the client `client.begin` hands over:
 *   pipelinedBegin() and settleAtCommit() in transaction.ts.
 * - `toSnakeCase` from `drizzle-orm/casing` names columns as the `casing: "snake_case"` dialect does:
 *   insert-select.ts and planned-rows.ts write column names with it.
 * - Columns' `mapToDriverValue`, `mapFromDriverValue` and `getSQLType` (timestamptz, jsonb, bigint as number):
 *   insert-select.ts encodes raw parameters with them, row-shape.ts decodes returned columns.
 */
const moved = (what: string) => `drizzle-orm internals that src/db/statement.ts relies on moved: ${what}`;

type Client = Record<string, unknown>;
type PreparedQuery = {
  client: Client;
  queryString: string;
  execute(values?: Record<string, unknown>): Promise<unknown>;
};
type Session = {
  client: Client;
  constructor: unknown;
  prepareQuery(
    query: { sql: string; params: unknown[] },
    fields: undefined,
    name: string,
    arrayMode: false,
  ): { execute(values: Record<string, unknown>): Promise<unknown> };
};
type Internals = {
  session: Session;
  dialect: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } };
};
const internals = (db: Executor) => db as unknown as Internals;

const probe = pgTable(`drizzle_canary_${randomToken(8).toLowerCase()}`, {
  id: integer().primaryKey(),
  noteText: text().notNull(),
});

const drivers: { name: string; open: () => Promise<DbHandle>; run: "unsafe" | "query" }[] = [
  {
    name: "postgres.js",
    open: () => openDatabase({ databaseUrl: inject("databaseUrl"), dataDir: "", poolSize: 2 }),
    run: "unsafe",
  },
  { name: "PGlite", open: () => openDatabase({ dataDir: "memory://" }), run: "query" },
];

const sessionConstructors = new Map<string, unknown>();

describe.each(drivers)("drizzle-orm internals on $name", ({ name, open, run }) => {
  let handle: DbHandle;
  let db: Executor;
  beforeAll(async () => {
    handle = await open();
    db = handle.db;
    await db.execute(sql`create table ${probe} (id int primary key, note_text text not null)`);
    await db.insert(probe).values({ id: 1, noteText: "one" });
  });
  afterAll(async () => {
    await db.execute(sql`drop table if exists ${probe}`);
    await handle.close();
  });

  it("keeps the driver's client on the database's session, under a constructor of the driver's own", () => {
    const session = internals(db).session;
    expect(session, moved("db.session is gone")).toBeTypeOf("object");
    expect(session.client, moved("db.session.client is gone")).toBeDefined();
    // rawStatement goes straight to postgres.js when the client has `unsafe`, to Drizzle's prepareQuery if not.
    expect(typeof session.client.unsafe === "function", moved(`${name}'s session.client has unsafe()`)).toBe(
      run === "unsafe",
    );
    expect(typeof session.client[run], moved(`${name}'s session.client has no ${run}()`)).toBe("function");
    sessionConstructors.set(name, session.constructor);
  });

  it("gives prepared queries the session's client in a `client` field and the SQL in `queryString`", () => {
    const builder = db
      .select({ id: probe.id })
      .from(probe)
      .where(eq(probe.id, param("id")));
    const prepared = builder.prepare(`canary_fields_${name}`) as unknown as PreparedQuery;
    expect(prepared.client, moved("a prepared query's `client` is not the session's client")).toBe(
      internals(db).session.client,
    );
    expect(prepared.queryString, moved("a prepared query's `queryString` is not its SQL")).toBe(
      builder.toSQL().sql,
    );
  });

  it("reads `this.client` when a prepared query executes, and fills placeholders by name", async () => {
    const prepared = db
      .select({ id: probe.id, noteText: probe.noteText })
      .from(probe)
      .where(eq(probe.id, param("id")))
      .prepare(`canary_client_${name}`) as unknown as PreparedQuery;
    const real = prepared.client;
    const seen: unknown[] = [];
    const recorder = Object.create(real) as Client;
    recorder[run] = (...args: unknown[]) => {
      seen.push(args[0]);
      return (real[run] as (...a: unknown[]) => unknown).apply(real, args);
    };
    const bound = Object.create(prepared) as PreparedQuery;
    bound.client = recorder;
    const rows = await bound.execute({ id: 1 });
    expect(seen, moved("execute() does not call this.client, the client set on the object")).toEqual([
      prepared.queryString,
    ]);
    expect(rows, moved("execute({ id }) does not fill the placeholder named id")).toEqual([
      { id: 1, noteText: "one" },
    ]);
  });

  it("runs statement() inside a transaction on the transaction's connection", async () => {
    const insert = statement(`canary_insert_${name}`, (d) =>
      d.insert(probe).values({ id: param("id"), noteText: param("noteText") }),
    );
    const count = statement(`canary_count_${name}`, (d) =>
      d
        .select({ id: probe.id })
        .from(probe)
        .where(eq(probe.id, param("id"))),
    );
    await count(db, { id: 2 }); // built on the pool first, so the transaction must swap the client
    let txSession: unknown;
    const transaction = db
      .transaction(async (tx) => {
        txSession = internals(tx).session.constructor;
        await insert(tx, { id: 2, noteText: "two" });
        const inside = await count(tx, { id: 2 });
        throw Object.assign(new Error("roll back"), { inside });
      })
      .catch((err: Error & { inside?: unknown[] }) => err.inside);
    // PGlite runs one thing at a time: a statement sent to the pool from inside a transaction waits forever.
    const stuck = new Promise<"stuck">((resolve) => setTimeout(resolve, 5_000, "stuck").unref());
    const seenInside = await Promise.race([transaction, stuck]);
    expect(seenInside, moved("a statement in a transaction waited for the pool")).not.toBe("stuck");
    expect(txSession, moved("a transaction's session has a class of its own")).toBe(
      internals(db).session.constructor,
    );
    expect(
      seenInside,
      moved("a statement in a transaction did not see the transaction's own write"),
    ).toHaveLength(1);
    expect(await count(db, { id: 2 }), moved("a statement in a transaction ran outside it")).toEqual([]);
  });

  it("hands SQL written with placeholders to the driver through dialect.sqlToQuery and session.prepareQuery", async () => {
    const query = internals(db).dialect.sqlToQuery(sql`select ${param("n")}::int + 1 as next`);
    expect(query.sql, moved("dialect.sqlToQuery no longer numbers parameters $1…")).toBe(
      "select $1::int + 1 as next",
    );
    const [slot] = query.params;
    expect(is(slot, Placeholder), moved("a placeholder in sql`` is no longer a Placeholder in params")).toBe(
      true,
    );
    expect((slot as Placeholder).name, moved("Placeholder.name")).toBe("n");
    const rows = await internals(db)
      .session.prepareQuery(query, undefined, `canary_raw_${name}`, false)
      .execute({ n: 1 });
    expect(
      resultRows(rows),
      moved("session.prepareQuery(query, undefined, name, false).execute(values)"),
    ).toEqual([{ next: 2 }]);
  });

  it("names every schema column as toSnakeCase(key), as insert-select and planned-rows write them by hand", () => {
    const { dialect } = internals(db);
    for (const table of (Object.values(schema) as unknown[]).filter((t): t is Table => is(t, PgTable))) {
      for (const [key, column] of Object.entries(getTableColumns(table))) {
        const rendered = dialect.sqlToQuery(sql`${column}`).sql;
        expect(
          rendered.endsWith(`."${toSnakeCase(key)}"`),
          moved(`column ${key} renders as ${rendered}`),
        ).toBe(true);
      }
    }
  });

  if (run === "unsafe") {
    it("runs a postgres.js transaction on the client that the pool's begin() hands over", async () => {
      // settleAtCommit finds a transaction's statements by that client (src/db/transaction.ts).
      await db.transaction(async (tx) => {
        const client = internals(tx).session.client;
        expect(client, moved("tx.session.client is the pool's client")).not.toBe(
          internals(db).session.client,
        );
        expect(
          () => (client.savepoint as () => unknown)(),
          moved("tx.session.client is not the client src/db/transaction.ts's begin() made"),
        ).toThrow("nested transactions are not supported");
      });
    });
  }
});

describe("drizzle-orm internals common to both drivers", () => {
  it("gives each driver a session class of its own (statement() builds once per class)", () => {
    const [postgres, pglite] = drivers.map((d) => sessionConstructors.get(d.name));
    expect(postgres, moved("no postgres.js session seen")).toBeTypeOf("function");
    expect(pglite, moved("no PGlite session seen")).toBeTypeOf("function");
    expect(postgres, moved("postgres.js and PGlite sessions share a class")).not.toBe(pglite);
  });

  it("encodes and decodes values per column the way insert-select and row-shape send and read them", () => {
    const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    const c = checkoutSessions;
    expect(c.expiresAt.mapToDriverValue(at), moved("timestamptz mapToDriverValue")).toBe(at.toISOString());
    expect(
      c.expiresAt.mapFromDriverValue("2026-01-02 03:04:05.006+00"),
      moved("timestamptz mapFromDriverValue"),
    ).toEqual(at);
    expect(c.outputMetadata.mapToDriverValue({ a: 1 }), moved("jsonb mapToDriverValue")).toBe('{"a":1}');
    expect(
      c.unitAmount.mapFromDriverValue("1999" as never),
      moved("bigint (number) mapFromDriverValue"),
    ).toBe(1999);
    expect(c.position.mapFromDriverValue("7" as never), moved("identity bigint mapFromDriverValue")).toBe(7);
    expect(c.unitAmount.getSQLType(), moved("getSQLType() of a bigint")).toBe("bigint");
    expect(c.expiresAt.getSQLType(), moved("getSQLType() of a timestamptz")).toBe("timestamp with time zone");
  });
});
