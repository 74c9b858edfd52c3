/**
 * Where Glade's time goes on the benchmarked paths, for the lead's fixes (src/ is not changed here):
 *  1. every SQL statement each request sends, counted and grouped by transaction, through an in-process
 *     app whose postgres.js client records each statement (the same driver, schema and casing as src/);
 *  2. unloaded latency of the same requests, sequentially;
 *  3. a V8 CPU profile of the real `glade start` child under the benchmark load, by self time.
 */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { createApp } from "../src/app.js";
import type { AppDeps } from "../src/context/index.js";
import type { Database } from "../src/db/client.js";
import * as schema from "../src/db/schema/index.js";
import { processorRegistry } from "../src/processors/index.js";
import { type CpuSummary, profileUnderLoad } from "./lib/cpu-profile.js";
import { type BenchDatabase, createBody, createOneSession, createOpenSessions } from "./lib/database.js";
import { type MicroResult, microCosts } from "./lib/micro.js";
import type { BenchOptions } from "./lib/options.js";
import { CONFIRM_FORM } from "./scenarios/complete.js";

export type StatementTrace = {
  request: string;
  status: number;
  /** SQL statements, BEGIN and COMMIT not counted. */
  statements: number;
  transactions: number;
  /** Statements outside any transaction, each its own implicit commit. */
  autocommitStatements: number;
  /** Same statement text sent more than once in one request. */
  repeated: { sql: string; times: number }[];
  list: string[];
};

export type ProfileReport = {
  traces: StatementTrace[];
  micro: MicroResult[];
  sequentialMs: Record<string, number>;
  cpu: { create?: CpuSummary; complete?: CpuSummary; page?: CpuSummary };
};

type Recorded = { connection: number; sql: string };

/** One line per statement: whitespace folded, long column lists shortened. */
function shorten(sql: string): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat
    .replace(/^select .{40,}? from/i, "select … from")
    .replace(/returning .+$/i, "returning …")
    .replace(/\(("[a-z_]+", )+"[a-z_]+"\)/gi, "(…)")
    .replace(/values \(.+?\)( on conflict|$)/i, "values (…)$1")
    .replace(/ set .+? where/i, " set … where")
    .slice(0, 160);
}

function analyse(request: string, status: number, recorded: Recorded[]): StatementTrace {
  let transactions = 0;
  let autocommit = 0;
  const inTx = new Set<number>();
  const counts = new Map<string, number>();
  const list: string[] = [];
  for (const r of recorded) {
    const text = shorten(r.sql);
    const lower = text.toLowerCase();
    if (lower.startsWith("begin")) {
      transactions++;
      inTx.add(r.connection);
      list.push(`[conn ${r.connection}] BEGIN`);
      continue;
    }
    if (lower === "commit" || lower === "rollback") {
      inTx.delete(r.connection);
      list.push(`[conn ${r.connection}] ${lower.toUpperCase()}`);
      continue;
    }
    if (!inTx.has(r.connection)) autocommit++;
    counts.set(text, (counts.get(text) ?? 0) + 1);
    list.push(`[conn ${r.connection}]${inTx.has(r.connection) ? "   " : " * "}${text}`);
  }
  return {
    request,
    status,
    statements: recorded.length - 2 * transactions,
    transactions,
    autocommitStatements: autocommit,
    repeated: [...counts].filter(([, n]) => n > 1).map(([sql, times]) => ({ sql, times })),
    list,
  };
}

async function traceStatements(db: BenchDatabase): Promise<{
  traces: StatementTrace[];
  sequentialMs: Record<string, number>;
}> {
  let recording: Recorded[] | undefined;
  const client = postgres(db.url, {
    max: 10,
    onnotice: () => {},
    types: {
      bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) },
    },
    debug: (connection, sql) => {
      recording?.push({ connection, sql });
    },
  });
  const traced = drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
  const deps: AppDeps = { ...db.deps, db: traced, processors: processorRegistry(traced, db.deps.config) };
  const app = createApp(deps);
  const requests: Record<string, () => Promise<Response>> = {
    "POST /api/v1/checkout-sessions": async () =>
      app.request("/api/v1/checkout-sessions", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: db.secret },
        body: createBody(db),
      }),
    "GET /checkout/{id}": async () => app.request(`/checkout/${await createOneSession(db)}`),
    "POST /checkout/{id}/confirm": async () =>
      app.request(`/checkout/${await createOneSession(db)}/confirm`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: CONFIRM_FORM,
      }),
  };
  const traces: StatementTrace[] = [];
  const sequentialMs: Record<string, number> = {};
  try {
    for (const [name, send] of Object.entries(requests)) {
      // The first call prepares statements and fills the API-key cache; the trace is of a steady request.
      await (await send()).text();
      let status = 0;
      recording = [];
      const res = await send();
      const steady = recording;
      recording = undefined;
      status = res.status;
      await res.text();
      // createOneSession's own insert runs on another pool: nothing of it is in `steady`.
      traces.push(analyse(name, status, steady));
      const rounds = 200;
      const ids = name.includes("{id}") ? await createOpenSessions(db, rounds) : [];
      const began = performance.now();
      for (let i = 0; i < rounds; i++) {
        if (name === "POST /api/v1/checkout-sessions") await (await send()).text();
        else if (name === "GET /checkout/{id}") await (await app.request(`/checkout/${ids[i]}`)).text();
        else
          await (
            await app.request(`/checkout/${ids[i]}/confirm`, {
              method: "POST",
              headers: { "content-type": "application/x-www-form-urlencoded" },
              body: CONFIRM_FORM,
            })
          ).text();
      }
      sequentialMs[name] = (performance.now() - began) / rounds;
    }
  } finally {
    await client.end({ timeout: 5 });
  }
  return { traces, sequentialMs };
}

export async function profileGlade(
  db: BenchDatabase,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<ProfileReport> {
  const { traces, sequentialMs } = await traceStatements(db);
  for (const t of traces) {
    log(
      `  ${t.request}: ${t.statements} SQL statements, ${t.transactions} transactions (status ${t.status})`,
    );
  }
  const micro = await microCosts(db);
  for (const m of micro) log(`  ${m.name}: ${m.microseconds.toFixed(1)} µs`);
  const cpu: ProfileReport["cpu"] = {};
  if (options.only.includes("create")) cpu.create = await profileUnderLoad(db, "create", options, log);
  if (options.only.includes("complete")) cpu.complete = await profileUnderLoad(db, "complete", options, log);
  if (options.only.includes("page")) cpu.page = await profileUnderLoad(db, "page", options, log);
  return { traces, micro, sequentialMs, cpu };
}

export function profileText(report: ProfileReport): string {
  const out: string[] = ["## Profile"];
  for (const t of report.traces) {
    out.push(
      "",
      `### ${t.request} (status ${t.status}): ${t.statements} SQL statements + ${t.transactions} BEGIN/COMMIT pairs, ` +
        `${t.autocommitStatements} of the statements outside a transaction; ` +
        `${report.sequentialMs[t.request]?.toFixed(2)} ms per request unloaded`,
      "(* = autocommit statement)",
      ...t.list.map((l) => `    ${l}`),
    );
    if (t.repeated.length) {
      out.push("  repeated in one request:", ...t.repeated.map((r) => `    ${r.times}× ${r.sql}`));
    }
  }
  out.push(
    "",
    "### Per-call costs (this process, one connection, sequential)",
    ...report.micro.map((m) => `    ${m.microseconds.toFixed(1).padStart(8)} µs  ${m.name}`),
  );
  for (const [name, summary] of Object.entries(report.cpu)) {
    if (!summary) continue;
    out.push(
      "",
      `### CPU profile of glade under the ${name} load: ${summary.rps.toFixed(0)} req/s, ` +
        `${summary.totalMs.toFixed(0)} ms of CPU samples in the ${summary.windowMs.toFixed(0)} ms measured window (self time)`,
      "Database sessions (pg_stat_activity, share of samples):",
      ...summary.dbActivity.map((a) => `    ${a.share.toFixed(1).padStart(5)} %  ${a.name}`),
      "By area:",
      ...summary.byArea.map((a) => `    ${a.share.toFixed(1).padStart(5)} %  ${a.name}`),
      "Top functions:",
      ...summary.byFunction.map((f) => `    ${f.share.toFixed(1).padStart(5)} %  ${f.name}`),
    );
  }
  return out.join("\n");
}
