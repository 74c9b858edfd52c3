import cluster, { type Worker } from "node:cluster";
import { openRuntime } from "../deps.js";
import { startBackgroundJobs } from "../jobs.js";
import type { Config } from "../lib/config.js";
import { startServer } from "../server.js";
import { seedDemo } from "./seed.js";
import { createEmbeddedDatabase, embeddedDatabaseMissing, step } from "./startup.js";

/** Says so when webhooks may reach this machine or its network: a quickstart default an operator should know. */
function webhookAllowanceLines(config: Config): string[] {
  const entries = config.webhookAllowPrivate.entries;
  if (entries.length === 0) return [];
  const source =
    process.env.GLADE_WEBHOOK_ALLOW_PRIVATE === undefined
      ? "the embedded quickstart's default; set GLADE_WEBHOOK_ALLOW_PRIVATE to change it"
      : "GLADE_WEBHOOK_ALLOW_PRIVATE";
  return [`Webhooks may be sent to non-public addresses: ${entries.join(", ")} (${source})`];
}

function onShutdown(stop: () => Promise<void>): void {
  const shutdown = async () => {
    await stop();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

/** `glade start`: one process, or with GLADE_HTTP_WORKERS > 1 a primary and that many HTTP workers. */
export async function startCommand(config: Config): Promise<void> {
  if (config.httpWorkers > 1) {
    if (cluster.isPrimary) return startPrimary(config);
    return startHttpWorker(config);
  }
  const embedded = !config.databaseUrl;
  if (embeddedDatabaseMissing(config)) {
    await step(`Creating the embedded database in ${config.dataDir} (first start only)`, () =>
      createEmbeddedDatabase(config),
    );
  }
  const running = await step(
    embedded
      ? "Opening the embedded database, applying migrations"
      : "Connecting to Postgres, applying migrations",
    () => startServer(config),
  );
  const lines = [
    `Glade listening on ${running.url}`,
    `Database: ${embedded ? `embedded PGlite at ${config.dataDir}` : "Postgres (DATABASE_URL)"}`,
    ...webhookAllowanceLines(config),
  ];
  if (embedded || process.env.GLADE_SEED === "demo") {
    const demo = await step("Seeding the demo store", () => seedDemo(running.runtime.deps));
    lines.push(...demo.summary);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  onShutdown(running.stop);
}

/**
 * The primary migrates, seeds and runs the background jobs; the workers only answer HTTP on the shared port.
 * One Node process saturates one core long before Postgres does, so on a multi-core host this is how Glade
 * uses the rest. Everything that must be exactly-once already lives in Postgres (row locks, SKIP LOCKED
 * claims, unique keys), so workers need no coordination beyond the database.
 */
/** More worker deaths than this within a minute means something is wrong with every worker, not one. */
const MAX_DEATHS_PER_MINUTE = 5;

async function startPrimary(config: Config): Promise<void> {
  const runtime = await openRuntime(config);
  const jobs = config.runWorker ? startBackgroundJobs(runtime.deps) : undefined;
  const demo = process.env.GLADE_SEED === "demo" ? await seedDemo(runtime.deps) : undefined;
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    await Promise.all(Object.values(cluster.workers ?? {}).map((worker) => worker && stopWorker(worker)));
    await jobs?.stop();
    await runtime.handle.close();
  };
  // A worker that exits before it listens (port taken, bad configuration) fails the start instead of
  // being replaced forever.
  const fork = () =>
    new Promise<string>((resolve, reject) => {
      const worker = cluster.fork();
      const early = (code: number | null, signal: string | null) =>
        reject(new Error(`HTTP worker exited before listening (${code ?? signal})`));
      worker.once("exit", early);
      worker.once("listening", (address) => {
        worker.off("exit", early);
        resolve(`http://${config.host}:${address.port}`);
      });
    });
  let urls: string[];
  try {
    urls = await Promise.all(Array.from({ length: config.httpWorkers }, fork));
  } catch (err) {
    await stopAll();
    throw err;
  }
  const deaths: number[] = [];
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    // Real time: a crash-loop rate of the process supervisor, not a time in the app's data.
    const now = Date.now();
    deaths.push(now);
    while ((deaths[0] ?? now) < now - 60_000) deaths.shift();
    if (deaths.length > MAX_DEATHS_PER_MINUTE) {
      runtime.deps.logger.fatal({ deaths: deaths.length }, "HTTP workers keep dying; stopping");
      void stopAll().finally(() => process.exit(1));
      return;
    }
    runtime.deps.logger.error(
      { pid: worker.process.pid, code, signal },
      "HTTP worker died; starting another",
    );
    fork().catch((err: unknown) => runtime.deps.logger.error({ err }, "replacement HTTP worker failed"));
  });
  const lines = [
    `Glade listening on ${urls[0]} (${config.httpWorkers} HTTP workers)`,
    "Database: Postgres (DATABASE_URL)",
    ...webhookAllowanceLines(config),
    ...(demo?.summary ?? []),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  onShutdown(stopAll);
}

function stopWorker(worker: Worker): Promise<void> {
  return new Promise<void>((resolve) => {
    if (worker.isDead()) return resolve();
    worker.once("exit", () => resolve());
    worker.process.kill("SIGTERM");
  });
}

async function startHttpWorker(config: Config): Promise<void> {
  const running = await startServer({ ...config, runWorker: false });
  onShutdown(running.stop);
}
