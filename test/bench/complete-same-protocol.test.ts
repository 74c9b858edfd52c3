import { afterAll, describe, expect, it } from "vitest";
import { startBare } from "../../bench/lib/child.js";
import { type BenchDatabase, createBenchDatabase, createOneSession } from "../../bench/lib/database.js";
import { CONFIRM_FORM } from "../../bench/scenarios/complete.js";
import { confirmCheckout } from "../../src/checkout/confirm.js";
import { createWebhookEndpoint } from "../../src/webhooks/index.js";

/**
 * The complete benchmark's ratio is only meaningful while its reference writes what Glade writes: a column
 * added to one of Glade's records, or a record added to a confirm, must show up here, not as a better ratio.
 */
const db: BenchDatabase = await createBenchDatabase(
  process.env.GLADE_TEST_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
);
afterAll(() => db.drop());
// With an endpoint subscribed, each event's delivery row is written too (the benchmark's database has none).
await createWebhookEndpoint(
  db.deps.db,
  db.merchant,
  { url: "https://shop.example.com/hooks" },
  new Date(),
  db.deps.config,
);

const BUYER = { email: "buyer@example.com", name: "Bench Buyer", country: "US" };
const CARD = { number: "4242424242424242", expMonth: 12, expYear: 34, cvc: "123" };

type Row = Record<string, unknown>;

/** Everything one confirm wrote, table by table, in the order it was written. */
async function writtenBy(sessionId: string): Promise<Record<string, Row[]>> {
  const rows = async (query: string, params: unknown[]) =>
    (await db.sql.unsafe(query, params as never[])).map((r) => r.row as Row);
  const [session] = await rows("select to_jsonb(t) as row from checkout_sessions t where id = $1", [
    sessionId,
  ]);
  if (!session) throw new Error(`no session ${sessionId}`);
  const byId = (table: string, id: unknown) =>
    rows(`select to_jsonb(t) as row from ${table} t where id = $1`, [id]);
  const ids = [session.customer_id, session.payment_method_id, session.purchase_id, session.invoice_id];
  return {
    checkout_sessions: [session],
    sandbox_intents: await byId("sandbox_intents", session.processor_intent_id),
    sandbox_payment_methods: await rows(
      `select to_jsonb(m) as row from sandbox_payment_methods m
       join sandbox_intents i on i.payment_method_id = m.id where i.id = $1`,
      [session.processor_intent_id],
    ),
    customers: await byId("customers", session.customer_id),
    payment_methods: await byId("payment_methods", session.payment_method_id),
    purchases: await byId("purchases", session.purchase_id),
    invoices: await byId("invoices", session.invoice_id),
    invoice_line_items: await rows(
      "select to_jsonb(t) as row from invoice_line_items t where invoice_id = $1",
      [session.invoice_id],
    ),
    payments: await byId("payments", session.payment_id),
    events: await rows(
      "select to_jsonb(t) as row from events t where object_id = any($1) order by position",
      [[sessionId, session.payment_id, ...ids]],
    ),
    webhook_deliveries: await rows(
      `select to_jsonb(d) as row from webhook_deliveries d join events e on e.id = d.event_id
       where e.object_id = any($1) order by e.position`,
      [[sessionId, session.payment_id, ...ids]],
    ),
  };
}

const ID = /^([a-z_]+?_)[0-9A-Za-z]{20,}$/;
const TIME = /^\d{4}-\d\d-\d\dT[\d:.]+\+00:00$/;
/** 8 hex characters in Glade, 16 in the harness: see bench/bare/complete-same-protocol.ts. */
const INVOICE_NUMBER = /^[0-9A-F]{8,16}(-\d{4})?$/;

/**
 * A row with what differs from one confirm to the next (ids, times, the invoice number's random base) reduced
 * to its kind, and the primary key's `position` dropped: what is left must be the same for Glade and the harness.
 */
function normalized(value: unknown, key = ""): unknown {
  if (typeof value === "string") {
    // Random by design; its shape must match.
    if (key === "document_token") return /^[0-9A-Za-z]{43}$/.test(value) ? "<token>" : value;
    if (TIME.test(value)) return "<time>";
    if (INVOICE_NUMBER.test(value)) return value.replace(/^[0-9A-F]+/, "<base>");
    // A ":attempt" suffix (the intent's idempotency key) stays.
    const [head = "", ...rest] = value.split(":");
    const id = ID.exec(head);
    if (id) return [`${id[1]}<id>`, ...rest].join(":");
    return value;
  }
  if (typeof value === "number" && /At$|^expires$/.test(key)) return "<ms>";
  if (Array.isArray(value)) return value.map((v) => normalized(v));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== "position")
        .map(([k, v]) => [k, normalized(v, k)]),
    );
  }
  return value;
}

async function post(url: string, sessionId: string): Promise<number> {
  const res = await fetch(`${url}/checkout/${sessionId}/confirm`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: CONFIRM_FORM,
    redirect: "manual",
  });
  await res.arrayBuffer();
  return res.status;
}

describe("bench/bare/complete-same-protocol.ts", () => {
  it("writes the rows a Glade confirm writes, and answers a second confirm of the same session with 409", async () => {
    // The harness copies its events from a Glade checkout's, as in the benchmark.
    const template = await confirmCheckout(db.deps, await createOneSession(db), { buyer: BUYER, card: CARD });
    expect(template.kind).toBe("succeeded");
    const viaGlade = await createOneSession(db);
    const glade = await confirmCheckout(db.deps, viaGlade, { buyer: BUYER, card: CARD });
    expect(glade.kind).toBe("succeeded");

    const viaBare = await createOneSession(db);
    const server = await startBare("complete-same-protocol", { DATABASE_URL: db.url });
    try {
      expect(await post(server.url, viaBare)).toBe(303);
      expect(await post(server.url, viaBare)).toBe(409);
    } finally {
      await server.stop();
    }

    const gladeRows = await writtenBy(viaGlade);
    const bareRows = await writtenBy(viaBare);
    expect(gladeRows.events).toHaveLength(6);
    expect(gladeRows.webhook_deliveries).toHaveLength(6);
    expect(normalized(bareRows)).toEqual(normalized(gladeRows));
  });
});
