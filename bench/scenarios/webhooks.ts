import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { REPO_ROOT, runBenchScript } from "../lib/child.js";
import type { BenchOptions } from "../lib/options.js";

export type WebhookResult =
  | { available: false; reason: string }
  | {
      available: true;
      deliveriesPerSecond: number;
      bareRps: number;
      ratio: number;
      latencyP50: number;
      latencyP99: number;
      /** bench/webhook-fairness.ts: a healthy endpoint's first attempt behind another's failing backlog. */
      fairness: { backlog: number; firstAttemptSeconds: number; claimMs: number } | undefined;
      output: string;
    };

const SCRIPT = "bench/webhooks.ts";
const FAIRNESS_SCRIPT = "bench/webhook-fairness.ts";
/** bench/webhooks.ts bounds itself at 180 s; this only catches a child that hangs before its watchdog. */
const TIMEOUT_MS = 240_000;

function number(output: string, pattern: RegExp): number {
  const m = pattern.exec(output);
  return m ? Number(m[1]) : Number.NaN;
}

/**
 * Developer C's webhook delivery benchmark (its own database, receiver and bare baseline), run as a
 * child and read from its printed summary. Its backlog scales with --duration so quick runs stay quick.
 */
export async function benchWebhooks(
  options: BenchOptions,
  log: (line: string) => void,
): Promise<WebhookResult> {
  if (!existsSync(resolve(REPO_ROOT, SCRIPT))) return { available: false, reason: `${SCRIPT} is missing` };
  const events = Math.max(200, Math.round(options.duration * 200));
  const { code, output } = await runBenchScript(
    SCRIPT,
    ["--events", String(events)],
    options.adminUrl,
    TIMEOUT_MS,
  );
  if (code !== 0) throw new Error(`${SCRIPT} exited with ${code}:\n${output}`);
  for (const line of output.trim().split("\n")) log(`  ${line}`);
  const fairness = await benchFairness(options, log);
  const deliveriesPerSecond = number(output, /worker throughput:\s*([\d.]+)/);
  const bareRps = number(output, /bare signed POST harness:\s*([\d.]+)/);
  return {
    available: true,
    deliveriesPerSecond,
    bareRps,
    ratio: deliveriesPerSecond / bareRps,
    latencyP50: number(output, /commit -> delivery:.*?p50\s*([\d.]+)/),
    latencyP99: number(output, /commit -> delivery:.*?p99\s*([\d.]+)/),
    fairness,
    output,
  };
}

/**
 * The fairness script with a backlog that scales with --duration (100k at the default 10 s): seconds until a
 * healthy endpoint's first attempt (Infinity when none came) and the claim's median time at that backlog.
 */
async function benchFairness(options: BenchOptions, log: (line: string) => void) {
  if (!existsSync(resolve(REPO_ROOT, FAIRNESS_SCRIPT))) return undefined;
  const backlog = Math.max(10_000, Math.round(options.duration * 10_000));
  const { code, output } = await runBenchScript(
    FAIRNESS_SCRIPT,
    ["--backlog", String(backlog), "--max-wait", "60"],
    options.adminUrl,
    TIMEOUT_MS,
  );
  if (code !== 0) throw new Error(`${FAIRNESS_SCRIPT} exited with ${code}:\n${output}`);
  // The plan is in the script's own output; the summary lines are enough here.
  for (const line of output.trim().split("\n").slice(0, 4)) log(`  ${line}`);
  const waited = /first attempt of a healthy endpoint's delivery:\s*([\d.]+) s/.exec(output);
  return {
    backlog,
    firstAttemptSeconds: waited ? Number(waited[1]) : Number.POSITIVE_INFINITY,
    claimMs: number(output, /stale statistics median\s*([\d.]+) ms/),
  };
}
