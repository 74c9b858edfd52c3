import { sql } from "drizzle-orm";
import { afterAll, describe, expect, inject, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { queryRows } from "../../src/db/raw.js";
import { randomToken } from "../../src/lib/ids.js";

/**
 * Drizzle hands postgres.js `prepare: false` for every query not built with `.prepare()`, so left alone each
 * statement would be parsed and planned again on every call; src/db/client.ts turns preparation on for the
 * pool and for the connection each transaction reserves. One connection here, so every statement meets the
 * prepared statements of the ones before it and `pg_prepared_statements` shows them all.
 */
const handle = await openDatabase({ databaseUrl: inject("databaseUrl"), dataDir: "", poolSize: 1 });
const db = handle.db;
const table = `prepared_probe_${randomToken(8).toLowerCase()}`;
afterAll(async () => {
  await db.execute(sql.raw(`drop table if exists ${table}`));
  await handle.close();
});

const preparedWithText = async (text: string) => {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from pg_prepared_statements where statement = ${text}`,
  );
  return row?.n;
};

describe("Glade's Postgres handle and prepared statements", () => {
  it("prepares a plain Drizzle query once however often it runs", async () => {
    for (let i = 0; i < 20; i++) {
      const [row] = await queryRows<{ next: number }>(db, sql`select ${i}::int + 1 as next`);
      expect(row?.next).toBe(i + 1);
    }
    expect(await preparedWithText("select $1::int + 1 as next")).toBe(1);
  });

  it("prepares the statements of a transaction on the connection it reserved", async () => {
    const text = "select $1::int * 2 as twice";
    const answers = await db.transaction(async (tx) => {
      const rows = [];
      for (let i = 0; i < 3; i++)
        rows.push((await queryRows<{ twice: number }>(tx, sql`select ${i}::int * 2 as twice`))[0]);
      return rows.map((row) => row?.twice);
    });
    expect(answers).toEqual([0, 2, 4]);
    expect(await preparedWithText(text)).toBe(1);
  });

  it("keeps answering when a migration changes the columns a prepared statement returns", async () => {
    await db.execute(sql.raw(`create table ${table} (id int)`));
    await db.execute(sql.raw(`insert into ${table} values (1)`));
    const read = () => queryRows(db, sql`select * from ${sql.raw(table)} where id = ${1}`);
    expect(await read()).toEqual([{ id: 1 }]);
    await db.execute(sql.raw(`alter table ${table} add column note text default 'x'`));
    // Postgres refuses the prepared one ("cached plan must not change result type"); the driver prepares again.
    expect(await read()).toEqual([{ id: 1, note: "x" }]);
    expect(await read()).toEqual([{ id: 1, note: "x" }]);
  });
});
