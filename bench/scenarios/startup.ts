import { runBenchScript } from "../lib/child.js";
import type { BenchOptions } from "../lib/options.js";

export type StartupSample = { seconds: number; rssMb: number; peakMb: number };

export type StartupResult = {
  firstEmbedded: StartupSample;
  againEmbedded: StartupSample;
  postgres: StartupSample;
  output: string;
};

const SCRIPT = "bench/startup.ts";
/** bench/startup.ts bounds itself at 600 s. */
const TIMEOUT_MS = 660_000;

function sample(output: string, label: string): StartupSample {
  const line = output.split("\n").find((l) => l.startsWith(`${label}:`)) ?? "";
  const m = /ready in ([\d.]+) s, RSS (\d+) MB \(peak (\d+) MB\)/.exec(line);
  if (!m) throw new Error(`${SCRIPT} printed no "${label}" line:\n${output}`);
  return { seconds: Number(m[1]), rssMb: Number(m[2]), peakMb: Number(m[3]) };
}

/**
 * `npm start` timed and weighed (bench/startup.ts, three rounds), run as a child and read from its summary. The
 * child exits 1 when a target is missed: a result to report here, not a failure of the run.
 */
export async function benchStartup(
  options: BenchOptions,
  log: (line: string) => void,
): Promise<StartupResult> {
  const { code, output } = await runBenchScript(SCRIPT, [], options.adminUrl, TIMEOUT_MS);
  if (code !== 0 && code !== 1) throw new Error(`${SCRIPT} exited with ${code}:\n${output}`);
  for (const line of output.trim().split("\n")) log(`  ${line}`);
  return {
    firstEmbedded: sample(output, "first start, embedded PGlite (fresh data directory)"),
    againEmbedded: sample(output, "second start, embedded PGlite"),
    postgres: sample(output, "start on Postgres (fresh database, demo seeded)"),
    output,
  };
}
