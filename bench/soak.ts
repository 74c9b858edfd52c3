/**
 * Sustained load on ONE Glade process: `npx tsx bench/soak.ts [--scenario create|complete|page]
 * [--windows 6] [--window 10]`.
 *
 * `npm run bench` measures 13 s on a fresh process per run, which cannot show work that grows with the
 * requests a process has served. This starts `glade start` once, drives it with autocannon -c 50 for
 * consecutive windows (3 s of warm-up before the first), and prints each window's req/s, p99, server CPU
 * per request and RSS. It exits non-zero when the last window costs more than `LIMIT` times the CPU per
 * request of the cheaper of the first two. With postgres.js 3.4.9 unpatched, create went
 * 0.20 → 0.31 ms per request over six windows here (vendor/postgres/README.md).
 */
import { killAllChildren, startGlade } from "./lib/child.js";
import { createBenchDatabase } from "./lib/database.js";
import { measure } from "./lib/load.js";
import { parseOptions } from "./lib/options.js";
import { type GladeRequest, gladeSpec } from "./lib/specs.js";

const LIMIT = 1.3;
const SCENARIOS: readonly GladeRequest[] = ["create", "complete", "page"];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function positiveInteger(name: string, fallback: number): number {
  const value = Number(arg(name, String(fallback)));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

const scenario = arg("--scenario", "create") as GladeRequest;
if (!SCENARIOS.includes(scenario)) throw new Error(`--scenario must be one of ${SCENARIOS.join(", ")}`);
const windows = positiveInteger("--windows", 6);
const window = positiveInteger("--window", 10);
if (windows < 3) throw new Error("--windows must be at least 3 (warm-up, baseline, last)");

const options = parseOptions(["--warmup", "3", "--duration", String(window)]);
const db = await createBenchDatabase(options.adminUrl);
const costs: number[] = [];
try {
  // One spec for the whole soak, so a confirm pool is sized for every window.
  const spec = await gladeSpec(db, scenario, { ...options, duration: window * windows });
  const glade = await startGlade(db.url);
  try {
    for (let i = 0; i < windows; i++) {
      const m = await measure(glade, spec, { ...options, warmup: i === 0 ? options.warmup : 0 });
      const cost = (m.serverCpu / 100 / m.rps) * 1000;
      costs.push(cost);
      process.stdout.write(
        `${scenario} window ${i + 1}/${windows}: ${m.rps.toFixed(0)} req/s  p99 ${m.p99} ms  ` +
          `server CPU ${cost.toFixed(3)} ms/req  RSS ${m.rssMb.toFixed(0)} MB` +
          (m.unexpected || m.errors ? `  !! ${m.unexpected} unexpected, ${m.errors} errors` : "") +
          "\n",
      );
    }
  } finally {
    await glade.stop();
  }
} finally {
  killAllChildren();
  await db.drop();
}

const baseline = Math.min(costs[0] as number, costs[1] as number);
const growth = (costs.at(-1) as number) / baseline;
process.stdout.write(`last window ÷ baseline CPU per request: ${growth.toFixed(2)} (limit ${LIMIT})\n`);
if (growth > LIMIT) process.exitCode = 1;
