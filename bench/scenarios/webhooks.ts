import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { REPO_ROOT, track } from "../lib/child.js";
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
      output: string;
    };

const SCRIPT = "bench/webhooks.ts";
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
  const args = ["--import", "tsx", SCRIPT, "--events", String(events)];
  const output = await new Promise<string>((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, GLADE_TEST_ADMIN_URL: options.adminUrl },
      stdio: ["ignore", "pipe", "pipe"],
    });
    track(child);
    let text = "";
    child.stdout.on("data", (c: Buffer) => {
      text += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      text += c.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) done(text);
      else fail(new Error(`${SCRIPT} exited with ${code}:\n${text}`));
    });
  });
  for (const line of output.trim().split("\n")) log(`  ${line}`);
  const deliveriesPerSecond = number(output, /worker throughput:\s*([\d.]+)/);
  const bareRps = number(output, /bare signed POST harness:\s*([\d.]+)/);
  return {
    available: true,
    deliveriesPerSecond,
    bareRps,
    ratio: deliveriesPerSecond / bareRps,
    latencyP50: number(output, /commit -> delivery:.*?p50\s*([\d.]+)/),
    latencyP99: number(output, /commit -> delivery:.*?p99\s*([\d.]+)/),
    output,
  };
}
