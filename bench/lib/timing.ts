import { performance } from "node:perf_hooks";

export type Timing = { p50: number; p95: number; p99: number; max: number };

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;

/** `requests` calls of `send` one after another, each one's round trip in ms. */
export async function sampleSequential(send: () => Promise<void>, requests: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < requests; i++) {
    const start = performance.now();
    await send();
    latencies.push(performance.now() - start);
  }
  return latencies;
}

export function summarize(latencies: number[]): Timing {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? 0,
  };
}

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
  return summarize(await sampleSequential(send, requests));
}
