import { runBenchScript } from "../lib/child.js";
import type { BenchOptions } from "../lib/options.js";

export type UsageBalanceResult = {
  events: number;
  /** The interleaved round with the median p99, sequential requests. */
  p50: number;
  p99: number;
  /** The same with `?subscriptionId=`. */
  oneP50: number;
  oneP99: number;
  /** GET /customers/{externalId}, one statement: the machine's noise floor in the same rounds. */
  referenceP50: number;
  referenceP99: number;
  /** Whether any statement of the read scanned usage_events (it must not). */
  readsEvents: boolean;
  output: string;
};

const SCRIPT = "bench/usage-balance.ts";
/** bench/usage-balance.ts bounds itself at 600 s; this only catches a child that hangs before its watchdog. */
const TIMEOUT_MS = 660_000;

function timing(output: string, label: string): { p50: number; p99: number } {
  const line = output.split("\n").find((l) => l.startsWith(`${label}:`)) ?? "";
  const p50 = /p50 ([\d.]+) ms/.exec(line)?.[1];
  const p99 = /p99 ([\d.]+) ms/.exec(line)?.[1];
  return { p50: Number(p50 ?? Number.NaN), p99: Number(p99 ?? Number.NaN) };
}

/**
 * The usage balance read with 1M events in the period (its own database, seeded in bulk, Glade as `glade start`
 * runs it), run as a child and read from its printed summary.
 */
export async function benchUsageBalance(
  options: BenchOptions,
  log: (line: string) => void,
): Promise<UsageBalanceResult> {
  const events = 1_000_000;
  const { code, output } = await runBenchScript(
    SCRIPT,
    ["--events", String(events)],
    options.adminUrl,
    TIMEOUT_MS,
  );
  if (code !== 0) throw new Error(`${SCRIPT} exited with ${code}:\n${output}`);
  const summary = output.split("\nEXPLAIN")[0] ?? output;
  for (const line of summary.trim().split("\n")) log(`  ${line}`);
  const all = timing(output, "usage balance read");
  const one = timing(output, "usage balance read, ?subscriptionId=");
  const reference = timing(output, "reference: GET /customers/{externalId} (one statement)");
  return {
    events,
    p50: all.p50,
    p99: all.p99,
    oneP50: one.p50,
    oneP99: one.p99,
    referenceP50: reference.p50,
    referenceP99: reference.p99,
    readsEvents: !/usage_events: not read/.test(output),
    output,
  };
}
