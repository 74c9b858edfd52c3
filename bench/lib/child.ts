import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export type RunningProcess = {
  name: string;
  pid: number;
  url: string;
  /** User + system CPU seconds the process has used so far (from /proc). */
  cpuSeconds: () => number;
  rssMb: () => number;
  stop: () => Promise<void>;
};

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

const CLOCK_TICKS = 100;

const live = new Set<ChildProcess>();

/** Children an aborted run must not leave behind. */
export function track(child: ChildProcess): void {
  live.add(child);
  child.once("exit", () => live.delete(child));
}

/** For an aborted run (Ctrl-C, watchdog): no server may outlive the benchmark. */
export function killAllChildren(): void {
  for (const child of live) child.kill("SIGKILL");
}

type ProcStat = { pid: number; comm: string; fields: string[] };

function procStat(pid: number): ProcStat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces; fields after its closing parenthesis are fixed.
    const close = raw.lastIndexOf(")");
    return { pid, comm: raw.slice(raw.indexOf("(") + 1, close), fields: raw.slice(close + 2).split(" ") };
  } catch {
    // The process ended while we looked.
    return undefined;
  }
}

/** Every process on the machine, as /proc/<pid>/stat describes it. */
function allProcesses(): ProcStat[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => procStat(Number(entry)) ?? []);
}

// utime and stime are fields 14 and 15 of /proc/<pid>/stat (index 11 and 12 after the name).
const cpuTicks = (stat: ProcStat | undefined) =>
  stat ? Number(stat.fields[11]) + Number(stat.fields[12]) : 0;

/** CPU seconds used so far by every process whose command name is `comm` (e.g. all Postgres backends). */
export function cpuSecondsOf(comm: string): number {
  const ticks = allProcesses()
    .filter((p) => p.comm === comm)
    .reduce((sum, p) => sum + cpuTicks(p), 0);
  return ticks / CLOCK_TICKS;
}

/** Direct children of `pid` (field 4 of /proc/<pid>/stat is the parent pid). */
export function childPids(pid: number): number[] {
  return allProcesses()
    .filter((p) => Number(p.fields[1]) === pid)
    .map((p) => p.pid);
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

/**
 * Starts `node [nodeArgs] script` as a child (the way production runs it), waits for a line matching
 * `ready`, and hands back its pid and URL. A child that dies or stays silent fails the run loudly.
 */
export async function startProcess(options: {
  name: string;
  script: string;
  args?: string[];
  nodeArgs?: string[];
  env: Record<string, string>;
  port: number;
  ready: RegExp;
  timeoutMs?: number;
}): Promise<RunningProcess> {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), "--import", "tsx", options.script, ...(options.args ?? [])],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  track(child);
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 20_000) output = output.slice(-10_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`${options.name} did not become ready in time:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    const check = () => {
      if (options.ready.test(output)) {
        clearTimeout(timer);
        done();
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`${options.name} exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
  child.removeAllListeners("exit");
  child.once("exit", () => live.delete(child));
  const pid = child.pid as number;
  return {
    name: options.name,
    pid,
    url: `http://127.0.0.1:${options.port}`,
    // Summed over the process and its children: `glade start` with GLADE_HTTP_WORKERS forks its workers.
    cpuSeconds: () => {
      const all = [pid, ...childPids(pid)].map(procStat);
      if (!all[0]) return Number.NaN;
      return all.reduce((sum, stat) => sum + cpuTicks(stat), 0) / CLOCK_TICKS;
    },
    rssMb: () => {
      const all = [pid, ...childPids(pid)].map(procStat);
      if (!all[0]) return Number.NaN;
      return all.reduce((sum, stat) => sum + (stat ? (Number(stat.fields[21]) * 4096) / 1024 / 1024 : 0), 0);
    },
    stop: async () => {
      child.kill("SIGTERM");
      if (!(await waitExit(child, 10_000))) {
        child.kill("SIGKILL");
        await waitExit(child, 5_000);
      }
    },
  };
}

/** Glade exactly as `glade start` runs in production, against the bench database, background jobs off. */
export async function startGlade(
  databaseUrl: string,
  options: {
    nodeArgs?: string[];
    worker?: boolean;
    /** GLADE_HTTP_WORKERS for `glade start` (the bench's `--glade-workers`). */
    httpWorkers?: number;
  } = {},
): Promise<RunningProcess> {
  const port = await freePort();
  return startProcess({
    name: "glade",
    script: "src/cli/main.ts",
    args: ["start"],
    // As `npm start` and bin/glade.mjs run it.
    nodeArgs: ["--max-semi-space-size=8", ...(options.nodeArgs ?? [])],
    env: {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      GLADE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: "warn",
      GLADE_WORKER: options.worker ? "on" : "off",
      GLADE_HTTP_WORKERS: String(options.httpWorkers ?? 1),
      NODE_ENV: "production",
    },
    port,
    ready: /Glade listening on/,
  });
}

/** One of the bench/bare/*.ts servers: node:http + postgres.js, nothing else. */
export async function startBare(
  server:
    | "create"
    | "create-hono"
    | "complete"
    | "complete-one-statement"
    | "complete-same-protocol"
    | "page"
    | "usage",
  env: Record<string, string>,
): Promise<RunningProcess> {
  const port = await freePort();
  return startProcess({
    name: `bare-${server}`,
    script: `bench/bare/${server}.ts`,
    env: { ...env, PORT: String(port), NODE_ENV: "production" },
    port,
    ready: /^ready/m,
  });
}

function cpuTimes(): { idle: number; total: number } {
  // First line of /proc/stat: cpu user nice system idle iowait irq softirq steal …
  const fields =
    readFileSync("/proc/stat", "utf8").split("\n")[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const total = fields.reduce((a, b) => a + b, 0);
  return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total };
}

/** Share of the whole machine's CPU (all cores) that was busy over the next `ms`. */
export async function machineBusyShare(ms: number): Promise<number> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTimes();
  const total = after.total - before.total;
  return total > 0 ? 1 - (after.idle - before.idle) / total : 0;
}

/**
 * Runs one of the bench's own scripts (`--import tsx`) as a child on the bench's Postgres and gives back its
 * exit code and everything it printed; killed after `timeoutMs` (the scripts bound themselves: this only
 * catches a child that hangs before its own watchdog).
 */
export function runBenchScript(
  script: string,
  args: string[],
  adminUrl: string,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const { child, output } = spawnScript(script, args, { GLADE_TEST_ADMIN_URL: adminUrl });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      done({ code, output: output() });
    });
  });
}

/** `node --import tsx script args` as a tracked child; `output()` is everything it has printed so far. */
export function spawnScript(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  track(child);
  let output = "";
  const collect = (c: Buffer) => {
    output += c.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  return { child, output: () => output };
}
