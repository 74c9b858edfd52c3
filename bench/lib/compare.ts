import type { RunningProcess } from "./child.js";
import { type BenchDatabase, settle } from "./database.js";
import { type LoadSpec, measure, type RunMeasurement } from "./load.js";
import type { BenchOptions } from "./options.js";

/** One side of a comparison: how to get it ready for a run, start it, and load it. */
export type Side = {
  label: string;
  /** Runs before the server starts (e.g. pre-creates the sessions this run will confirm). */
  prepare?: () => Promise<void>;
  start: () => Promise<RunningProcess>;
  spec: () => LoadSpec;
  /** Throws when the run is not valid (e.g. it ran out of distinct sessions). */
  check?: (m: RunMeasurement) => void;
};

export type SideSummary = {
  rps: number;
  p50: number;
  p99: number;
  serverCpu: number;
  /** Server CPU per successful request: less sensitive than req/s to other work on a shared box. */
  cpuMsPerRequest: number;
  /** Postgres CPU per successful request (all backends, so only meaningful on an otherwise idle box). */
  dbCpuMsPerRequest: number;
  /** Postgres and load-generator CPU, % of one core: with the server's, where the box's two cores went. */
  dbCpu: number;
  loadCpu: number;
  unexpected: number;
  errors: number;
  runs: RunMeasurement[];
};

export type Comparison = {
  glade: SideSummary;
  bare: SideSummary;
  ratio: number;
  p99Ratio: number;
  /**
   * Further servers run alongside (e.g. the bare work behind Glade's framework, or earlier baselines kept for
   * history), reported for context; none of them decides a verdict.
   */
  references?: { label: string; summary: SideSummary }[];
};

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const perRequest = (cpu: number, rps: number) => (rps > 0 ? (cpu / 100 / rps) * 1000 : Number.NaN);
const cpuMs = (r: RunMeasurement) => perRequest(r.serverCpu, r.rps);

function summarize(runs: RunMeasurement[]): SideSummary {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    serverCpu: median(runs.map((r) => r.serverCpu)),
    cpuMsPerRequest: median(runs.map(cpuMs)),
    dbCpuMsPerRequest: median(runs.map((r) => perRequest(r.dbCpu, r.rps))),
    dbCpu: median(runs.map((r) => r.dbCpu)),
    loadCpu: median(runs.map((r) => r.loadCpu)),
    unexpected: runs.reduce((a, r) => a + r.unexpected, 0),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    runs,
  };
}

/** A run a side rejected (e.g. it ran out of sessions) is repeated once; `check` has adjusted by then. */
async function oneRun(db: BenchDatabase, side: Side, options: BenchOptions, log: (line: string) => void) {
  try {
    return await attempt(db, side, options, log);
  } catch (err) {
    if (!(err instanceof RunRejected)) throw err;
    log(`    ${side.label}: ${err.message}; repeating the run`);
    return attempt(db, side, options, log);
  }
}

export class RunRejected extends Error {}

async function attempt(db: BenchDatabase, side: Side, options: BenchOptions, log: (line: string) => void) {
  await side.prepare?.();
  await settle(db);
  const server = await side.start();
  try {
    const m = await measure(server, side.spec(), options);
    side.check?.(m);
    log(
      `    ${side.label.padEnd(6)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  ` +
        `srv CPU ${m.serverCpu.toFixed(0)}% (${cpuMs(m).toFixed(2)} ms/req)  RSS ${m.rssMb.toFixed(0)} MB  ` +
        `load avg ${m.loadAverage.toFixed(1)}` +
        (m.unexpected || m.errors
          ? `  !! ${m.unexpected} unexpected, ${m.errors} errors ${JSON.stringify(m.statusCodes)}`
          : ""),
    );
    return m;
  } finally {
    await server.stop();
  }
}

/**
 * Runs bare, Glade and any references alternately (bare 1, Glade 1, references 1, bare 2, …), each on a fresh
 * process after a checkpoint, so drift in the machine (autovacuum, table growth) falls on every side alike.
 */
export async function compare(
  db: BenchDatabase,
  sides: { glade: Side; bare: Side; references?: Side[] },
  options: BenchOptions,
  log: (line: string) => void,
): Promise<Comparison> {
  const glade: RunMeasurement[] = [];
  const bare: RunMeasurement[] = [];
  const references = sides.references ?? [];
  const referenceRuns: RunMeasurement[][] = references.map(() => []);
  for (let i = 0; i < options.runs; i++) {
    log(`  run ${i + 1}/${options.runs}`);
    bare.push(await oneRun(db, sides.bare, options, log));
    glade.push(await oneRun(db, sides.glade, options, log));
    for (const [j, side] of references.entries())
      referenceRuns[j]?.push(await oneRun(db, side, options, log));
  }
  const g = summarize(glade);
  const b = summarize(bare);
  return {
    glade: g,
    bare: b,
    ratio: g.rps / b.rps,
    p99Ratio: g.p99 / b.p99,
    ...(references.length > 0
      ? {
          references: references.map((side, j) => ({
            label: side.label,
            summary: summarize(referenceRuns[j] ?? []),
          })),
        }
      : {}),
  };
}
