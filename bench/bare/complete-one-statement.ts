/**
 * Reference for "complete checkout": the rows a Glade confirm writes, to Glade's own tables, as ONE
 * data-modifying statement from a bare node:http server. The session goes to succeeded with the buyer's
 * details; the sandbox's card and intent, a customer, a payment method, a purchase, an invoice with its
 * line, a payment and six events (payloads copied from real Glade events, so of the real sizes) are
 * inserted; one commit. It skips what Glade does for crash safety and the domain split (the attempt
 * committed before the processor is called, the processor's write committed on its own, the row lock, a
 * statement per domain), so it is what the records themselves cost, not a design Glade could copy as it
 * stands.
 */
import { randomUUID } from "node:crypto";
import { barePool, serveConfirm } from "./common.js";

const sql = barePool();
// One event of each type a paid one-time checkout emits (the scenario completes a session first).
const templates: { type: string; object_type: string; payload: Record<string, unknown> }[] = await sql`
  select distinct on (type) type, object_type, payload from events order by type, created_at desc`;
if (templates.length < 6)
  throw new Error(`need a completed Glade checkout's events, found ${templates.length}`);
const uid = () => randomUUID().replaceAll("-", "");

const STATEMENT = `
with s as (
  update checkout_sessions set status = 'succeeded', customer_email = $2, customer_name = $3,
    billing_address = $4::jsonb, attempt = attempt + 1, payment_method_type = 'card', processor_intent_id = $5,
    customer_id = $6, purchase_id = $7, invoice_id = $8, payment_id = $9, payment_method_id = $10,
    completed_at = now(), updated_at = now()
  where id = $1 and status = 'open' and expires_at > now()
  returning organization_id, livemode, pricing_model_id, price_id, unit_amount, currency, quantity
), spm as (
  insert into sandbox_payment_methods (id, livemode, brand, last4, exp_month, exp_year, behavior)
  select $11, s.livemode, 'visa', '4242', 12, 2034, 'succeed' from s returning id
), si as (
  insert into sandbox_intents (id, kind, livemode, idempotency_key, amount, currency, status, payment_method_id, metadata)
  select $5, 'payment', s.livemode, $1 || ':1', s.unit_amount * s.quantity, s.currency, 'succeeded', $11, jsonb_build_object('checkoutSessionId', $1::text, 'attempt', '1') from s returning id
), c as (
  insert into customers (id, organization_id, livemode, pricing_model_id, external_id, email, name, invoice_count, invoice_number_base)
  select $6, s.organization_id, s.livemode, s.pricing_model_id, $12, $2, $3, 1, upper(substr($6, 5, 16)) from s returning id
), pm as (
  insert into payment_methods (id, organization_id, livemode, pricing_model_id, customer_id, brand, last4, exp_month, exp_year, billing_details, is_default, processor, processor_method_id)
  select $10, s.organization_id, s.livemode, s.pricing_model_id, $6, 'visa', '4242', 12, 2034, $4::jsonb, true, 'sandbox', $11 from s returning id
), pu as (
  insert into purchases (id, organization_id, livemode, pricing_model_id, customer_id, price_id, price_type, name, quantity, status, currency, first_invoice_value, total_purchase_value, purchase_date, checkout_session_id)
  select $7, s.organization_id, s.livemode, s.pricing_model_id, $6, s.price_id, 'single_payment', 'Bench item', s.quantity, 'paid', s.currency, s.unit_amount * s.quantity, s.unit_amount * s.quantity, now(), $1 from s returning id
), inv as (
  insert into invoices (id, organization_id, livemode, pricing_model_id, customer_id, type, status, invoice_number, currency, subtotal, total, amount_paid, purchase_id, checkout_session_id, invoice_date, paid_at)
  select $8, s.organization_id, s.livemode, s.pricing_model_id, $6, 'purchase', 'paid', upper(substr($6, 5, 16)) || '-0001', s.currency, s.unit_amount * s.quantity, s.unit_amount * s.quantity, s.unit_amount * s.quantity, $7, $1, now(), now() from s returning id
), li as (
  insert into invoice_line_items (id, organization_id, livemode, invoice_id, price_id, description, quantity, unit_price, amount)
  select $13, s.organization_id, s.livemode, $8, s.price_id, 'Bench item', s.quantity, s.unit_amount, s.unit_amount * s.quantity from s returning id
), pay as (
  insert into payments (id, organization_id, livemode, pricing_model_id, customer_id, invoice_id, purchase_id, checkout_session_id, payment_method_id, amount, currency, status, processor, processor_intent_id, charge_date)
  select $9, s.organization_id, s.livemode, s.pricing_model_id, $6, $8, $7, $1, $10, s.unit_amount * s.quantity, s.currency, 'succeeded', 'sandbox', $5, now() from s returning id
), ev as (
  insert into events (id, organization_id, livemode, type, object_type, object_id, payload)
  select u.id, s.organization_id, s.livemode, u.type, u.object_type, u.object_id, u.payload
  from s, rows from (jsonb_to_recordset($14::jsonb) as (id text, type text, object_type text, object_id text, payload jsonb))
    with ordinality as u(id, type, object_type, object_id, payload, n)
  order by u.n returning id
)
select (select count(*) from s) as done`;

serveConfirm(async (id, form) => {
  const email = form.get("email") ?? "";
  const name = form.get("name") ?? "";
  const ids = {
    intent: `pi_${uid()}`,
    customer: `cus_${uid()}`,
    purchase: `pur_${uid()}`,
    invoice: `inv_${uid()}`,
    payment: `pay_${uid()}`,
    method: `pm_${uid()}`,
    sandboxMethod: `spm_${uid()}`,
    line: `il_${uid()}`,
  };
  // Real events' payloads, serialized per request as Glade serializes its own.
  const events = templates.map((t) => ({
    id: `evt_${uid()}`,
    type: t.type,
    object_type: t.object_type,
    object_id: ids.customer,
    payload: { ...t.payload, id: ids.customer },
  }));
  const billing = { name, email, address: { country: form.get("country") ?? "" } } as never;
  const [row] = await sql.unsafe(
    STATEMENT,
    [
      id,
      email,
      name,
      billing,
      ids.intent,
      ids.customer,
      ids.purchase,
      ids.invoice,
      ids.payment,
      ids.method,
      ids.sandboxMethod,
      `guest_${uid()}`,
      ids.line,
      events as never,
    ],
    { prepare: true },
  );
  return Number(row?.done) === 1;
});
