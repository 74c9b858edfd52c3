import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const LOCK_FILE = "glade.pid";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the embedded data directory for this process, or refuses clearly. Two processes on one PGlite
 * directory each run their own Postgres on the same files and never see each other's writes (a key created
 * by the CLI while the server runs would not work there), so a second opener is stopped before it opens it.
 * A lock left by a process that died is taken over. Returns the release.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new Error(
          `the embedded database in ${dataDir} is in use by another Glade process (pid ${holder}). ` +
            "Stop it first (Ctrl-C where `npm start` runs), or use the dashboard or the API of the running " +
            "server, or run Glade on Postgres (DATABASE_URL), which any number of processes can share.",
        );
      }
      rmSync(file, { force: true });
    }
  }
  return () => {
    try {
      if (readFileSync(file, "utf8").trim() === String(process.pid)) rmSync(file, { force: true });
    } catch {
      // Already gone: nothing to release.
    }
  };
}
