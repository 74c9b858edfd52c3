export const SCENARIOS = [
  "create",
  "complete",
  "page",
  "usage",
  "webhooks",
  "usage-balance",
  "dashboard",
  "startup",
  "scale",
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export type BenchOptions = {
  only: Scenario[];
  runs: number;
  /** Measured seconds per run (autocannon -d). */
  duration: number;
  /** Warm-up seconds per run, against the same fresh server process, not measured. */
  warmup: number;
  connections: number;
  /** Also run the profiling pass (statement counts per request, CPU profile under load). */
  profile: boolean;
  /** GLADE_HTTP_WORKERS for the Glade side (the bare harnesses stay one process). */
  gladeWorkers: number;
  /** The scale scenario's large tenant: customers (and sessions; twice as many events). */
  scaleSize: number;
  adminUrl: string;
};

const USAGE = `npm run bench -- [--only create|complete|page|usage|webhooks|usage-balance|dashboard|startup|scale[,...]] [--runs N]
                  [--duration S] [--warmup S] [--connections C] [--profile] [--glade-workers N] [--scale-size N]

Defaults: 3 runs, 3 s warm-up, 10 s measured, 50 connections, median of runs.
--profile adds, for the selected HTTP benchmarks: the SQL statements of one request, per-call costs, a CPU
profile of the glade child under load.
--glade-workers N starts Glade with GLADE_HTTP_WORKERS=N (node:cluster); the bare harnesses stay one process.
--scale-size N sizes the scale scenario's large tenant (default 1,000,000 customers; bench/scale.ts --size).
`;

/** The Postgres the benchmarks create their databases on (as the tests do). */
export const adminUrl = (env: NodeJS.ProcessEnv = process.env) =>
  env.GLADE_TEST_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A bench script's own `--name N` flag: a positive number (floored), or `fallback` when absent or invalid. */
export function scriptArg(name: string, fallback: number, argv: string[] = process.argv): number {
  const i = argv.indexOf(name);
  const value = i >= 0 ? Number(argv[i + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

/** Bad command line: printed without a stack trace. */
export class UsageError extends Error {}

function value(argv: string[], i: number, name: string): string {
  const v = argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new UsageError(`${name} needs a value\n\n${USAGE}`);
  return v;
}

function positive(raw: string, name: string, allowZero = false): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    throw new UsageError(`${name} must be a positive number`);
  return n;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const options: BenchOptions = {
    only: [...SCENARIOS],
    runs: 3,
    duration: 10,
    warmup: 3,
    connections: 50,
    profile: false,
    gladeWorkers: 1,
    scaleSize: 1_000_000,
    adminUrl: adminUrl(env),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case "--only": {
        const names = value(argv, i++, arg).split(",");
        for (const n of names) {
          if (!(SCENARIOS as readonly string[]).includes(n))
            throw new UsageError(`unknown scenario ${n}\n\n${USAGE}`);
        }
        options.only = names as Scenario[];
        break;
      }
      case "--runs":
        options.runs = Math.floor(positive(value(argv, i++, arg), arg));
        break;
      case "--duration":
        options.duration = positive(value(argv, i++, arg), arg);
        break;
      case "--warmup":
        options.warmup = positive(value(argv, i++, arg), arg, true);
        break;
      case "--connections":
        options.connections = Math.floor(positive(value(argv, i++, arg), arg));
        break;
      case "--profile":
        options.profile = true;
        break;
      case "--glade-workers":
        options.gladeWorkers = Math.floor(positive(value(argv, i++, arg), arg));
        break;
      case "--scale-size":
        options.scaleSize = Math.floor(positive(value(argv, i++, arg), arg));
        break;
      case "--help":
      case "-h":
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        throw new UsageError(`unknown argument ${arg}\n\n${USAGE}`);
    }
  }
  return options;
}
