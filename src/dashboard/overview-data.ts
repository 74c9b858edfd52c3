// What the overview page shows, read from the domains' aggregate services: no rows are loaded into Node.
import type { OverviewMetric, OverviewView } from "../../web/dashboard/overview-page.js";
import type { AppDeps, Merchant } from "../context/index.js";
import { countNewCustomers } from "../customers/index.js";
import { summarizePayments } from "../payments/index.js";
import { countActiveSubscriptions, monthlyRecurringRevenue } from "../subscriptions/index.js";

const DAY_MS = 24 * 60 * 60 * 1000;
export const OVERVIEW_DAYS = 30;

export type Bucket = { label: string; start: Date; end: Date };

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The last 30 UTC days up to `now` (today included, so far), as days or as ISO weeks starting on Monday (as
 * Postgres's date_trunc('week') does); each bucket's `end` is its close, or `now` for the one still running.
 */
export function overviewBuckets(now: Date, by: "day" | "week"): { since: Date; buckets: Bucket[] } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const since = new Date(today - (OVERVIEW_DAYS - 1) * DAY_MS);
  const step = by === "day" ? DAY_MS : 7 * DAY_MS;
  // getUTCDay: Sunday 0 … Saturday 6; a week's bucket starts on its Monday.
  const first = by === "day" ? since.getTime() : since.getTime() - ((since.getUTCDay() + 6) % 7) * DAY_MS;
  const buckets: Bucket[] = [];
  for (let start = first; start <= now.getTime(); start += step) {
    buckets.push({
      label: isoDay(new Date(start)),
      start: new Date(start),
      end: new Date(Math.min(start + step, now.getTime())),
    });
  }
  return { since, buckets };
}

/** Default currency first, the others alphabetically. */
function orderCurrencies(found: Iterable<string>, defaultCurrency: string): string[] {
  const others = [...new Set(found)].filter((c) => c !== defaultCurrency).sort();
  return [defaultCurrency, ...others];
}

export async function overviewView(
  deps: AppDeps,
  merchant: Merchant,
  defaultCurrency: string,
  by: "day" | "week",
): Promise<OverviewView> {
  const now = deps.now();
  const { since, buckets } = overviewBuckets(now, by);
  const window = { since, until: now, by };
  const at = buckets.map((b) => b.end);
  const [payments, customers, active, mrr] = await Promise.all([
    summarizePayments(deps.db, merchant, window),
    countNewCustomers(deps.db, merchant, window),
    countActiveSubscriptions(deps.db, merchant, at),
    monthlyRecurringRevenue(deps.db, merchant, at),
  ]);
  const slot = new Map(buckets.map((b, i) => [b.label, i]));
  const zeros = () => buckets.map(() => 0);
  const currencies = orderCurrencies(
    [
      ...payments.map((p) => p.currency),
      ...mrr.filter((m) => m.values.some((v) => v !== 0)).map((m) => m.currency),
    ],
    defaultCurrency,
  );
  const money = (pick: "gross" | "net") =>
    currencies.map((currency) => {
      const values = zeros();
      for (const p of payments) {
        const i = slot.get(p.bucket);
        if (p.currency === currency && i !== undefined) values[i] = (values[i] ?? 0) + p[pick];
      }
      return { currency, values };
    });
  const counted = (rows: { bucket: string; count: number }[]) => {
    const values = zeros();
    for (const r of rows) {
      const i = slot.get(r.bucket);
      if (i !== undefined) values[i] = (values[i] ?? 0) + r.count;
    }
    return values;
  };
  const mrrSeries = currencies.map((currency) => ({
    currency,
    values: mrr.find((m) => m.currency === currency)?.values ?? zeros(),
  }));
  const metrics: OverviewMetric[] = [
    { id: "gross", title: "Gross volume", kind: "flow", series: money("gross") },
    { id: "net", title: "Net volume after refunds", kind: "flow", series: money("net") },
    {
      id: "customers",
      title: "New customers",
      kind: "flow",
      series: [{ currency: null, values: counted(customers) }],
    },
    {
      id: "active",
      title: "Active subscriptions",
      kind: "stock",
      series: [{ currency: null, values: active }],
    },
    { id: "mrr", title: "Monthly recurring revenue", kind: "stock", series: mrrSeries },
    {
      id: "failed",
      title: "Failed payments",
      kind: "flow",
      series: [
        { currency: null, values: counted(payments.map((p) => ({ bucket: p.bucket, count: p.failed }))) },
      ],
    },
  ];
  return { by, since: isoDay(since), until: isoDay(now), labels: buckets.map((b) => b.label), metrics };
}
