import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../lib/config.js";

/**
 * One line per start-up step, with its time, so a first start that takes seconds says what it is doing.
 * Real time: how long the machine took, not a time in the app's data.
 */
export async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  process.stdout.write(`${label}…`);
  const started = performance.now();
  const result = await work();
  process.stdout.write(` done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return result;
}

/** Whether the embedded database's directory holds no database yet (PGlite would run initdb on opening it). */
export function embeddedDatabaseMissing(config: Config): boolean {
  return (
    !config.databaseUrl && config.dataDir !== "memory://" && !existsSync(join(config.dataDir, "PG_VERSION"))
  );
}

/**
 * Creates and migrates the embedded database in a child process (`glade migrate`): PGlite's initdb grows the
 * WebAssembly heap to several hundred MB, which a process never gives back, so the server that opens the finished
 * database afterwards starts as small as on any later start.
 */
export function createEmbeddedDatabase(config: Config): Promise<void> {
  const main = process.argv[1];
  if (!main) return Promise.reject(new Error("cannot find the glade command to run"));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, main, "migrate"], {
      env: { ...process.env, GLADE_DATA_DIR: config.dataDir },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let errors = "";
    child.stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`creating the embedded database failed (${code ?? signal}):\n${errors.trim()}`));
    });
  });
}
