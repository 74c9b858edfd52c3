import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { renewSubscription } from "../../src/subscriptions/index.js";
import {
  createCustomer,
  createPricingModel,
  createWebhook,
  ok,
  openSession,
  ownDatabase,
  payCheckout,
  testContext,
} from "../support/index.js";

/**
 * One clock: every row and event an operation writes carries `deps.now()`, never the machine's time. Each
 * operation runs with the clock fixed to its own instant, years away from the real one; whatever it wrote
 * (a diff of every table) must carry exactly that instant in created_at/updated_at, and no timestamp it set
 * may be the real time. A service that goes back to `new Date()` (or to a column's `default now()`) fails.
 */

// Sweeping every table needs a database no other test file writes to meanwhile.
let clock = new Date();
const ctx = await testContext({ now: () => clock }, { databaseUrl: await ownDatabase() });

/** The sandbox processor stands in for an external system, which keeps its own clock. */
const OWN_CLOCK_TABLES = new Set(["sandbox_intents", "sandbox_payment_methods"]);
const STAMPS = new Set(["created_at", "updated_at"]);
/**
 * Columns some statement moves without touching updated_at, because they are not a change to the row's
 * record: a customer's invoice counter is the numbering sequence (no `customer.updated` either).
 */
const SEQUENCES: Record<string, string[]> = { customers: ["invoice_count"] };
const REAL_TIME_SLACK_MS = 10 * 60_000;

type Row = Record<string, unknown>;
type Snapshot = Map<string, Map<string, Row>>;

async function rowsOf(query: string): Promise<Row[]> {
  const result = (await ctx.deps.db.execute(sql.raw(query))) as unknown as Row[] | { rows: Row[] };
  return Array.isArray(result) ? result : result.rows;
}

/** Each table's timestamp columns, from the catalog, so a table added later is swept too. */
async function timestampColumns(): Promise<Map<string, string[]>> {
  const rows = await rowsOf(`select table_name, column_name, data_type from information_schema.columns
    where table_schema = 'public' order by table_name, ordinal_position`);
  const tables = new Map<string, string[]>();
  for (const row of rows) {
    const table = String(row.table_name);
    if (OWN_CLOCK_TABLES.has(table)) continue;
    const columns = tables.get(table) ?? [];
    if (row.data_type === "timestamp with time zone") columns.push(String(row.column_name));
    tables.set(table, columns);
  }
  return tables;
}

async function snapshot(tables: Map<string, string[]>): Promise<Snapshot> {
  const all: Snapshot = new Map();
  for (const table of tables.keys()) {
    const rows = await rowsOf(`select to_jsonb(t) as row from "${table}" t`);
    const byKey = new Map<string, Row>();
    for (const { row } of rows as { row: Row }[]) byKey.set(String(row.id ?? JSON.stringify(row)), row);
    all.set(table, byKey);
  }
  return all;
}

type Written = { table: string; row: Row; columns: string[]; isNew: boolean };

/** Rows inserted, and rows updated with the columns whose value changed. */
function diff(before: Snapshot, after: Snapshot): Written[] {
  const written: Written[] = [];
  for (const [table, rows] of after) {
    const old = before.get(table) ?? new Map<string, Row>();
    for (const [key, row] of rows) {
      const previous = old.get(key);
      if (!previous) written.push({ table, row, columns: Object.keys(row), isNew: true });
      else {
        const columns = Object.keys(row).filter(
          (c) => JSON.stringify(row[c]) !== JSON.stringify(previous[c]),
        );
        if (columns.length > 0) written.push({ table, row, columns, isNew: false });
      }
    }
  }
  return written;
}

/** Every way a written row can disagree with the operation's instant, as readable lines. */
function offClock(written: Written[], tables: Map<string, string[]>, at: Date, realStart: number): string[] {
  const problems: string[] = [];
  const realEnd = Date.now() + REAL_TIME_SLACK_MS;
  for (const { table, row, columns, isNew } of written) {
    const where = `${table} ${String(row.id ?? "")}`;
    const stamps = (tables.get(table) ?? []).filter((c) => STAMPS.has(c));
    const onlySequence = !isNew && columns.every((c) => SEQUENCES[table]?.includes(c));
    for (const stamp of onlySequence ? [] : stamps) {
      if (!isNew && stamp === "created_at") continue;
      const value = row[stamp];
      if (typeof value !== "string" || new Date(value).getTime() !== at.getTime()) {
        problems.push(`${where}: ${stamp} is ${String(value)}, not ${at.toISOString()}`);
      }
    }
    for (const column of columns) {
      if (!(tables.get(table) ?? []).includes(column) || row[column] === null) continue;
      const ms = new Date(String(row[column])).getTime();
      if (ms !== at.getTime() && ms >= realStart - REAL_TIME_SLACK_MS && ms <= realEnd) {
        problems.push(`${where}: ${column} is the real time ${String(row[column])}`);
      }
    }
    const payload = row.payload as { createdAt?: unknown } | undefined;
    if (table === "events" && payload?.createdAt !== at.getTime()) {
      problems.push(`${where}: payload.createdAt is ${String(payload?.createdAt)}, not ${at.getTime()}`);
    }
  }
  return problems;
}

/**
 * Runs `operation` with the clock fixed at `at` and checks what it wrote. Returns the tables it touched, so
 * each case also proves its operation did write what it is about (a no-op would check nothing).
 */
async function atInstant(at: Date, operation: () => Promise<unknown>): Promise<Set<string>> {
  const tables = await timestampColumns();
  const realStart = Date.now();
  const before = await snapshot(tables);
  clock = at;
  try {
    await operation();
  } finally {
    clock = new Date();
  }
  const written = diff(before, await snapshot(tables));
  expect(offClock(written, tables, at, realStart)).toEqual([]);
  return new Set(written.map((w) => w.table));
}

const T0 = new Date("2031-01-02T03:04:05.678Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);

describe("one clock", () => {
  it("stamps every row and event of an operation with deps.now(), never the real time", async () => {
    const m = await ctx.merchant("Clockwork");
    const key = m.testKey;
    const pm = await createPricingModel(ctx, m, { name: "Main", isDefault: true });
    // Deliveries are written with each event: they must be due at the event's instant.
    await createWebhook(ctx, key, { url: "https://merchant.example/hooks" });

    let productId = "";
    const product = await atInstant(minutes(0), async () => {
      const body = {
        product: { name: "Clock", pricingModelId: pm.id },
        price: { type: "single_payment", unitPrice: 1500, currency: "USD" },
      };
      productId = (await ok(ctx.api("POST", "/api/v1/products", { key, body }), "product")).product.id;
    });
    expect(product).toEqual(new Set(["products", "prices"]));

    let monthlyPriceId = "";
    // As the new default it also takes the flag off the product's first price: an update at the same instant.
    const price = await atInstant(minutes(1), async () => {
      const body = {
        price: {
          productId,
          type: "subscription",
          unitPrice: 900,
          currency: "USD",
          intervalUnit: "month",
          intervalCount: 1,
          isDefault: true,
        },
      };
      monthlyPriceId = (await ok(ctx.api("POST", "/api/v1/prices", { key, body }), "price")).price.id;
    });
    expect(price).toEqual(new Set(["prices"]));

    const customer = await atInstant(minutes(2), () => createCustomer(ctx, key, "timekeeper"));
    expect(customer).toEqual(new Set(["customers", "events", "webhook_deliveries"]));

    const updated = await atInstant(minutes(3), () =>
      ok(ctx.api("PUT", "/api/v1/customers/timekeeper", { key, body: { customer: { name: "Renamed" } } })),
    );
    expect(updated).toEqual(new Set(["customers", "events", "webhook_deliveries"]));

    let sessionId = "";
    await atInstant(minutes(4), async () => {
      sessionId = (
        await openSession(ctx, key, {
          type: "product",
          customerExternalId: "timekeeper",
          priceId: monthlyPriceId,
        })
      ).checkoutSession.id;
    });
    const confirmed = await atInstant(minutes(5), () => payCheckout(ctx, sessionId));
    for (const table of [
      "subscriptions",
      "billing_periods",
      "invoices",
      "payments",
      "payment_methods",
      "events",
    ]) {
      expect(confirmed).toContain(table);
    }

    const [subscription] = (await ok(ctx.api("GET", "/api/v1/subscriptions", { key }))).data as {
      id: string;
    }[];
    if (!subscription) throw new Error("the checkout made no subscription");
    const merchant = { organizationId: m.organizationId, livemode: false, apiKeyId: "clock-test" };
    // The first period ends a month after the checkout: forty days on, it is due.
    const renewed = await atInstant(days(40), async () => {
      expect(await renewSubscription(ctx.deps, merchant, subscription.id)).not.toBeNull();
    });
    for (const table of ["subscriptions", "billing_periods", "invoices", "invoice_line_items", "payments"]) {
      expect(renewed).toContain(table);
    }

    const canceled = await atInstant(days(41), () =>
      ok(
        ctx.api("POST", `/api/v1/subscriptions/${subscription.id}/cancel`, {
          key,
          body: { cancellation: { timing: "immediately" } },
        }),
      ),
    );
    for (const table of ["subscriptions", "subscription_items", "billing_periods", "events"]) {
      expect(canceled).toContain(table);
    }
  });
});
