import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { REPO_ROOT, startGlade } from "./child.js";
import { type BenchDatabase, settle } from "./database.js";
import { measure } from "./load.js";
import type { BenchOptions } from "./options.js";
import { type GladeRequest, gladeSpec } from "./specs.js";

type CpuNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
};
type CpuProfile = { nodes: CpuNode[]; startTime: number; samples: number[]; timeDeltas: number[] };

export type CpuSummary = {
  /** CPU samples inside the measured window only: start-up and module loading are left out. */
  totalMs: number;
  windowMs: number;
  rps: number;
  /** What the database sessions of this database were doing, sampled every 20 ms during the load. */
  dbActivity: { name: string; share: number }[];
  byArea: { name: string; share: number }[];
  byFunction: { name: string; share: number }[];
};

/** Groups a frame by what owns the code: a package, a src/ domain, Node itself, or V8's own buckets. */
function area(frame: CpuNode["callFrame"]): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith("(") ? frame.functionName : "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `pkg ${pkg[1]}`;
  const own =
    /\/work\/[^/]+\/(?:main\/)?((?:src|web|bench)\/[^/]+)/.exec(url) ?? /((?:src|web)\/[^/]+)/.exec(url);
  if (own) return own[1] as string;
  if (url.startsWith("node:")) return `node ${url.slice(5).split("/").slice(0, 2).join("/")}`;
  return url;
}

function summarize(profile: CpuProfile, windowUs: [number, number]): Omit<CpuSummary, "rps" | "dbActivity"> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const areaTime = new Map<string, number>();
  const fnTime = new Map<string, number>();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (!node || at < windowUs[0] || at > windowUs[1]) return;
    total += dt;
    const a = area(node.callFrame);
    areaTime.set(a, (areaTime.get(a) ?? 0) + dt);
    const file = node.callFrame.url.replace(/^.*\/(node_modules|src|web)\//, "$1/");
    const fn = `${node.callFrame.functionName || "(anonymous)"} ${file}:${node.callFrame.lineNumber + 1}`;
    fnTime.set(fn, (fnTime.get(fn) ?? 0) + dt);
  });
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, t]) => ({ name, share: (t / total) * 100 }));
  return {
    totalMs: total / 1000,
    windowMs: (windowUs[1] - windowUs[0]) / 1000,
    byArea: top(areaTime, 16),
    byFunction: top(fnTime, 20),
  };
}

/** Polls pg_stat_activity for the bench database's sessions: lock waits, commits, idle-in-transaction. */
function sampleActivity(db: BenchDatabase): { stop: () => Promise<{ name: string; share: number }[]> } {
  const counts = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const rows = await db.sql<{ state: string | null; wait: string | null }[]>`
        select state, coalesce(wait_event_type || ':' || wait_event, 'on CPU') as wait
        from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`;
      samples += rows.length;
      for (const r of rows) {
        const key = r.state === "active" ? `active, ${r.wait}` : `${r.state ?? "?"}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return [...counts]
        .sort((a, b) => b[1] - a[1])
        .map(([name, n]) => ({ name, share: (n / Math.max(1, samples)) * 100 }));
    },
  };
}

/** Runs the real `glade start` child with --cpu-prof under the scenario's load and reads its profile. */
export async function profileUnderLoad(
  db: BenchDatabase,
  kind: GladeRequest,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<CpuSummary> {
  const dir = resolve(REPO_ROOT, "bench/results", `cpu-${kind}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const spec = await gladeSpec(db, kind, options);
  await settle(db);
  const glade = await startGlade(db.url, { nodeArgs: ["--cpu-prof", "--cpu-prof-dir", dir] });
  const activity = sampleActivity(db);
  let measured: Awaited<ReturnType<typeof measure>>;
  try {
    measured = await measure(glade, spec, options);
  } finally {
    await glade.stop();
  }
  const dbActivity = await activity.stop();
  const rps = measured.rps;
  // `--import tsx` runs a loader thread with its own profile (CPU.<date>.<time>.<pid>.<thread>.<seq>);
  // the request handling is on thread 0.
  const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  const file = files.find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0];
  if (!file) throw new Error(`no CPU profile written to ${dir}`);
  const profile = JSON.parse(readFileSync(resolve(dir, file), "utf8")) as CpuProfile;
  const summary = { ...summarize(profile, measured.windowUs), rps, dbActivity };
  log(`  ${kind}: ${rps.toFixed(0)} req/s while profiled; profile kept in ${dir}`);
  // Only the newest profile of each kind is worth keeping around.
  for (const old of readdirSync(resolve(REPO_ROOT, "bench/results"))) {
    if (old.startsWith(`cpu-${kind}-`) && resolve(REPO_ROOT, "bench/results", old) !== dir) {
      rmSync(resolve(REPO_ROOT, "bench/results", old), { recursive: true, force: true });
    }
  }
  return summary;
}
