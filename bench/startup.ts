/**
 * Start-up benchmark: `npx tsx bench/startup.ts [--rounds 3]`, also run by `npm run bench -- --only startup`.
 *
 * Runs `npm start` exactly as the README says, in rounds: the first start on a fresh embedded data directory
 * (initdb, migrations, demo seed), a second start on that directory, and a start on a fresh Postgres database
 * (DATABASE_URL, GLADE_SEED=demo). For each: seconds from spawning `npm start` until it prints its demo
 * checkout URL (listening and seeded), and the server process's RSS and peak RSS (VmHWM) two seconds later.
 * Targets (issue #24): first start ≤ 10 s, RSS ≤ 250 MB after start on either path. On the later embedded start
 * and on Postgres it then creates checkout sessions with the printed key for THROUGHPUT_SECONDS (autocannon,
 * 10 connections) and reports sessions/s, so the docs can say what the embedded database is good for next to
 * Postgres (issue #26). Prints the medians; exits 1 when a start target misses. Cleans up its directories and
 * databases; a watchdog bounds the run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { childPids, freePort, REPO_ROOT, track } from "./lib/child.js";
import { connect } from "./lib/database.js";
import { adminUrl } from "./lib/options.js";

const ADMIN_URL = adminUrl();
const roundsAt = process.argv.indexOf("--rounds");
const ROUNDS = roundsAt >= 0 ? Math.max(1, Number(process.argv[roundsAt + 1]) || 3) : 3;
const TARGET_FIRST_START_S = 10;
const TARGET_RSS_MB = 250;
const SETTLE_MS = 2000;
const THROUGHPUT_SECONDS = 5;
const WATCHDOG_MS = 600_000;
const log = (line: string) => process.stdout.write(`${line}\n`);

type Sample = { seconds: number; rssMb: number; peakMb: number; createsPerSecond?: number };

/** Anonymous product sessions of the demo store's one-time price, as a merchant's server would create them. */
async function createsPerSecond(port: number, key: string): Promise<number> {
  const base = `http://127.0.0.1:${port}`;
  const body = JSON.stringify({
    checkoutSession: {
      type: "product",
      anonymous: true,
      priceSlug: "pro-lifetime",
      successUrl: "https://example.com/ok",
      cancelUrl: "https://example.com/back",
    },
  });
  const result = await autocannon({
    url: `${base}/api/v1/checkout-sessions`,
    method: "POST",
    headers: { authorization: key, "content-type": "application/json" },
    body,
    connections: 10,
    duration: THROUGHPUT_SECONDS,
  });
  const ok = result["2xx"];
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(
      `create: ${result.non2xx} non-2xx and ${result.errors} errors out of ${ok + result.non2xx}`,
    );
  }
  return ok / THROUGHPUT_SECONDS;
}

/** The deepest descendant of `pid`: npm → sh → node, the server. */
function serverPid(pid: number): number {
  const children = childPids(pid);
  return children.length === 0 ? pid : serverPid(children[0] as number);
}

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
}

/** Stops npm and the server under it: npm does not pass SIGTERM on, so the whole process group gets it. */
async function stop(child: ChildProcess, server: number | undefined): Promise<void> {
  const exited = new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once("exit", () => done());
  });
  try {
    process.kill(-(child.pid as number), "SIGTERM");
  } catch {
    // Already gone.
  }
  await exited;
  // The server closes its database before it exits; the next round must not find it still running.
  while (server !== undefined && isRunning(server)) await new Promise((done) => setTimeout(done, 50));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startOnce(env: Record<string, string>, measureThroughput = false): Promise<Sample> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn("npm", ["start"], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so stop() reaches the server npm starts.
    detached: true,
  });
  track(child);
  let server: number | undefined;
  let out = "";
  try {
    const seconds = await new Promise<number>((done, fail) => {
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        if (/Demo checkout:\s+http/.test(out)) done((performance.now() - started) / 1000);
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("exit", (code) =>
        fail(new Error(`npm start exited with ${code} before it was ready:\n${out}`)),
      );
    });
    await new Promise((done) => setTimeout(done, SETTLE_MS));
    server = serverPid(child.pid as number);
    const sample: Sample = { seconds, ...memoryOf(server) };
    const key = /Test secret key:\s+(sk_test_\S+)/.exec(out)?.[1];
    if (measureThroughput) {
      if (!key) throw new Error(`npm start printed no test key:\n${out}`);
      sample.createsPerSecond = await createsPerSecond(port, key);
    }
    return sample;
  } finally {
    await stop(child, server);
  }
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

function report(name: string, samples: Sample[]): { seconds: number; rssMb: number } {
  const seconds = median(samples.map((s) => s.seconds));
  const rssMb = median(samples.map((s) => s.rssMb));
  const peakMb = median(samples.map((s) => s.peakMb));
  log(
    `${name}: ready in ${seconds.toFixed(1)} s, RSS ${rssMb.toFixed(0)} MB (peak ${peakMb.toFixed(0)} MB) ` +
      `[median of ${samples.length}: ${samples.map((s) => `${s.seconds.toFixed(1)} s / ${s.rssMb.toFixed(0)} MB`).join(", ")}]`,
  );
  return { seconds, rssMb };
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    process.stderr.write("startup bench did not finish in time\n");
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();
  const admin = connect(ADMIN_URL, 1);
  const first: Sample[] = [];
  const again: Sample[] = [];
  const postgres: Sample[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const dataDir = mkdtempSync(join(tmpdir(), "glade-startup-"));
      const name = `glade_startup_${Date.now()}_${round}`;
      try {
        first.push(await startOnce({ GLADE_DATA_DIR: dataDir }));
        again.push(await startOnce({ GLADE_DATA_DIR: dataDir }, true));
        await admin.unsafe(`create database "${name}"`);
        const url = new URL(ADMIN_URL);
        url.pathname = `/${name}`;
        postgres.push(await startOnce({ DATABASE_URL: url.toString(), GLADE_SEED: "demo" }, true));
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
      }
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
  const a = report("first start, embedded PGlite (fresh data directory)", first);
  const b = report("second start, embedded PGlite", again);
  const c = report("start on Postgres (fresh database, demo seeded)", postgres);
  const embeddedRate = median(again.map((s) => s.createsPerSecond ?? 0));
  const postgresRate = median(postgres.map((s) => s.createsPerSecond ?? 0));
  log(
    `create checkout session, ${THROUGHPUT_SECONDS} s at 10 connections: embedded ${embeddedRate.toFixed(0)}/s, ` +
      `Postgres ${postgresRate.toFixed(0)}/s (embedded = ${(embeddedRate / postgresRate).toFixed(2)}× Postgres)`,
  );
  const misses = [
    a.seconds > TARGET_FIRST_START_S
      ? `first start ${a.seconds.toFixed(1)} s > ${TARGET_FIRST_START_S} s`
      : "",
    ...[a, b, c].map((s) =>
      s.rssMb > TARGET_RSS_MB ? `RSS ${s.rssMb.toFixed(0)} MB > ${TARGET_RSS_MB} MB` : "",
    ),
  ].filter(Boolean);
  log(misses.length === 0 ? "targets met" : `targets missed: ${misses.join("; ")}`);
  if (misses.length > 0) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
