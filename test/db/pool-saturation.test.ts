import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { poolOptions } from "../../src/db/client.js";

const pool = poolOptions(inject("databaseUrl"), 10);
const client = postgres(pool.url, pool.options);
afterAll(() => client.end({ timeout: 5 }));

const CALLERS = 50;
const STATEMENTS = 200_000;
const WINDOW = 20_000;

/**
 * Five times more callers than connections for `STATEMENTS` statements; this process's CPU time for each
 * consecutive `WINDOW` of them (CPU, not wall time: other test files share the machine). With postgres.js
 * 3.4.9 unpatched each window cost more than the one before: 471, 418, 534, 624, … 1,373 ms here,
 * because its pool's bookkeeping grew with every statement sent (vendor/postgres/README.md).
 */
async function saturate(): Promise<number[]> {
  const windows: number[] = [];
  let completed = 0;
  let windowStart = process.cpuUsage();
  const caller = async () => {
    while (completed + CALLERS <= STATEMENTS) {
      await client`select 1`;
      completed++;
      if (completed % WINDOW === 0) {
        const used = process.cpuUsage(windowStart);
        windows.push((used.user + used.system) / 1000);
        windowStart = process.cpuUsage();
      }
    }
  };
  await Promise.all(Array.from({ length: CALLERS }, caller));
  return windows;
}

describe("Glade's Postgres pool under sustained saturation", () => {
  it("keeps its cost per statement: the last statements cost no more than the first", async () => {
    const windows = await saturate();
    expect(windows.length).toBeGreaterThanOrEqual(8);
    const early = Math.min(...windows.slice(1, 3));
    const late = Math.min(...windows.slice(-2));
    expect(
      late,
      `CPU ms per ${WINDOW} statements, in order: ${windows.map(Math.round).join(", ")}`,
    ).toBeLessThan(early * 1.5);
  }, 120_000);
});
