/**
 * Webhook fairness benchmark: `npx tsx bench/webhook-fairness.ts [--backlog 100000] [--max-wait 120]`
 *
 * One merchant's endpoint has a due backlog (seeded in SQL) whose receiver answers 503 after 2 s; the real
 * background job works on it for a few seconds; then another merchant's event is committed for a healthy
 * endpoint. Prints the seconds until that delivery's first attempt (target: a few seconds, whatever the
 * backlog), and the claim statement's time and plan at that backlog size. Own database, dropped at the end.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import postgres from "postgres";
import type { AppDeps } from "../src/context/index.js";
import { migrate, openDatabase } from "../src/db/client.js";
import { startBackgroundJobs } from "../src/jobs.js";
import { createOrganization } from "../src/organizations/index.js";
import { CLAIM_SQL, claimParams } from "../src/webhooks/claim-deliveries.js";
import { createWebhookEndpoint, emitEvent, webhookDeliveryJob } from "../src/webhooks/index.js";
import { benchDeps } from "./lib/database.js";
import { adminUrl, scriptArg } from "./lib/options.js";

const ADMIN_URL = adminUrl();
const BACKLOG = scriptArg("--backlog", 100_000);
const MAX_WAIT_S = scriptArg("--max-wait", 120);
const FAILING_AFTER_MS = 2_000;
/** How long the job works on the backlog alone before the healthy merchant's event is committed. */
const WARM_UP_MS = 5_000;
const CLAIM_RUNS = 20;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
}

async function seedBacklog(sql: postgres.Sql, organizationId: string, endpointId: string, count: number) {
  await sql`
    insert into events (id, organization_id, livemode, type, object_type, object_id, payload, created_at)
    select 'evt_backlog_' || g, ${organizationId}, false, 'payment.succeeded', 'payment', 'pymt_' || g,
      jsonb_build_object('id', 'evt_backlog_' || g, 'type', 'payment.succeeded', 'data', jsonb_build_object('n', g)),
      now() - interval '1 hour' + g * interval '1 millisecond'
    from generate_series(1, ${count}::int) g`;
  await sql`
    insert into webhook_deliveries (id, organization_id, livemode, event_id, endpoint_id, status, next_attempt_at)
    select 'whdel_backlog_' || g, ${organizationId}, false, 'evt_backlog_' || g, ${endpointId}, 'pending',
      now() - interval '1 hour' + g * interval '1 millisecond'
    from generate_series(1, ${count}::int) g order by g`;
}

/** The claim as the worker sends it, timed and explained in transactions rolled back after. */
async function measureClaim(sql: postgres.Sql, deps: AppDeps) {
  const dialect = (
    deps.db as unknown as { dialect: { sqlToQuery(q: unknown): { sql: string; params: unknown[] } } }
  ).dialect;
  const built = dialect.sqlToQuery(CLAIM_SQL);
  const args = () => {
    const values = claimParams({
      at: new Date(),
      lockUntil: new Date(Date.now() + 40_000),
      limit: 32,
      share: 16,
    });
    return built.params.map((p) => values[(p as { name: string }).name] as string | number | null);
  };
  const rolledBack = async <T>(run: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> => {
    let out: T | undefined;
    await sql
      .begin(async (tx) => {
        out = await run(tx);
        throw new Error("roll back");
      })
      .catch((err: unknown) => {
        if ((err as Error).message !== "roll back") throw err;
      });
    return out as T;
  };
  const times: number[] = [];
  for (let i = 0; i < CLAIM_RUNS; i++) {
    times.push(
      await rolledBack(async (tx) => {
        const started = performance.now();
        await tx.unsafe(built.sql, args());
        return performance.now() - started;
      }),
    );
  }
  times.sort((a, b) => a - b);
  const plan = await rolledBack(async (tx) => {
    const rows = await tx.unsafe(`explain (analyze, buffers, costs off) ${built.sql}`, args());
    return rows.map((r) => String(r["QUERY PLAN"])).join("\n");
  });
  return { median: times[Math.floor(times.length / 2)] ?? Number.NaN, max: times.at(-1) ?? Number.NaN, plan };
}

async function main() {
  const name = `glade_bench_fairness_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: "", poolSize: 10 });
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
  let failingAttempts = 0;
  const failing = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      failingAttempts++;
      setTimeout(() => {
        res.writeHead(503, { "content-type": "text/plain" });
        res.end("unavailable");
      }, FAILING_AFTER_MS);
    });
  });
  // First arrival of each webhook-id at the healthy receiver, and who waits for one.
  const arrivals = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  const healthy = createServer((req, res) => {
    const id = String(req.headers["webhook-id"]);
    req.resume();
    req.on("end", () => {
      if (!arrivals.has(id)) arrivals.set(id, performance.now());
      waiting.get(id)?.(performance.now());
      res.writeHead(200);
      res.end("ok");
    });
  });
  const servers = [failing, healthy];
  try {
    const [failingUrl, healthyUrl] = await Promise.all([listen(failing), listen(healthy)]);
    await migrate(handle);
    const deps = benchDeps(handle, url.toString(), { GLADE_WEBHOOK_ALLOW_PRIVATE: "127.0.0.0/8" });
    const config = deps.config;
    const endpointFor = async (orgName: string, receiver: string) => {
      const org = await createOrganization(deps.db, { name: orgName }, new Date());
      const merchant = { organizationId: org.id, livemode: false, apiKeyId: "bench" };
      const endpoint = await deps.db.transaction((tx) =>
        createWebhookEndpoint(tx, merchant, { url: receiver }, new Date(), config),
      );
      return { org, endpoint };
    };
    const backlog = await endpointFor("Backlog", failingUrl ?? "");
    const other = await endpointFor("Healthy", healthyUrl ?? "");
    const seedStart = performance.now();
    await seedBacklog(sql, backlog.org.id, backlog.endpoint.id, BACKLOG);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    // Statistics as a busy table has them between analyzes: taken before the backlog grew.
    const stale = await measureClaim(sql, deps);
    await sql`analyze webhook_deliveries`;
    const fresh = await measureClaim(sql, deps);

    /** Commits one event for the healthy endpoint; seconds until its first attempt arrives (Infinity: none). */
    const secondsToFirstAttempt = async (n: number) => {
      const objectId = `pymt_healthy_${n}`;
      const object = { id: objectId, amount: 1000, currency: "USD", status: "succeeded", livemode: false };
      const arrived = new Promise<number>((resolve) => {
        const eventId = deps.db.transaction((tx) =>
          emitEvent(
            tx,
            {
              organizationId: other.org.id,
              livemode: false,
              type: "payment.succeeded",
              objectType: "payment",
              objectId,
              object,
            },
            new Date(),
          ),
        );
        void eventId.then((id) => {
          const at = arrivals.get(id);
          if (at !== undefined) resolve(at);
          else waiting.set(id, resolve);
        });
      });
      const committed = performance.now();
      const deadline = new Promise<number>((resolve) =>
        setTimeout(() => resolve(Number.POSITIVE_INFINITY), MAX_WAIT_S * 1000).unref(),
      );
      return ((await Promise.race([arrived, deadline])) - committed) / 1000;
    };
    const shown = (seconds: number) =>
      Number.isFinite(seconds) ? `${seconds.toFixed(2)} s` : `none within ${MAX_WAIT_S} s`;

    const jobs = startBackgroundJobs(deps, [webhookDeliveryJob]);
    // Half a second in: the backlog's first attempts are in flight (none has failed yet, its circuit is closed).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const whileBusy = await secondsToFirstAttempt(1);
    const busyAttempts = failingAttempts;
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
    const afterWarmUp = await secondsToFirstAttempt(2);
    const [circuit] = await sql`
      select consecutive_failures, circuit_open_until from webhook_endpoints where id = ${backlog.endpoint.id}`;
    const jobsStopping = jobs.stop();
    for (const server of servers) server.closeAllConnections();
    await jobsStopping;
    const lines = [
      `webhook fairness benchmark (backlog ${BACKLOG} due deliveries, receiver answers 503 after ${FAILING_AFTER_MS / 1000} s; seeded in ${seedSeconds.toFixed(1)} s)`,
      `  first attempt of a healthy endpoint's delivery: ${shown(whileBusy)} after commit while the backlog's first ${busyAttempts} attempts were in flight`,
      `  and again ${WARM_UP_MS / 1000} s later: ${shown(afterWarmUp)} (the backlog had had ${failingAttempts} attempts by then)`,
      `  backlog endpoint then: ${circuit?.consecutive_failures ?? "?"} failures in a row, circuit open until ${circuit?.circuit_open_until ? new Date(circuit.circuit_open_until).toISOString() : "(closed)"}`,
      `  claim statement (32 slots): stale statistics median ${stale.median.toFixed(2)} ms (max ${stale.max.toFixed(2)}), after ANALYZE median ${fresh.median.toFixed(2)} ms (max ${fresh.max.toFixed(2)}), ${CLAIM_RUNS} runs each`,
      "  claim plan (stale statistics):",
      ...stale.plan.split("\n").map((line) => `    ${line}`),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await sql.end({ timeout: 5 });
    await handle.close();
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

const watchdog = setTimeout(
  () => {
    process.stderr.write("webhook fairness benchmark did not finish in time\n");
    process.exit(1);
  },
  (MAX_WAIT_S + 240) * 1000,
);
watchdog.unref();

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
