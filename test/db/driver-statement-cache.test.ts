import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { poolOptions } from "../../src/db/client.js";
import { randomToken } from "../../src/lib/ids.js";

// One connection, so every statement below meets the prepared statements of the one before it.
const pool = poolOptions(inject("databaseUrl"), 1);
const client = postgres(pool.url, pool.options);
const table = `driver_cache_${randomToken(8).toLowerCase()}`;
afterAll(async () => {
  await client.unsafe(`drop table if exists ${table}`);
  await client.end({ timeout: 5 });
});

const preparedWithText = async (text: string) => {
  const [row] = await client<{ n: number }[]>`
    select count(*)::int as n from pg_prepared_statements where statement = ${text}`;
  return row?.n;
};

/**
 * vendor/postgres/statement-cache.patch: the driver finds a statement it prepared by its SQL text, then by its
 * parameters' types, instead of by a new string of both built for every query.
 */
describe("the Postgres driver's prepared statements", () => {
  it("prepares a statement once per connection however often it runs", async () => {
    const text = "select $1::int + 1 as next";
    for (let i = 0; i < 50; i++) {
      const [row] = await client.unsafe(text, [i], { prepare: true });
      expect(row?.next).toBe(i + 1);
    }
    expect(await preparedWithText(text)).toBe(1);
  });

  it("keeps one statement per set of parameter types for the same text", async () => {
    const text = "select pg_typeof($1)::text as type";
    const typeOf = async (value: unknown) =>
      (await client.unsafe(text, [value as string], { prepare: true }))[0]?.type;
    expect(await typeOf(true)).toBe("boolean");
    expect(await typeOf(new Date(0))).toBe("timestamp with time zone");
    expect(await typeOf(false)).toBe("boolean");
    expect(await typeOf(new Date(1))).toBe("timestamp with time zone");
    expect(await preparedWithText(text)).toBe(2);
  });

  it("prepares again when Postgres drops a statement whose result type changed", async () => {
    await client.unsafe(`create table ${table} (id int)`);
    await client.unsafe(`insert into ${table} values (1)`);
    const text = `select * from ${table} where id = $1::int`;
    expect(await client.unsafe(text, [1], { prepare: true })).toEqual([{ id: 1 }]);
    await client.unsafe(`alter table ${table} add column note text default 'x'`);
    // "cached plan must not change result type": the driver forgets the statement and runs it again.
    expect(await client.unsafe(text, [1], { prepare: true })).toEqual([{ id: 1, note: "x" }]);
    expect(await client.unsafe(text, [1], { prepare: true })).toEqual([{ id: 1, note: "x" }]);
  });
});
