/**
 * THE reference for "complete checkout": Glade's durable confirm protocol, done by a bare node:http server
 * with the least code that keeps it. Three autocommit statements, three commits, as Glade's confirm:
 *   1. the claim: the session open → pending (attempt + 1) with the buyer's details, returning the row with
 *      its price and product (and the known buyer, as Glade's claim reads them), committed before any charge;
 *   2. the processor's own record: the sandbox's card token and intent, the rows src/payments/sandbox.ts
 *      writes, committed on their own as a real processor's would be;
 *   3. the settlement: pending → succeeded only if the session is exactly as the claim left it (same attempt
 *      and updated_at), with every record Glade's fulfilment writes: customer, payment method, purchase,
 *      invoice and line, payment, six events (payloads copied from real Glade events, so of the real sizes)
 *      and their webhook deliveries.
 * A crash between any two commits leaves a state the reconciler can settle: that is why the protocol stays
 * and why Glade is read against this, not against one transaction or one statement.
 *
 * Rows match Glade's column for column, except the invoice number base: 16 hex characters instead of
 * Glade's 8, because this harness has no fallback when the unique index refuses a repeated base (Glade
 * settles under the row lock then), and 32 random bits repeat within a long run's tens of thousands of guests.
 * Sessions are the bench's guests: a known customer's invoice numbering is not done here.
 */
import { randomUUID } from "node:crypto";
import { barePool, serveConfirm } from "./common.js";

const sql = barePool();

// One event of each type a paid one-time checkout emits, in the order Glade writes them (the scenario
// completes a session through Glade first).
const templates: { type: string; object_type: string; payload: { data: object } }[] = await sql`
  select type, object_type, payload from (
    select distinct on (type) type, object_type, payload, position from events order by type, position desc
  ) latest order by position`;
if (templates.length < 6)
  throw new Error(`need a completed Glade checkout's events, found ${templates.length}`);

// Glade's ids are a prefix and 22 random characters; these are as long, so rows and indexes are as large.
const token = (length = 22) => randomUUID().replaceAll("-", "").slice(0, length);
/** 43 random characters, as long as Glade's invoice document token. */
const documentToken = () => `${token(32)}${token(11)}`;

const CLAIM = `
with claimed as (
  update checkout_sessions set updated_at = $2, status = 'pending',
    customer_email = case when customer_id is null then $3 else customer_email end,
    customer_name = case when customer_id is null then $4 else customer_name end,
    billing_address = $5::jsonb, payment_method_type = 'card', processor_intent_id = null,
    attempt = attempt + 1, last_error = null
  where id = $1 and status = 'open' and expires_at > $2
  returning *
)
select c.*, p.type as price_type, p.product_id, pr.name as product_name,
  cu.invoice_count as buyer_invoice_count, cu.invoice_number_base as buyer_invoice_number_base,
  exists (select 1 from payment_methods m where m.customer_id = c.customer_id and m.is_default
    and m.organization_id = c.organization_id and m.livemode = c.livemode) as buyer_has_default_card
from claimed c
left join prices p on p.id = c.price_id and p.organization_id = c.organization_id and p.livemode = c.livemode
left join products pr on pr.id = p.product_id and pr.organization_id = p.organization_id and pr.livemode = p.livemode
left join customers cu on cu.id = c.customer_id and cu.organization_id = c.organization_id and cu.livemode = c.livemode`;

// The intent is keyed by session and attempt, so a retried call finds the first one instead of charging again.
const PROCESSOR = `
with method as (
  insert into sandbox_payment_methods (id, livemode, brand, last4, exp_month, exp_year, behavior, created_at)
  values ($1, $2, 'visa', $3, $4, $5, 'ok', $6) returning id
)
insert into sandbox_intents (id, kind, livemode, idempotency_key, amount, currency, status, payment_method_id,
  metadata, created_at, updated_at)
values ($7, 'payment', $2, $8, $9, $10, 'succeeded', $1, $11::jsonb, $6, $6)
on conflict do nothing returning id`;

const SETTLE = `
with s as (
  update checkout_sessions set status = 'succeeded', last_error = null, processor_intent_id = $2,
    customer_id = $3, customer_email = $4, customer_name = $5, purchase_id = $6, subscription_id = null,
    invoice_id = $7, payment_id = $8, payment_method_id = $9, completed_at = $10, updated_at = $10
  where id = $1 and status = 'pending' and attempt = $11 and updated_at = $12
  returning id, organization_id, livemode, pricing_model_id, price_id, unit_amount, currency, quantity,
    billing_address, output_metadata
), c as (
  insert into customers (id, organization_id, livemode, created_at, updated_at, pricing_model_id, external_id,
    email, name, invoice_number_base, invoice_count)
  select $3, s.organization_id, s.livemode, $10, $10, s.pricing_model_id, $13, $4, $5, $14, 1 from s
), pm as (
  insert into payment_methods (id, organization_id, livemode, created_at, updated_at, pricing_model_id,
    customer_id, type, brand, last4, exp_month, exp_year, billing_details, is_default, processor,
    processor_method_id)
  select $9, s.organization_id, s.livemode, $10, $10, s.pricing_model_id, $3, 'card', 'visa', $15, $16, $17,
    s.billing_address, true, 'sandbox', $18 from s
), pu as (
  insert into purchases (id, organization_id, livemode, created_at, updated_at, pricing_model_id, customer_id,
    price_id, product_id, price_type, name, quantity, status, currency, first_invoice_value,
    total_purchase_value, metadata, purchase_date, checkout_session_id)
  select $6, s.organization_id, s.livemode, $10, $10, s.pricing_model_id, $3, s.price_id, $19, $20, $21,
    s.quantity, 'paid', s.currency, s.unit_amount * s.quantity, s.unit_amount * s.quantity, s.output_metadata,
    $10, s.id from s
), inv as (
  insert into invoices (id, organization_id, livemode, created_at, updated_at, pricing_model_id, customer_id,
    type, status, invoice_number, currency, subtotal, total, amount_paid, purchase_id, checkout_session_id,
    invoice_date, paid_at, document_token)
  select $7, s.organization_id, s.livemode, $10, $10, s.pricing_model_id, $3, 'purchase', 'paid', $14 || '-0001',
    s.currency, s.unit_amount * s.quantity, s.unit_amount * s.quantity, s.unit_amount * s.quantity, $6, s.id,
    $10, $10, $24 from s
), li as (
  insert into invoice_line_items (id, organization_id, livemode, created_at, updated_at, invoice_id,
    pricing_model_id, price_id, description, quantity, unit_price, amount)
  select $22, s.organization_id, s.livemode, $10, $10, $7, s.pricing_model_id, s.price_id, $21, s.quantity,
    s.unit_amount,
    s.unit_amount * s.quantity from s
), pay as (
  insert into payments (id, organization_id, livemode, created_at, updated_at, pricing_model_id, customer_id,
    invoice_id, purchase_id, checkout_session_id, description, payment_method_id, amount, currency, status,
    refunded_amount, processor, processor_intent_id, charge_date)
  select $8, s.organization_id, s.livemode, $10, $10, s.pricing_model_id, $3, $7, $6, s.id,
    case when s.quantity > 1 then $21 || ' × ' || s.quantity else $21 end, $9,
    s.unit_amount * s.quantity, s.currency, 'succeeded', 0, 'sandbox', $2, $10 from s
), event as (
  insert into events (id, organization_id, livemode, type, object_type, object_id, payload, created_at)
  select u.id, s.organization_id, s.livemode, u.type, u.object_type, u.object_id, u.payload, $10
  from s, rows from (jsonb_to_recordset($23::jsonb) as (id text, type text, object_type text, object_id text,
    payload jsonb)) with ordinality as u(id, type, object_type, object_id, payload, n)
  order by u.n
  returning id, organization_id, livemode, type, created_at
), delivery as (
  insert into webhook_deliveries (id, organization_id, livemode, event_id, endpoint_id, status, next_attempt_at)
  select 'whdel_' || md5(event.id || e.id), e.organization_id, e.livemode, event.id, e.id, 'pending',
    event.created_at
  from event join webhook_endpoints e
    on e.organization_id = event.organization_id and e.livemode = event.livemode and e.active
    and (e.event_types is null or event.type = any(e.event_types))
)
select count(*) as done from s`;

serveConfirm(async (id, form) => {
  const email = form.get("email") ?? "";
  const name = form.get("name") ?? "";
  const billing = { name, email, address: { country: form.get("country") ?? "" } };
  const claimedAt = new Date().toISOString();
  const [session] = await sql.unsafe(CLAIM, [id, claimedAt, email, name, billing as never], {
    prepare: true,
  });
  if (!session) return false;
  if (session.customer_id !== null) throw new Error(`session ${id} has a known customer: not a bench guest`);

  const [month = "", year = ""] = (form.get("cardExpiry") ?? "").split("/");
  const card = {
    last4: (form.get("cardNumber") ?? "").slice(-4),
    expMonth: Number(month),
    expYear: 2000 + Number(year),
  };
  const amount = session.unit_amount * session.quantity;
  const method = `sbx_pm_${token()}`;
  const intent = `sbx_intent_${token()}`;
  const charged = await sql.unsafe(
    PROCESSOR,
    [
      method,
      session.livemode,
      card.last4,
      card.expMonth,
      card.expYear,
      new Date().toISOString(),
      intent,
      `${id}:${session.attempt}`,
      amount,
      session.currency,
      { checkoutSessionId: id, attempt: String(session.attempt) } as never,
    ],
    { prepare: true },
  );
  if (charged.length !== 1) throw new Error(`intent for ${id}:${session.attempt} already recorded`);

  const now = new Date();
  const ids = {
    customer: `cus_${token()}`,
    purchase: `prch_${token()}`,
    invoice: `inv_${token()}`,
    payment: `pymt_${token()}`,
    method: `pm_${token()}`,
    line: `invli_${token()}`,
  };
  const objectIds: Record<string, string> = {
    customer: ids.customer,
    payment_method: ids.method,
    purchase: ids.purchase,
    invoice: ids.invoice,
    payment: ids.payment,
    checkout_session: id,
  };
  // Real events' payloads, given this checkout's ids and serialized per request as Glade serializes its own.
  const events = templates.map((t) => {
    const eventId = `evt_${token()}`;
    const objectId = objectIds[t.object_type] ?? id;
    return {
      id: eventId,
      type: t.type,
      object_type: t.object_type,
      object_id: objectId,
      payload: {
        ...t.payload,
        id: eventId,
        createdAt: now.getTime(),
        data: { ...t.payload.data, id: objectId },
      },
    };
  });
  const productName = session.product_name ?? "Purchase";
  const [row] = await sql.unsafe(
    SETTLE,
    [
      id,
      intent,
      ids.customer,
      email,
      name,
      ids.purchase,
      ids.invoice,
      ids.payment,
      ids.method,
      now.toISOString(),
      session.attempt,
      claimedAt,
      `guest_${token(20)}`,
      token(16).toUpperCase(),
      card.last4,
      card.expMonth,
      card.expYear,
      method,
      session.product_id,
      session.price_type,
      productName,
      ids.line,
      events as never,
      // The invoice's PDF address token, drawn as Glade draws it.
      documentToken(),
    ],
    { prepare: true },
  );
  return Number(row?.done) === 1;
});
