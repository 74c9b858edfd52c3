// postgres.js: under sustained saturation every statement costs more than the one before.
//
// Usage: node repro-queue.mjs [postgres://user@127.0.0.1:5432/db]   (default postgres://postgres@127.0.0.1:5432/postgres)
// Needs only `postgres` installed next to it (npm i postgres@3.4.9) and a Postgres on this machine.
//
// 50 callers share a pool of 10 connections, so postgres.js pipelines statements onto busy connections, and
// each runs `select 1` in a loop: 200,000 statements at most, 90 s at most. Printed per 20,000 statements:
// throughput and this process's CPU per statement. Expected: flat. Actual on 3.4.9: rising steadily, because
// each statement sent to a busy connection leaves a hole at the front of the pool's `busy` queue that is only
// cleared when the queue empties (never, under load), and `Queue.remove` scans from position 0, holes included.
// Exits 1 when the last window costs 1.5 times the CPU per statement of the early ones.
import postgres from "postgres";

const url = new URL(process.argv[2] ?? "postgres://postgres@127.0.0.1:5432/postgres");
// Loopback only: this saturates the server it talks to.
if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
  console.error(`refusing ${url.hostname}: run this against a Postgres on this machine only`);
  process.exit(2);
}

const CONNECTIONS = 10;
const CALLERS = 50;
const STATEMENTS = 200_000;
const WINDOW = 20_000;
const DEADLINE_MS = 90_000;

const sql = postgres(url.toString(), { max: CONNECTIONS, onnotice: () => {} });
const windows = [];
let completed = 0;
const started = Date.now();
let windowStart = { cpu: process.cpuUsage(), at: performance.now() };

async function caller() {
  while (completed + CALLERS <= STATEMENTS && Date.now() - started < DEADLINE_MS) {
    await sql`select 1`;
    completed++;
    if (completed % WINDOW === 0) {
      const cpu = process.cpuUsage(windowStart.cpu);
      const seconds = (performance.now() - windowStart.at) / 1000;
      const window = {
        upTo: completed,
        perSecond: WINDOW / seconds,
        cpuMicros: (cpu.user + cpu.system) / WINDOW,
      };
      windows.push(window);
      console.log(
        `${String(window.upTo).padStart(7)} statements: ${Math.round(window.perSecond).toLocaleString("en-US")}/s, ` +
          `${window.cpuMicros.toFixed(1)} µs CPU each`,
      );
      windowStart = { cpu: process.cpuUsage(), at: performance.now() };
    }
  }
}

try {
  await Promise.all(Array.from({ length: CALLERS }, caller));
} finally {
  await sql.end({ timeout: 5 });
}

if (windows.length < 4) {
  console.error(`only ${windows.length} windows in ${DEADLINE_MS / 1000} s: too few to compare`);
  process.exit(2);
}
// The first window includes connecting and warming up; compare the next two with the last.
const early = Math.min(windows[1].cpuMicros, windows[2].cpuMicros);
const late = windows[windows.length - 1].cpuMicros;
const ratio = late / early;
console.log(`last window / early windows, CPU per statement: ${ratio.toFixed(2)}×`);
process.exit(ratio < 1.5 ? 0 : 1);
