/**
 * Webhook delivery benchmark: `npx tsx bench/webhooks.ts [--events 2000] [--latency-events 300]`
 *
 * Creates its own database on the local Postgres (GLADE_TEST_ADMIN_URL, as the tests do), one
 * organization with one endpoint pointing at a loopback receiver in this process, then measures:
 *   1. throughput: a backlog of N committed events drained by the worker (deliveries/s);
 *   2. latency: events committed one by one while the real background job runs (commit -> receipt);
 *   3. the bare ceiling: the same signed bodies POSTed straight to the same receiver, no database.
 * Drops its database and exits on its own; a watchdog bounds the whole run. Fairness (a healthy endpoint
 * behind another's failing backlog) is bench/webhook-fairness.ts.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import postgres from "postgres";
import { Webhook } from "standardwebhooks";
import { migrate, openDatabase } from "../src/db/client.js";
import { startBackgroundJobs } from "../src/jobs.js";
import { createOrganization } from "../src/organizations/index.js";
import {
  createWebhookEndpoint,
  drainDeliveries,
  emitEvent,
  signedHeaders,
  webhookDeliveryJob,
} from "../src/webhooks/index.js";
import { benchDeps } from "./lib/database.js";
import { adminUrl, scriptArg } from "./lib/options.js";

const ADMIN_URL = adminUrl();
const EVENTS = scriptArg("--events", 2000);
const LATENCY_EVENTS = scriptArg("--latency-events", 300);
const CONCURRENCY = 32;
const WATCHDOG_MS = 180_000;

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number);
const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function main() {
  const name = `glade_bench_webhooks_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: "", poolSize: 10 });

  // Arrival time of each webhook-id, and a probe that later POSTs are waiting on.
  const arrivals = new Map<string, number>();
  let samples: { body: string; headers: Record<string, string> }[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const id = String(req.headers["webhook-id"]);
      if (!arrivals.has(id)) arrivals.set(id, performance.now());
      if (samples.length < 5) {
        samples.push({
          body: Buffer.concat(chunks).toString(),
          headers: req.headers as Record<string, string>,
        });
      }
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
      if (waiting && arrivals.size >= waiting.count) waiting.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  const allArrived = (count: number) =>
    new Promise<void>((resolve) => {
      if (arrivals.size >= count) return resolve();
      waiting = { count, resolve };
    });

  try {
    await migrate(handle);
    const deps = benchDeps(handle, url.toString());
    const config = deps.config;
    const org = await createOrganization(deps.db, { name: "Bench" }, new Date());
    const merchant = { organizationId: org.id, livemode: false, apiKeyId: "bench" };
    const endpoint = await deps.db.transaction((tx) =>
      createWebhookEndpoint(tx, merchant, { url: receiverUrl }, new Date(), config),
    );
    const emit = (tx: Parameters<typeof emitEvent>[0], i: number) =>
      emitEvent(
        tx,
        {
          organizationId: org.id,
          livemode: false,
          type: "payment.succeeded",
          objectType: "payment",
          objectId: `pymt_bench_${i}`,
          object: {
            id: `pymt_bench_${i}`,
            amount: 1000 + i,
            currency: "USD",
            status: "succeeded",
            livemode: false,
          },
        },
        new Date(),
      );

    // 1. Throughput: a committed backlog, drained by the worker.
    for (let start = 0; start < EVENTS; start += 200) {
      await deps.db.transaction(async (tx) => {
        for (let i = start; i < Math.min(EVENTS, start + 200); i++) await emit(tx, i);
      });
    }
    const drainStart = performance.now();
    for (;;) {
      const round = await drainDeliveries(deps, { organizationId: org.id, budgetMs: 60_000 });
      if (round.claimed === 0) break;
    }
    const drainSeconds = (performance.now() - drainStart) / 1000;
    if (arrivals.size !== EVENTS)
      throw new Error(`expected ${EVENTS} deliveries, receiver saw ${arrivals.size}`);
    for (const s of samples) new Webhook(endpoint.secret).verify(s.body, s.headers);
    const workerRate = EVENTS / drainSeconds;

    // 2. Latency: the real background job polling while events commit one at a time.
    arrivals.clear();
    samples = [];
    const committedAt = new Map<string, number>();
    const jobs = startBackgroundJobs(deps, [webhookDeliveryJob]);
    for (let i = 0; i < LATENCY_EVENTS; i++) {
      const id = await deps.db.transaction((tx) => emit(tx, EVENTS + i));
      committedAt.set(id, performance.now());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await allArrived(LATENCY_EVENTS);
    await jobs.stop();
    const latencies = [...committedAt]
      .map(([id, at]) => (arrivals.get(id) ?? Number.NaN) - at)
      .sort((a, b) => a - b);

    // 3. Bare harness: the same signed bodies, straight to the same receiver, same concurrency, no DB.
    arrivals.clear();
    const bodies = Array.from({ length: EVENTS }, (_, i) =>
      JSON.stringify({
        id: `evt_bare_${i}`,
        type: "payment.succeeded",
        data: { id: `pymt_bench_${i}`, amount: 1000 + i },
      }),
    );
    const bareStart = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length) {
          const i = next++;
          const body = bodies[i] as string;
          const res = await fetch(receiverUrl, {
            method: "POST",
            headers: signedHeaders(endpoint.secret, `evt_bare_${i}`, body, new Date()),
            body,
            signal: AbortSignal.timeout(10_000),
          });
          await res.text();
        }
      }),
    );
    const bareRate = EVENTS / ((performance.now() - bareStart) / 1000);

    const lines = [
      `webhook delivery benchmark (loopback receiver, ${EVENTS} backlog events, ${LATENCY_EVENTS} latency events)`,
      `  worker throughput:        ${fmt(workerRate)} deliveries/s (${EVENTS} in ${fmt(drainSeconds, 2)} s, batch ${CONCURRENCY})`,
      `  commit -> delivery:       p50 ${fmt(percentile(latencies, 0.5))} ms, p99 ${fmt(percentile(latencies, 0.99))} ms, max ${fmt(latencies.at(-1) ?? Number.NaN)} ms (job polls every ${webhookDeliveryJob.intervalMs} ms)`,
      `  bare signed POST harness: ${fmt(bareRate)} req/s (concurrency ${CONCURRENCY}, no database)`,
      `  worker / bare ratio:      ${fmt((workerRate / bareRate) * 100)} %`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await handle.close();
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

const watchdog = setTimeout(() => {
  process.stderr.write(`webhook benchmark did not finish within ${WATCHDOG_MS / 1000} s\n`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
