import cluster from "node:cluster";
import { openRuntime } from "../deps.js";
import { startBackgroundJobs } from "../jobs.js";
import type { Config } from "../lib/config.js";
import { startServer } from "../server.js";
import { seedDemo } from "./seed.js";

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
  const running = await startServer(config);
  const embedded = running.runtime.handle.kind === "pglite";
  const lines = [
    `Glade listening on ${running.url}`,
    `Database: ${embedded ? `embedded PGlite at ${config.dataDir}` : "Postgres (DATABASE_URL)"}`,
  ];
  if (embedded || process.env.GLADE_SEED === "demo") {
    const demo = await seedDemo(running.runtime.deps);
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
async function startPrimary(config: Config): Promise<void> {
  const runtime = await openRuntime(config);
  const jobs = config.runWorker ? startBackgroundJobs(runtime.deps) : undefined;
  const demo = process.env.GLADE_SEED === "demo" ? await seedDemo(runtime.deps) : undefined;
  let stopping = false;
  const fork = () =>
    new Promise<string>((resolve) => {
      const worker = cluster.fork();
      worker.once("listening", (address) => resolve(`http://${config.host}:${address.port}`));
    });
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    runtime.deps.logger.error(
      { pid: worker.process.pid, code, signal },
      "HTTP worker died; starting another",
    );
    void fork();
  });
  const urls = await Promise.all(Array.from({ length: config.httpWorkers }, fork));
  const lines = [
    `Glade listening on ${urls[0]} (${config.httpWorkers} HTTP workers)`,
    "Database: Postgres (DATABASE_URL)",
    ...(demo?.summary ?? []),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  onShutdown(async () => {
    stopping = true;
    await Promise.all(
      Object.values(cluster.workers ?? {}).map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (!worker || worker.isDead()) return resolve();
            worker.once("exit", () => resolve());
            worker.process.kill("SIGTERM");
          }),
      ),
    );
    await jobs?.stop();
    await runtime.handle.close();
  });
}

async function startHttpWorker(config: Config): Promise<void> {
  const running = await startServer({ ...config, runWorker: false });
  onShutdown(running.stop);
}
