import { performance } from "node:perf_hooks";

export type Timing = { p50: number; p95: number; p99: number; max: number };

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;

/**
 * `requests` calls of `send`, one after another (a keep-alive connection when `send` is a fetch), after `warmup`
 * untimed ones: percentiles of the round trip.
 */
export async function timeSequential(
  send: () => Promise<void>,
  warmup: number,
  requests: number,
): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await send();
  const latencies: number[] = [];
  for (let i = 0; i < requests; i++) {
    const start = performance.now();
    await send();
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    max: latencies.at(-1) ?? 0,
  };
}
