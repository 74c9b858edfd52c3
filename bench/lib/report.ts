import type { DashboardResult } from "../scenarios/dashboard.js";
import type { PageWeight } from "../scenarios/page.js";
import { SCALE_TARGETS, type ScaleResult } from "../scenarios/scale.js";
import type { StartupResult } from "../scenarios/startup.js";
import type { UsageResults } from "../scenarios/usage.js";
import type { UsageBalanceResult } from "../scenarios/usage-balance.js";
import type { WebhookResult } from "../scenarios/webhooks.js";
import type { Comparison } from "./compare.js";
import type { BenchOptions } from "./options.js";

export type BenchResults = {
  create?: Comparison;
  complete?: Comparison;
  page?: Comparison & { weight: PageWeight };
  usage?: UsageResults;
  webhooks?: WebhookResult;
  usageBalance?: UsageBalanceResult;
  dashboard?: DashboardResult;
  startup?: StartupResult;
  scale?: ScaleResult;
};

/**
 * Issue #7's targets on this machine; complete's is issue #18's, against a bare server doing the same
 * durable protocol (bench/bare/complete-same-protocol.ts), no longer against a 4-statement transaction.
 */
export const TARGETS = {
  createRatio: 0.7,
  createP99Factor: 2,
  completeRatio: 0.7,
  pageGzipKb: 25,
  usageSingleRatio: 0.6,
  usageBulkEventsPerSecond: 50_000,
  usageBalanceP99Ms: 10,
  dashboardPageP95Ms: 50,
  firstStartSeconds: 10,
  startRssMb: 250,
};

function startupPasses(s: StartupResult): boolean {
  return (
    s.firstEmbedded.seconds <= TARGETS.firstStartSeconds &&
    [s.firstEmbedded, s.againEmbedded, s.postgres].every((x) => x.rssMb <= TARGETS.startRssMb)
  );
}

/** The dashboard page with the highest p95, and whether every page met the target. */
function slowestDashboardPage(d: DashboardResult) {
  const slowest = d.pages.reduce((a, b) => (b.p95 > a.p95 ? b : a));
  return { slowest, pass: slowest.p95 <= TARGETS.dashboardPageP95Ms };
}

/** Glade's events per second in a bulk comparison: requests per second × events per request. */
export const eventsPerSecond = (c: Comparison & { eventsPerRequest: number }) =>
  c.glade.rps * c.eventsPerRequest;

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(0)} %` : "–");
const num = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "–");
const ms = (x: number) => (Number.isFinite(x) ? `${Number.isInteger(x) ? x : x.toFixed(1)} ms` : "–");
const times = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "–");
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export function verdicts(results: BenchResults): { name: string; pass: boolean }[] {
  const out: { name: string; pass: boolean }[] = [];
  if (results.create) {
    const c = results.create;
    out.push({
      name: "create",
      pass: c.ratio >= TARGETS.createRatio && c.p99Ratio <= TARGETS.createP99Factor,
    });
  }
  if (results.complete) out.push({ name: "complete", pass: results.complete.ratio >= TARGETS.completeRatio });
  if (results.page) {
    out.push({ name: "page", pass: results.page.weight.totalGzipBytes <= TARGETS.pageGzipKb * 1024 });
  }
  if (results.usage) {
    out.push({ name: "usage single", pass: results.usage.single.ratio >= TARGETS.usageSingleRatio });
    out.push({
      name: "usage bulk",
      pass: eventsPerSecond(results.usage.bulk) >= TARGETS.usageBulkEventsPerSecond,
    });
  }
  if (results.usageBalance) {
    const u = results.usageBalance;
    out.push({ name: "usage-balance", pass: u.p99 <= TARGETS.usageBalanceP99Ms && !u.readsEvents });
  }
  if (results.dashboard) out.push({ name: "dashboard", pass: slowestDashboardPage(results.dashboard).pass });
  if (results.startup) out.push({ name: "startup", pass: startupPasses(results.startup) });
  if (results.scale) out.push({ name: "scale", pass: results.scale.missed.length === 0 });
  return out;
}

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function comparisonCells(c: Comparison): string[] {
  return [
    num(c.glade.rps),
    ms(c.glade.p50),
    ms(c.glade.p99),
    num(c.bare.rps),
    ms(c.bare.p50),
    ms(c.bare.p99),
    pct(c.ratio),
    times(c.p99Ratio),
  ];
}

/** The same Glade runs read against each reference, below the row they belong to; no verdict. */
function referenceRows(c: Comparison): string[] {
  return (c.references ?? []).map(({ label, summary: r }) =>
    row([
      `↳ the same Glade runs vs ${label}`,
      num(c.glade.rps),
      ms(c.glade.p50),
      ms(c.glade.p99),
      num(r.rps),
      ms(r.p50),
      ms(r.p99),
      pct(c.glade.rps / r.rps),
      times(c.glade.p99 / r.p99),
      "report only",
      "–",
    ]),
  );
}

/** The markdown table for the README, plus the method line that makes its numbers reproducible. */
export function markdownTable(results: BenchResults, options: BenchOptions): string {
  const lines = [
    row([
      "Benchmark",
      "Glade req/s",
      "Glade p50",
      "Glade p99",
      "Bare req/s",
      "Bare p50",
      "Bare p99",
      "Throughput ratio",
      "p99 ratio",
      "Target",
      "Result",
    ]),
    row(Array.from({ length: 11 }, () => "---")),
  ];
  const pass = (ok: boolean) => (ok ? "pass" : "**FAIL**");
  if (results.create) {
    const c = results.create;
    lines.push(
      row([
        "Create checkout session (`POST /api/v1/checkout-sessions`) vs node:http + 1 INSERT … RETURNING",
        ...comparisonCells(c),
        `≥ ${pct(TARGETS.createRatio)}, p99 ≤ ${TARGETS.createP99Factor}× bare`,
        pass(c.ratio >= TARGETS.createRatio && c.p99Ratio <= TARGETS.createP99Factor),
      ]),
      ...referenceRows(c),
    );
  }
  if (results.complete) {
    const c = results.complete;
    lines.push(
      row([
        "Complete checkout (`POST /checkout/{id}/confirm`, 303) vs node:http + the same durable protocol " +
          "(claim; the processor's own record; one guarded settling statement of Glade's rows: 3 commits)",
        ...comparisonCells(c),
        `≥ ${pct(TARGETS.completeRatio)}`,
        pass(c.ratio >= TARGETS.completeRatio),
      ]),
      ...referenceRows(c),
    );
  }
  if (results.page) {
    const p = results.page;
    const gzip = p.weight.totalGzipBytes;
    lines.push(
      row([
        `Hosted page (\`GET /checkout/{id}\`) vs node:http static HTML of the same size; transfer HTML+CSS+JS ${kb(gzip)} gzip (${kb(p.weight.totalBytes)} raw)`,
        ...comparisonCells(p),
        `transfer ≤ ${TARGETS.pageGzipKb} KB gzip`,
        pass(gzip <= TARGETS.pageGzipKb * 1024),
      ]),
    );
  }
  if (results.usage) {
    const u = results.usage;
    const events = eventsPerSecond(u.bulk);
    lines.push(
      row([
        "Usage event (`POST /api/v1/usage-events`: subscription, period and meter resolved, event and running " +
          "total in one statement) vs node:http + 1 INSERT … RETURNING of a usage-event row",
        ...comparisonCells(u.single),
        `≥ ${pct(TARGETS.usageSingleRatio)}`,
        pass(u.single.ratio >= TARGETS.usageSingleRatio),
      ]),
      row([
        `Usage events, bulk of ${u.bulk.eventsPerRequest} (\`POST /api/v1/usage-events/bulk\`): ` +
          `**${num(events)} events/s** vs node:http + 1 INSERT of ${u.bulk.eventsPerRequest} rows ` +
          `(${num(u.bulk.bare.rps * u.bulk.eventsPerRequest)} events/s); req/s below`,
        ...comparisonCells(u.bulk),
        `≥ ${num(TARGETS.usageBulkEventsPerSecond)} events/s`,
        pass(events >= TARGETS.usageBulkEventsPerSecond),
      ]),
      row([
        `↳ the same, every request spanning ${u.bulkMixed.eventsPerRequest} subscriptions (concurrent requests ` +
          `update the same running totals): **${num(eventsPerSecond(u.bulkMixed))} events/s** ` +
          `vs ${num(u.bulkMixed.bare.rps * u.bulkMixed.eventsPerRequest)}`,
        ...comparisonCells(u.bulkMixed),
        "report only",
        "–",
      ]),
    );
  }
  const w = results.webhooks;
  if (w?.available) {
    lines.push(
      row([
        "Webhook deliveries/s (worker draining a backlog to a loopback receiver; p50/p99 = commit → delivery) vs signed POSTs straight to the receiver",
        num(w.deliveriesPerSecond),
        ms(w.latencyP50),
        ms(w.latencyP99),
        num(w.bareRps),
        "–",
        "–",
        pct(w.ratio),
        "–",
        "report only",
        "–",
      ]),
    );
    const f = w.fairness;
    if (f) {
      const waited = Number.isFinite(f.firstAttemptSeconds)
        ? `${f.firstAttemptSeconds.toFixed(2)} s`
        : "none in 60 s";
      lines.push(
        row([
          `Webhook fairness: a healthy endpoint's first attempt behind another merchant's ${num(f.backlog)} due deliveries (503 after 2 s); claim statement median`,
          waited,
          ms(f.claimMs),
          ...Array.from({ length: 6 }, () => "–"),
          "report only",
          "target ≤ 5 s",
        ]),
      );
    }
  } else if (w) {
    lines.push(
      row(["Webhook deliveries/s", ...Array.from({ length: 8 }, () => "–"), "report only", w.reason]),
    );
  }
  const u = results.usageBalance;
  if (u) {
    lines.push(
      row([
        `Usage balance read (\`GET /customers/{externalId}/usage-balances\`, ${num(u.events)} events in the period, sequential requests) vs \`GET /customers/{externalId}\` (one statement) in the same rounds`,
        "–",
        ms(u.p50),
        ms(u.p99),
        "–",
        ms(u.referenceP50),
        ms(u.referenceP99),
        "–",
        times(u.p99 / u.referenceP99),
        `p99 ≤ ${TARGETS.usageBalanceP99Ms} ms, no usage_events scan`,
        pass(u.p99 <= TARGETS.usageBalanceP99Ms && !u.readsEvents),
      ]),
    );
  }
  const d = results.dashboard;
  if (d) {
    const { slowest, pass: ok } = slowestDashboardPage(d);
    lines.push(
      row([
        `Dashboard pages with ${num(d.customers)} customers and ${num(d.payments)} payments (${d.pages.length} pages, sequential requests; slowest by p95: \`${slowest.name}\`, p95 ${ms(slowest.p95)}) vs \`GET /customers/{externalId}\` (one statement) in the same run`,
        "–",
        ms(slowest.p50),
        ms(slowest.p99),
        "–",
        ms(d.reference.p50),
        ms(d.reference.p99),
        "–",
        times(slowest.p99 / d.reference.p99),
        `every page p95 ≤ ${TARGETS.dashboardPageP95Ms} ms`,
        pass(ok),
      ]),
    );
  }
  const st = results.startup;
  if (st) {
    const mb = (x: number) => `${Math.round(x)} MB`;
    lines.push(
      row([
        `\`npm start\` to ready (demo checkout printed), median of 3: first start on a fresh embedded database ${st.firstEmbedded.seconds.toFixed(1)} s, RSS ${mb(st.firstEmbedded.rssMb)} (peak ${mb(st.firstEmbedded.peakMb)}); later start ${st.againEmbedded.seconds.toFixed(1)} s, ${mb(st.againEmbedded.rssMb)}; on Postgres ${st.postgres.seconds.toFixed(1)} s, ${mb(st.postgres.rssMb)}`,
        ...Array.from({ length: 8 }, () => "–"),
        `first start ≤ ${TARGETS.firstStartSeconds} s, RSS ≤ ${TARGETS.startRssMb} MB`,
        pass(startupPasses(st)),
      ]),
    );
  }
  const sc = results.scale;
  if (sc) {
    const worst = (key: "p50Ratio" | "busyRatio") => sc.endpoints.reduce((a, b) => (b[key] > a[key] ? b : a));
    const p50 = worst("p50Ratio");
    const busy = worst("busyRatio");
    const job = sc.jobs.reduce((a, b) => (b.maxMs > a.maxMs ? b : a));
    lines.push(
      row([
        `Scale: a tenant of ${num(sc.size)} customers (and sessions, ${num(2 * sc.size)} events) beside one of 100, ` +
          `${sc.endpoints.length} endpoints, sequential requests (table below); worst p50 large ÷ small ` +
          `${times(p50.p50Ratio)} (\`${p50.name}\`), worst small p99 busy ÷ alone ${times(busy.busyRatio)} ` +
          `(\`${busy.name}\`), slowest job run ${ms(job.maxMs)} (${job.name}); Glade columns: the large tenant, ` +
          "bare columns: the small tenant alone, on the endpoint with the worst p50 ratio",
        "–",
        ms(p50.large.p50),
        ms(p50.large.p99),
        "–",
        ms(p50.smallSolo.p50),
        ms(p50.smallSolo.p99),
        "–",
        times(busy.busyRatio),
        `p50 ≤ ${SCALE_TARGETS.p50Factor}× small, busy p99 ≤ ${SCALE_TARGETS.busyP99Factor}× alone, ` +
          `job run ≤ ${SCALE_TARGETS.jobMs} ms`,
        pass(sc.missed.length === 0),
      ]),
    );
  }
  const cpuRows: [string, Comparison][] = [];
  if (results.create) cpuRows.push(["Create checkout session", results.create]);
  if (results.complete) cpuRows.push(["Complete checkout", results.complete]);
  if (results.page) cpuRows.push(["Hosted page", results.page]);
  if (results.usage) {
    cpuRows.push(["Usage event", results.usage.single]);
    cpuRows.push([
      `Usage events, bulk of ${results.usage.bulk.eventsPerRequest} (per request)`,
      results.usage.bulk,
    ]);
  }
  if (cpuRows.length > 0) {
    lines.push(
      "",
      row([
        "Server CPU per request (median)",
        "Glade",
        "Bare",
        "Glade ÷ bare",
        "Glade srv CPU",
        "Bare srv CPU",
        "Postgres CPU per request, Glade / bare",
        "Postgres + load generator CPU, Glade / bare",
      ]),
      row(Array.from({ length: 8 }, () => "---")),
      ...cpuRows.map(([name, c]) =>
        row([
          name,
          `${c.glade.cpuMsPerRequest.toFixed(2)} ms`,
          `${c.bare.cpuMsPerRequest.toFixed(3)} ms`,
          times(c.glade.cpuMsPerRequest / c.bare.cpuMsPerRequest),
          `${c.glade.serverCpu.toFixed(0)} % of a core`,
          `${c.bare.serverCpu.toFixed(0)} % of a core`,
          `${c.glade.dbCpuMsPerRequest.toFixed(2)} / ${c.bare.dbCpuMsPerRequest.toFixed(3)} ms`,
          `${c.glade.dbCpu.toFixed(0)} % + ${c.glade.loadCpu.toFixed(0)} % / ${c.bare.dbCpu.toFixed(0)} % + ${c.bare.loadCpu.toFixed(0)} %`,
        ]),
      ),
    );
  }
  for (const [name, c] of cpuRows) {
    for (const { label, summary: r } of c.references ?? []) {
      lines.push(
        "",
        `${name}, reference (${label}): ${num(r.rps)} req/s, p50 ${r.p50} ms, ` +
          `p99 ${r.p99} ms, ${r.cpuMsPerRequest.toFixed(3)} ms server CPU and ` +
          `${r.dbCpuMsPerRequest.toFixed(3)} ms Postgres CPU per request; ${pct(r.rps / c.bare.rps)} of bare; ` +
          `Glade = ${pct(c.glade.rps / r.rps)} of this reference.`,
      );
    }
  }
  for (const [name, c] of cpuRows) {
    for (const [side, summary] of [
      ["Glade", c.glade],
      ["bare", c.bare],
      ...(c.references ?? []).map((r) => [r.label, r.summary] as const),
    ] as const) {
      if (summary.unexpected + summary.errors > 0) {
        lines.push(
          "",
          `**${name}, ${side}: ${summary.unexpected} responses with another status and ${summary.errors} errors ` +
            "over the measured runs (see the raw JSON); only the expected status counts as throughput.**",
        );
      }
    }
  }
  lines.push(
    "",
    `Median of ${options.runs} runs; each run is a fresh server process, ${options.warmup} s warm-up, ` +
      `${options.duration} s measured with autocannon -c ${options.connections}, same flags for every side, ` +
      "same Postgres database, bare and reference runs interleaved with Glade runs. Ratio = Glade req/s ÷ bare req/s." +
      (options.gladeWorkers > 1
        ? ` Glade ran as ${options.gladeWorkers} HTTP worker processes (GLADE_HTTP_WORKERS), the bare ` +
          "harnesses as one process; server CPU is summed over Glade's processes."
        : ""),
  );
  if (sc) lines.push("", sc.table);
  return lines.join("\n");
}
