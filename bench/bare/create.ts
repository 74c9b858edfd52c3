/**
 * Bare baseline for "create checkout session": node:http parses the same JSON
 * body Glade gets, computes the amounts, and runs one INSERT … RETURNING into a 12-column table.
 */
import { randomUUID } from "node:crypto";
import { barePool, readBody, serve } from "./common.js";

const sql = barePool();
const ORG_ID = process.env.BARE_ORG_ID ?? "org_bare";
const UNIT_PRICE = 19900;
const DAY_MS = 24 * 60 * 60 * 1000;

type Body = { checkoutSession?: { priceId?: string; quantity?: number; successUrl?: string } };

serve(async (req, res) => {
  if (req.method !== "POST") {
    res.writeHead(404).end();
    return;
  }
  const body = JSON.parse(await readBody(req)) as Body;
  const input = body.checkoutSession ?? {};
  const quantity = input.quantity ?? 1;
  const subtotal = UNIT_PRICE * quantity;
  const [row] = await sql`
    insert into bare_checkouts (id, org_id, status, amount_subtotal, amount_tax, amount_total, currency,
      customer_email, metadata, created_at, updated_at, expires_at)
    values (${`cs_${randomUUID()}`}, ${ORG_ID}, 'open', ${subtotal}, 0, ${subtotal}, 'USD', null,
      ${sql.json({ priceId: input.priceId ?? null, quantity, successUrl: input.successUrl ?? null })},
      now(), now(), ${new Date(Date.now() + DAY_MS)})
    returning id, status, amount_total, created_at`;
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ checkoutSession: row }));
});
