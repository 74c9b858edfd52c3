/**
 * Bare baseline for "usage event ingest": node:http parses the same JSON body Glade gets and runs one
 * INSERT … RETURNING of a usage-event row (Glade's columns and indexes) per request; the bulk path inserts a
 * request's events in one statement. No lookups, no validation, no running totals: the columns Glade
 * resolves from the subscription and the meter are constants here.
 */
import { randomUUID } from "node:crypto";
import { barePool, readBody, serve } from "./common.js";

const sql = barePool();
const env = (name: string) => process.env[name] ?? name;
const ORG_ID = env("BARE_ORG_ID");
const PRICING_MODEL_ID = env("BARE_PRICING_MODEL_ID");
const CUSTOMER_ID = env("BARE_CUSTOMER_ID");
const PRICE_ID = env("BARE_PRICE_ID");
const BILLING_PERIOD_ID = env("BARE_BILLING_PERIOD_ID");

type Event = { amount: number; subscriptionId: string; transactionId: string; usageMeterId: string };

serve(async (req, res) => {
  if (req.method !== "POST") {
    res.writeHead(404).end();
    return;
  }
  const body = JSON.parse(await readBody(req)) as { usageEvent?: Event; usageEvents?: Event[] };
  if (req.url === "/usage-events" && body.usageEvent) {
    const e = body.usageEvent;
    const [row] = await sql`
      insert into bare_usage_events (id, organization_id, livemode, created_at, updated_at, pricing_model_id,
        customer_id, subscription_id, usage_meter_id, price_id, billing_period_id, amount, usage_date,
        transaction_id, properties)
      values (${`usage_event_${randomUUID()}`}, ${ORG_ID}, false, now(), now(), ${PRICING_MODEL_ID},
        ${CUSTOMER_ID}, ${e.subscriptionId}, ${e.usageMeterId}, ${PRICE_ID}, ${BILLING_PERIOD_ID}, ${e.amount},
        now(), ${e.transactionId}, null)
      returning *`;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ usageEvent: row }));
    return;
  }
  if (req.url === "/usage-events/bulk" && body.usageEvents) {
    const rows = body.usageEvents.map((e) => ({
      id: `usage_event_${randomUUID()}`,
      subscription_id: e.subscriptionId,
      usage_meter_id: e.usageMeterId,
      amount: e.amount,
      transaction_id: e.transactionId,
    }));
    const inserted = await sql`
      insert into bare_usage_events (id, organization_id, livemode, created_at, updated_at, pricing_model_id,
        customer_id, subscription_id, usage_meter_id, price_id, billing_period_id, amount, usage_date,
        transaction_id, properties)
      select r.id, ${ORG_ID}, false, now(), now(), ${PRICING_MODEL_ID}, ${CUSTOMER_ID}, r.subscription_id,
        r.usage_meter_id, ${PRICE_ID}, ${BILLING_PERIOD_ID}, r.amount, now(), r.transaction_id, null
      from json_to_recordset(${sql.json(rows)}::json) as r(id text, subscription_id text,
        usage_meter_id text, amount bigint, transaction_id text)
      returning *`;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ usageEvents: inserted }));
    return;
  }
  res.writeHead(404).end();
});
