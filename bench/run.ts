/**
 * `npm run bench [-- --only create,complete --runs 1 --duration 3 --profile]`
 *
 * Issue #7 item 5: Glade against bare node:http + postgres.js harnesses on the same Postgres, in the same
 * process, by the method in docs/performance.md. Creates its own database, drops it at the end, prints one
 * markdown table and writes the raw numbers to bench/results/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { killAllChildren, machineBusyShare, REPO_ROOT } from "./lib/child.js";
import { type BenchDatabase, createBenchDatabase } from "./lib/database.js";
import { type BenchOptions, parseOptions, type Scenario, UsageError } from "./lib/options.js";
import { type BenchResults, markdownTable, verdicts } from "./lib/report.js";
import { type ProfileReport, profileGlade, profileText } from "./profile.js";
import { benchComplete } from "./scenarios/complete.js";
import { benchCreate } from "./scenarios/create.js";
import { benchDashboard } from "./scenarios/dashboard.js";
import { benchPage } from "./scenarios/page.js";
import { benchScale, scaleWatchdogSeconds } from "./scenarios/scale.js";
import { benchStartup } from "./scenarios/startup.js";
import { benchUsage } from "./scenarios/usage.js";
import { benchUsageBalance } from "./scenarios/usage-balance.js";
import { benchWebhooks } from "./scenarios/webhooks.js";

const log = (line: string) => process.stdout.write(`${line}\n`);

/** Servers each HTTP scenario runs per round: Glade, bare and its references. */
/** Scenarios that run as their own script, not as servers under autocannon. */
const SCRIPTED = new Set<Scenario>(["webhooks", "usage-balance", "dashboard", "startup", "scale"]);
const SIDES: Record<
  Exclude<Scenario, "webhooks" | "usage-balance" | "dashboard" | "startup" | "scale">,
  number
> = {
  create: 3,
  complete: 4,
  page: 2,
  usage: 6,
};

/** Generous upper bound on a whole run, so a hung child can never keep the bench alive. */
function watchdogSeconds(options: BenchOptions): number {
  const sides = options.only.reduce(
    (sum, s) => sum + (SCRIPTED.has(s) ? 0 : SIDES[s as keyof typeof SIDES]),
    0,
  );
  const perRun = options.warmup + options.duration + 20;
  // Profiling: three CPU-profiled runs plus the traces.
  const profile = options.profile ? 3 * (options.warmup + options.duration + 25) + 120 : 0;
  return (
    120 +
    sides * options.runs * perRun * 1.5 +
    (options.only.includes("webhooks") ? 420 : 0) +
    (options.only.includes("usage-balance") ? 700 : 0) +
    (options.only.includes("dashboard") ? 1000 : 0) +
    (options.only.includes("startup") ? 700 : 0) +
    (options.only.includes("scale") ? scaleWatchdogSeconds(options.scaleSize) + 120 : 0) +
    profile
  );
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const limit = watchdogSeconds(options);
  let db: BenchDatabase | undefined;
  const abort = (why: string) => {
    process.stderr.write(`${why}; stopping servers and dropping the bench database\n`);
    killAllChildren();
    const exit = setTimeout(() => process.exit(1), 10_000);
    exit.unref();
    void (db?.drop() ?? Promise.resolve()).finally(() => process.exit(1));
  };
  const watchdog = setTimeout(
    () => abort(`benchmark did not finish within ${Math.round(limit)} s`),
    limit * 1000,
  );
  watchdog.unref();
  process.once("SIGINT", () => abort("interrupted"));
  process.once("SIGTERM", () => abort("terminated"));

  // The load average would count the bench's own Postgres backends; an idle-time sample before anything
  // starts tells whether something else is using the machine.
  const busyBefore = await machineBusyShare(2000);
  const started = Date.now();
  const results: BenchResults = {};
  let profile: ProfileReport | undefined;
  try {
    db = await createBenchDatabase(options.adminUrl);
    log(`bench database ready (${new URL(db.url).pathname.slice(1)})`);
    if (options.only.includes("create")) {
      log("create checkout session");
      results.create = await benchCreate(db, options, log);
    }
    if (options.only.includes("complete")) {
      log("complete checkout");
      results.complete = await benchComplete(db, options, log);
    }
    if (options.only.includes("page")) {
      log("hosted checkout page");
      results.page = await benchPage(db, options, log);
    }
    if (options.only.includes("usage")) {
      log("usage event ingest");
      results.usage = await benchUsage(db, options, log);
    }
    if (options.profile) {
      log("profiling Glade (statements per request, CPU profile under load)");
      profile = await profileGlade(db, options, log);
    }
  } finally {
    await db?.drop();
  }
  if (options.only.includes("webhooks")) {
    log("webhook deliveries (bench/webhooks.ts)");
    results.webhooks = await benchWebhooks(options, log);
  }
  if (options.only.includes("usage-balance")) {
    log("usage balance read with 1M events in the period (bench/usage-balance.ts)");
    results.usageBalance = await benchUsageBalance(options, log);
  }
  if (options.only.includes("dashboard")) {
    log("dashboard pages with 100k customers and 1M payments (bench/dashboard.ts)");
    results.dashboard = await benchDashboard(options, log);
  }
  if (options.only.includes("startup")) {
    log("npm start: first and later start, RSS (bench/startup.ts)");
    results.startup = await benchStartup(options, log);
  }
  if (options.only.includes("scale")) {
    log(
      `one tenant of ${options.scaleSize.toLocaleString("en-US")} customers beside one of 100 (bench/scale.ts)`,
    );
    results.scale = await benchScale(options, log);
  }

  const seconds = (Date.now() - started) / 1000;
  const table = markdownTable(results, options);
  const dir = resolve(REPO_ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    JSON.stringify({ options, seconds, results, profile, table, node: process.version }, null, 2),
  );
  if (profile) log(`\n${profileText(profile)}`);
  log(`\n${table}\n`);
  log(`raw results: ${file}`);
  log(`total time: ${seconds.toFixed(0)} s`);
  if (busyBefore > 0.25) {
    log(
      `warning: ${(busyBefore * 100).toFixed(0)} % of the machine's CPU was busy before the bench started: ` +
        "other work competed for the CPU, so absolute numbers (and Glade, which needs more CPU per request) suffer.",
    );
  }
  const failed = verdicts(results).filter((v) => !v.pass);
  if (failed.length > 0) log(`targets missed: ${failed.map((v) => v.name).join(", ")}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
