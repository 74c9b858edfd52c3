import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { openDatabase, poolOptions } from "../../src/db/client.js";
import { queryRows } from "../../src/db/raw.js";

const url = inject("databaseUrl");
const admin = postgres(url, { max: 1, onnotice: () => {} });
afterAll(() => admin.end({ timeout: 5 }));

/** A pool of one connection that reports each close, so a test can wait for the close it caused. */
function poolOfOne() {
  const closes: number[] = [];
  const pool = poolOptions(url, 1);
  const client = postgres(pool.url, { ...pool.options, onclose: (id: number) => closes.push(id) });
  return { client, closes };
}

async function terminate(pid: number): Promise<void> {
  await admin`select pg_terminate_backend(${pid})`;
}

/**
 * A transaction's connection is reserved; an administrator (or a failover) ends its backend. postgres.js
 * 3.4.9 kept sending on the dead connection: the statement was written to a null socket from a timer,
 * a TypeError no caller could catch, and the statement itself never settled (vendor/postgres/README.md).
 */
describe("a reserved connection whose backend is terminated", () => {
  it("rejects the next statement with CONNECTION_CLOSED instead of crashing or hanging", async () => {
    const { client, closes } = poolOfOne();
    try {
      const reserved = await client.reserve();
      const [row] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
      await terminate(row?.pid ?? -1);
      await expect.poll(() => closes.length).toBe(1);
      await expect(reserved`select 1`).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
      reserved.release();
    } finally {
      await client.end({ timeout: 5 });
    }
  });

  it("is not handed back to the pool on release: the pool reconnects and the next query succeeds", async () => {
    const { client, closes } = poolOfOne();
    try {
      const reserved = await client.reserve();
      const [row] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
      await terminate(row?.pid ?? -1);
      await expect.poll(() => closes.length).toBe(1);
      reserved.release();
      const rows = await client<{ one: number }[]>`select 1 as one`;
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end({ timeout: 5 });
    }
  });
});

describe("the server's sessions", () => {
  it("carry statement, lock and idle-in-transaction timeouts, and plan without parallel workers", async () => {
    const handle = await openDatabase({ databaseUrl: url, dataDir: "" });
    try {
      const rows = await queryRows<{ s: string; l: string; i: string; p: string }>(
        handle.db,
        sql`select current_setting('statement_timeout') as s, current_setting('lock_timeout') as l,
          current_setting('idle_in_transaction_session_timeout') as i,
          current_setting('max_parallel_workers_per_gather') as p`,
      );
      expect(rows).toEqual([{ s: "10s", l: "5s", i: "1min", p: "0" }]);
    } finally {
      await handle.close();
    }
  });
});
