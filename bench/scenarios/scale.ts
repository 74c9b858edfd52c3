import { readFileSync } from "node:fs";
import { runBenchScript } from "../lib/child.js";
import type { BenchOptions } from "../lib/options.js";
import type { Timing } from "../lib/timing.js";

/** Sequential requests to one endpoint of one tenant; `failed` answered another status than expected. */
export type EndpointTiming = Timing & { failed: number };

export type ScaleEndpoint = {
  name: string;
  large: EndpointTiming;
  smallSolo: EndpointTiming;
  /** The small tenant while the large tenant's lists run at full speed. */
  smallBusy: EndpointTiming;
  /** large p50 ÷ small solo p50: target ≤ 2. */
  p50Ratio: number;
  /** small busy p99 ÷ small solo p99: target ≤ 2. */
  busyRatio: number;
};

export type ScaleJob = {
  name: string;
  runsMs: number[];
  changed: number[];
  /** Runs that threw (a statement timeout, say), timed to the failure. */
  errors: string[];
  maxMs: number;
  medianMs: number;
};

export type ScaleResult = {
  size: number;
  commit: string;
  at: string;
  seedSeconds: number;
  rows: Record<string, number>;
  requests: number;
  endpoints: ScaleEndpoint[];
  /** The large tenant's background load during the busy phase (autocannon, 10 connections). */
  load: { rps: number; p50: number; p99: number; statusCodes: Record<string, number>; errors: number };
  jobs: ScaleJob[];
  missed: string[];
  table: string;
  plans: { label: string; plans: string[] }[];
};

export const SCALE_TARGETS = { p50Factor: 2, busyP99Factor: 2, jobMs: 50 };

const SCRIPT = "bench/scale.ts";

/**
 * One large tenant (1M customers by default, `--scale-size`) beside a small one, run as a child (bench/scale.ts)
 * and read back from the raw results it writes. The child exits 1 when a target is missed: a result to report
 * here, not a failure of the run.
 */
export async function benchScale(options: BenchOptions, log: (line: string) => void): Promise<ScaleResult> {
  const timeoutMs = (scaleWatchdogSeconds(options.scaleSize) + 60) * 1000;
  const { code, output } = await runBenchScript(
    SCRIPT,
    ["--size", String(options.scaleSize)],
    options.adminUrl,
    timeoutMs,
  );
  const file = /^raw results: (.+)$/m.exec(output)?.[1];
  if ((code !== 0 && code !== 1) || !file) throw new Error(`${SCRIPT} exited with ${code}:\n${output}`);
  const result = JSON.parse(readFileSync(file, "utf8")) as ScaleResult;
  for (const line of result.table.split("\n")) log(`  ${line}`);
  return result;
}

/** bench/scale.ts bounds itself: seeding and measuring grow with the size. */
export function scaleWatchdogSeconds(size: number): number {
  return Math.round(600 + (size / 1_000_000) * 2400);
}
