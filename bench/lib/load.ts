import { loadavg } from "node:os";
import autocannon, { type Options, type Result } from "autocannon";
import { cpuSecondsOf, type RunningProcess } from "./child.js";

/** What one side of a comparison asks for; both sides of a scenario use the same shape and flags. */
export type LoadSpec = {
  method: "GET" | "POST";
  /** A fixed path, or a function giving each request its own path (distinct sessions). */
  path: string | (() => string);
  headers?: Record<string, string>;
  /** A fixed body, or a function giving each request its own (distinct idempotency keys, say). */
  body?: string | (() => string);
  expectStatus: number;
};

export type RunMeasurement = {
  /** Responses with the expected status per second of the measured window. */
  rps: number;
  p50: number;
  p99: number;
  meanLatency: number;
  expected: number;
  unexpected: number;
  errors: number;
  statusCodes: Record<string, number>;
  /** The server process's CPU over the measured window, in % of one core. */
  serverCpu: number;
  /** Every Postgres process together, % of one core (other databases' work included). */
  dbCpu: number;
  /** This process (autocannon), % of one core. */
  loadCpu: number;
  rssMb: number;
  /** Requests sent in warm-up and measured window together (how many sessions a run consumed). */
  sent: number;
  /** The measured window on the monotonic clock V8's CPU profiles use, in µs. */
  windowUs: [number, number];
  /** 1-minute load average when the measured window began: other work on the box skews a run. */
  loadAverage: number;
};

function optionsFor(url: string, spec: LoadSpec, connections: number, duration: number): Options {
  const base: Options = {
    url,
    connections,
    duration,
    timeout: 30,
    method: spec.method,
    headers: spec.headers ?? {},
  };
  const { path, body } = spec;
  if (typeof body === "string") base.body = body;
  if (typeof path === "string" && typeof body !== "function") return { ...base, url: `${url}${path}` };
  return {
    ...base,
    requests: [
      {
        method: spec.method,
        ...(typeof path === "string" ? { path } : {}),
        ...(typeof body === "string" ? { body } : {}),
        setupRequest: (request) => {
          if (typeof path === "function") request.path = path();
          if (typeof body === "function") request.body = body();
          return request;
        },
      },
    ],
  };
}

function run(options: Options): Promise<Result> {
  return Promise.resolve(autocannon(options));
}

/**
 * autocannon drops its connections when the warm-up ends, but the server keeps working on what was in
 * flight (a slow endpoint can have seconds of it queued). The measured window starts once that is done.
 */
async function waitIdle(server: RunningProcess, maxMs = 15_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const before = server.cpuSeconds();
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (server.cpuSeconds() - before < 0.025) return;
  }
}

/** Machine-limits' method: a warm-up against the same fresh process, then the measured run. */
export async function measure(
  server: RunningProcess,
  spec: LoadSpec,
  settings: { connections: number; warmup: number; duration: number },
): Promise<RunMeasurement> {
  let sent = 0;
  if (settings.warmup > 0) {
    const warm = await run(optionsFor(server.url, spec, settings.connections, settings.warmup));
    sent += warm.requests.sent;
  }
  await waitIdle(server);
  const cpuBefore = server.cpuSeconds();
  const dbCpuBefore = cpuSecondsOf("postgres");
  const loadCpuBefore = process.cpuUsage();
  const loadAverage = loadavg()[0] ?? Number.NaN;
  const started = process.hrtime.bigint();
  const result = await run(optionsFor(server.url, spec, settings.connections, settings.duration));
  const finished = process.hrtime.bigint();
  const seconds = Number(finished - started) / 1e9;
  const cpu = ((server.cpuSeconds() - cpuBefore) / seconds) * 100;
  const dbCpu = ((cpuSecondsOf("postgres") - dbCpuBefore) / seconds) * 100;
  const loadUsage = process.cpuUsage(loadCpuBefore);
  const loadCpu = ((loadUsage.user + loadUsage.system) / 1e6 / seconds) * 100;
  sent += result.requests.sent;
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count;
  const expected = statusCodes[String(spec.expectStatus)] ?? 0;
  const total = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    rps: expected / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    meanLatency: result.latency.average,
    expected,
    unexpected: total - expected,
    errors: result.errors,
    statusCodes,
    serverCpu: cpu,
    dbCpu,
    loadCpu,
    rssMb: server.rssMb(),
    sent,
    windowUs: [Number(started / 1000n), Number(finished / 1000n)],
    loadAverage,
  };
}
