import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { queryRows } from "../../src/db/raw.js";
import { settleAtCommit } from "../../src/db/transaction.js";
import { testContext } from "../support/index.js";

/**
 * Transactions on the Postgres pool send BEGIN with their first statement and COMMIT with what the work
 * handed to `settleAtCommit`, and statements issued without awaiting run in the order they were issued.
 * None of that may change what a transaction means: all or nothing, errors surface, the pool survives.
 */
const ctx = await testContext();
const db = ctx.deps.db;
const table = `pipeline_probe_${Date.now()}`;
await db.execute(sql.raw(`create table ${table} (id int primary key, note text not null)`));
afterAll(async () => {
  await db.execute(sql.raw(`drop table if exists ${table}`));
});

/** Started at once (`.execute()`): a Drizzle builder left alone runs only when first awaited. */
const insert = (tx: typeof db, id: number, note: string) =>
  tx.execute(sql`insert into ${sql.raw(table)} (id, note) values (${id}, ${note})`).execute();
const count = async (where = "true") =>
  Number(
    (await queryRows<{ n: string }>(db, sql.raw(`select count(*) as n from ${table} where ${where}`)))[0]?.n,
  );

describe("pipelined transactions on the Postgres pool", () => {
  it("runs statements issued together in the order they were issued", async () => {
    const seen = await db.transaction(async (tx) => {
      // Neither statement is awaited before the next is issued: the read must still see the insert.
      const wrote = insert(tx, 1, "first");
      const read = queryRows<{ note: string }>(tx, sql.raw(`select note from ${table} where id = 1`));
      await wrote;
      return (await read)[0]?.note;
    });
    expect(seen).toBe("first");
    expect(await count("id = 1")).toBe(1);
  });

  it("commits what was handed over to settle at commit", async () => {
    await db.transaction(async (tx) => {
      await insert(tx, 2, "awaited");
      await settleAtCommit(tx, [insert(tx, 3, "sent with the commit")]);
    });
    expect(await count("id in (2, 3)")).toBe(2);
  });

  it("rolls everything back when a statement sent with the commit fails, and reports that error", async () => {
    const attempt = db.transaction(async (tx) => {
      await insert(tx, 4, "would be kept");
      // A duplicate key: fails only once Postgres runs it, after the work has returned.
      await settleAtCommit(tx, [insert(tx, 2, "duplicate"), insert(tx, 5, "after the failure")]);
      return "returned";
    });
    const error = await attempt.then(
      () => undefined,
      (err: Error & { cause?: Error }) => err,
    );
    expect(error?.cause?.message ?? error?.message).toMatch(/duplicate key/);
    expect(await count("id in (4, 5)")).toBe(0);
  });

  it("rolls back when the work throws while its statements are still in flight", async () => {
    const attempt = db.transaction(async (tx) => {
      void insert(tx, 6, "in flight").catch(() => undefined);
      throw new Error("changed my mind");
    });
    await expect(attempt).rejects.toThrow("changed my mind");
    expect(await count("id = 6")).toBe(0);
  });

  it("keeps the pool usable after failures: every connection still answers outside a transaction", async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        db
          .transaction(async (tx) => {
            await insert(tx, 100 + i, "parallel");
            if (i % 3 === 0) await insert(tx, 100 + i, "duplicate");
            return i;
          })
          .then(
            () => "committed",
            () => "rolled back",
          ),
      ),
    );
    expect(results.filter((r) => r === "committed")).toHaveLength(8);
    expect(await count("id >= 100")).toBe(8);
    // No connection went back to the pool inside an open or aborted transaction.
    const states = await Promise.all(
      Array.from({ length: 10 }, () => queryRows<{ now: string }>(db, sql`select now()::text as now`)),
    );
    expect(states.every((rows) => rows.length === 1)).toBe(true);
  });

  it("refuses a nested transaction with a clear error instead of a broken savepoint", async () => {
    const attempt = db.transaction(async (tx) => tx.transaction(async () => "inner"));
    await expect(attempt).rejects.toThrow(/nested transactions are not supported/);
  });
});

describe("the same contract on PGlite", () => {
  it("awaits what was handed over before committing, and rolls back on its failure", async () => {
    const lite = await openDatabase({ dataDir: "memory://" });
    try {
      await lite.db.execute(sql`create table probe (id int primary key)`);
      await lite.db.transaction(async (tx) => {
        await settleAtCommit(tx, [tx.execute(sql`insert into probe values (1)`)]);
      });
      const failed = lite.db.transaction(async (tx) => {
        await tx.execute(sql`insert into probe values (2)`);
        await settleAtCommit(tx, [tx.execute(sql`insert into probe values (1)`)]);
      });
      await expect(failed).rejects.toThrow();
      const rows = await queryRows<{ id: number }>(lite.db, sql`select id from probe order by id`);
      expect(rows.map((r) => Number(r.id))).toEqual([1]);
    } finally {
      await lite.close();
    }
  });
});
