/**
 * A tenant of any size in seconds: one row of each kind is made by Glade's own services (a customer, a paid
 * checkout with its purchase, invoice and payment, a subscription with its item and period, an open session,
 * a webhook endpoint and the events and deliveries all that emitted), then each is copied in SQL with
 * generate_series (INSERT … SELECT), only the columns that must differ changed: ids, external ids, emails,
 * invoice numbers, token hashes, the links between the copies, creation times. Every copy is therefore a row
 * the app wrote, in every column it keeps, and `position` (an identity) follows the copy number.
 */
import { confirmCheckout } from "../../src/checkout/confirm.js";
import { createCheckoutSession } from "../../src/checkout/index.js";
import type { AppDeps } from "../../src/context/index.js";
import { createCustomer } from "../../src/customers/index.js";
import { createSubscription } from "../../src/subscriptions/index.js";
import { createWebhookEndpoint } from "../../src/webhooks/index.js";
import type { BenchTenant, Sql } from "./database.js";

/** How many rows of each kind a tenant of `size` gets: the issue's 1M customers, 1M sessions, 2M events. */
export function tenantCounts(size: number) {
  const tenth = Math.max(1, Math.floor(size / 10));
  return {
    customers: size,
    /** Sessions in all: `paid` succeeded ones, 1 % (at least one) still open, the rest expired. */
    sessions: size,
    events: 2 * size,
    /** Paid checkouts, each with its purchase, invoice, invoice line and payment. */
    paid: tenth,
    /** Active monthly subscriptions, each with its item and current billing period, none due. */
    subscriptions: tenth,
    /** Delivered webhook deliveries (each with one attempt) to the tenant's one endpoint. */
    deliveries: tenth,
    /** Billing portal sign-in links and sessions each, none expired. */
    portal: Math.max(1, Math.floor(size / 100)),
  };
}

export type TenantCounts = ReturnType<typeof tenantCounts>;

export type SeededTenant = {
  tag: string;
  counts: TenantCounts;
  /** An open session of the tenant's (the hosted page's target). */
  openSessionId: string;
  endpointId: string;
  /** A customer with a paid checkout and a subscription (`GET /customers/{externalId}/billing`). */
  billingExternalId: string;
  /** `position` of the customer 90 % of the way down the list: the deep page's cursor. */
  deepCustomerPosition: number;
};

const BUYER = { email: "template@bench.example", name: "Template Buyer", country: "US" };
const CARD = { number: "4242424242424242", expMonth: 12, expYear: 34, cvc: "123" };
const URLS = {
  successUrl: "https://shop.example.com/thanks?session={CHECKOUT_SESSION_ID}",
  cancelUrl: "https://shop.example.com/cart",
};

/** Copy g of `count`'s creation time: spread evenly over the last 365 days, the last copy now. */
const spreadOver = (count: number) =>
  `now() - ((${count} - g)::double precision / ${Math.max(1, count)}) * interval '365 days'`;

/**
 * Copies the row `templateId` of `table` `count` times (g = 1 … count, in that order). `set` gives the SQL of
 * the columns that must differ, in terms of g and the template row t; `links` gives the ids the copies point
 * at instead of the template's, applied only to the columns the table has and kept null where the template's
 * is null. Creation and update times spread evenly over the last 365 days unless `set` says otherwise.
 */
export async function cloneRows(
  sql: Sql,
  table: string,
  templateId: string,
  count: number,
  set: Record<string, string>,
  links: Record<string, string> = {},
): Promise<void> {
  const columns = (
    await sql<{ column_name: string }[]>`
      select column_name from information_schema.columns
      where table_name = ${table} and table_schema = 'public' and is_identity = 'NO' and is_generated = 'NEVER'
      order by ordinal_position`
  ).map((c) => c.column_name);
  for (const name of Object.keys(set)) {
    if (!columns.includes(name)) throw new Error(`${table} has no column ${name}`);
  }
  const spread = spreadOver(count);
  const value = (c: string) => {
    if (set[c] !== undefined) return set[c];
    if (links[c] !== undefined) return `case when t.${c} is null then null else ${links[c]} end`;
    if (c === "created_at" || c === "updated_at") return spread;
    return `t.${c}`;
  };
  const list = columns.map((c) => `"${c}"`).join(", ");
  await sql.unsafe(
    `insert into "${table}" (${list})
     select ${columns.map(value).join(", ")}
     from "${table}" t, generate_series(1, $2::int) as g where t.id = $1 order by g`,
    [templateId, count],
  );
}

/** The template rows, each made as the app makes it. */
async function makeTemplates(deps: AppDeps, tenant: BenchTenant, tag: string) {
  const { merchant, catalog } = tenant;
  const now = new Date();
  // First, so every event below fans out a delivery to it.
  const endpoint = await deps.db.transaction((tx) =>
    createWebhookEndpoint(tx, merchant, { url: `https://hooks.example.com/${tag}` }, now, deps.config),
  );
  const customer = await deps.db.transaction((tx) =>
    createCustomer(
      tx,
      merchant,
      { externalId: `${tag}-0`, email: `${tag}-0@bench.example`, name: `${tag} customer 0` },
      now,
    ),
  );
  const paid = await createCheckoutSession(deps, merchant, {
    type: "product",
    priceId: catalog.oneTimePrice.id,
    quantity: 1,
    customerExternalId: customer.externalId,
    ...URLS,
  });
  const result = await confirmCheckout(deps, paid.id, { buyer: BUYER, card: CARD });
  if (result.kind !== "succeeded") throw new Error(`the template checkout ended ${result.kind}`);
  const { subscription } = await deps.db.transaction((tx) =>
    createSubscription(
      tx,
      merchant,
      {
        customerId: customer.id,
        price: catalog.monthlyPrice,
        quantity: 1,
        startDate: now,
        status: "active",
        trialEnd: null,
        defaultPaymentMethodId: null,
      },
      now,
    ),
  );
  const open = await createCheckoutSession(deps, merchant, {
    type: "product",
    anonymous: true,
    priceId: catalog.oneTimePrice.id,
    quantity: 1,
    ...URLS,
  });
  return { endpoint, customer, paidSessionId: paid.id, subscription, openSessionId: open.id };
}

/**
 * Every row of `table` whose `parentColumn` is `parentId` (a template's invoice lines, its items), each copied
 * `count` times as cloneRows does, the i-th child's copies numbered `<prefix><g>_<i>`.
 */
async function cloneChildren(
  sql: Sql,
  table: string,
  parentColumn: string,
  parentId: string,
  count: number,
  prefix: string,
  links: Record<string, string>,
): Promise<void> {
  for (const [i, child] of (await idsWhere(sql, table, parentColumn, parentId)).entries()) {
    await cloneRows(sql, table, child, count, { id: `'${prefix}' || g || '_${i}'` }, links);
  }
}

/** Ids of `table`'s rows whose `column` is `value`. */
async function idsWhere(sql: Sql, table: string, column: string, value: string): Promise<string[]> {
  const rows = await sql.unsafe<{ id: string }[]>(
    `select id from "${table}" where "${column}" = $1 order by id`,
    [value],
  );
  return rows.map((r) => r.id);
}

async function one(sql: Sql, table: string, column: string, value: string): Promise<string> {
  const [id] = await idsWhere(sql, table, column, value);
  if (!id) throw new Error(`no ${table} row with ${column} = ${value}`);
  return id;
}

/**
 * Seeds one tenant at `size` (see tenantCounts), its ids tagged `tag` (`cus_<tag>_<n>`, externalId
 * `<tag>-<n>`): the templates through the services, then the copies in SQL. The caller runs VACUUM ANALYZE.
 */
export async function seedTenant(
  deps: AppDeps,
  sql: Sql,
  tenant: BenchTenant,
  tag: string,
  size: number,
): Promise<SeededTenant> {
  const counts = tenantCounts(size);
  const t = await makeTemplates(deps, tenant, tag);
  const { organizationId: org } = tenant.merchant;
  const letter = tag.slice(0, 1).toUpperCase();
  const step = Math.max(1, Math.floor(counts.customers / counts.paid));

  await cloneRows(sql, "customers", t.customer.id, counts.customers, {
    id: `'cus_${tag}_' || g`,
    external_id: `'${tag}-' || g`,
    email: `'${tag}-' || g || '@bench.example'`,
    name: `'${tag} customer ' || g`,
    invoice_number_base: `'${letter}' || lpad(g::text, 7, '0')`,
    invoice_count: "0",
  });

  // Sessions, oldest first: expired anonymous ones, then the paid family, then the open ones.
  const openCount = Math.max(1, Math.floor(counts.sessions / 100));
  const expiredCount = Math.max(0, counts.sessions - counts.paid - openCount);
  if (expiredCount > 0) {
    await cloneRows(sql, "checkout_sessions", t.openSessionId, expiredCount, {
      id: `'chckt_session_${tag}_x' || g`,
      status: "'expired'",
      expires_at: `${spreadOver(expiredCount)} + interval '1 day'`,
    });
  }
  const paidLinks = {
    customer_id: `'cus_${tag}_' || (g * ${step})`,
    checkout_session_id: `'chckt_session_${tag}_p' || g`,
    purchase_id: `'prch_${tag}_' || g`,
    invoice_id: `'inv_${tag}_' || g`,
    payment_id: `'pymt_${tag}_' || g`,
  };
  const paid = await sql<{ purchase_id: string; invoice_id: string; payment_id: string }[]>`
    select purchase_id, invoice_id, payment_id from checkout_sessions where id = ${t.paidSessionId}`;
  const ids = paid[0];
  if (!ids?.purchase_id || !ids.invoice_id || !ids.payment_id)
    throw new Error("the template checkout left no purchase, invoice or payment");
  await cloneRows(
    sql,
    "checkout_sessions",
    t.paidSessionId,
    counts.paid,
    { id: paidLinks.checkout_session_id },
    paidLinks,
  );
  await cloneRows(sql, "purchases", ids.purchase_id, counts.paid, { id: paidLinks.purchase_id }, paidLinks);
  await cloneRows(
    sql,
    "invoices",
    ids.invoice_id,
    counts.paid,
    {
      id: paidLinks.invoice_id,
      invoice_number: `'${letter}-' || g`,
      document_token: "md5(random()::text) || md5(random()::text)",
    },
    paidLinks,
  );
  await cloneChildren(
    sql,
    "invoice_line_items",
    "invoice_id",
    ids.invoice_id,
    counts.paid,
    `invli_${tag}_`,
    paidLinks,
  );
  await cloneRows(
    sql,
    "payments",
    ids.payment_id,
    counts.paid,
    { id: paidLinks.payment_id, processor_intent_id: `'sbx_intent_${tag}_' || g` },
    paidLinks,
  );
  await cloneRows(sql, "checkout_sessions", t.openSessionId, openCount, {
    id: `'chckt_session_${tag}_o' || g`,
  });

  const subLinks = {
    customer_id: `'cus_${tag}_' || (g * ${step})`,
    subscription_id: `'sub_${tag}_' || g`,
  };
  await cloneRows(
    sql,
    "subscriptions",
    t.subscription.id,
    counts.subscriptions,
    { id: subLinks.subscription_id },
    subLinks,
  );
  await cloneChildren(
    sql,
    "subscription_items",
    "subscription_id",
    t.subscription.id,
    counts.subscriptions,
    `si_${tag}_`,
    subLinks,
  );
  await cloneChildren(
    sql,
    "billing_periods",
    "subscription_id",
    t.subscription.id,
    counts.subscriptions,
    `bp_${tag}_`,
    subLinks,
  );

  // The log: copies of the template customer's customer.created, each about one of the copied customers.
  const [customerCreated] = await sql<{ id: string }[]>`
    select id from events where object_id = ${t.customer.id} and type = 'customer.created'`;
  if (!customerCreated) throw new Error("the template customer has no customer.created event");
  const eventId = customerCreated.id;
  // The wire event is the payload: its id, time and object follow the copy's.
  const eventCustomer = `'cus_${tag}_' || (1 + (g - 1) % ${counts.customers})`;
  await cloneRows(sql, "events", eventId, counts.events, {
    id: `'evt_${tag}_' || g`,
    object_id: eventCustomer,
    payload: `t.payload || jsonb_build_object('id', 'evt_${tag}_' || g,
      'createdAt', (extract(epoch from ${spreadOver(counts.events)}) * 1000)::bigint,
      'data', t.payload->'data' || jsonb_build_object('id', ${eventCustomer}))`,
  });
  // The endpoint's delivery log: the newest events, each delivered at the first attempt.
  await sql`update webhook_deliveries set status = 'delivered', attempt_count = 1, delivered_at = now()
    where endpoint_id = ${t.endpoint.id}`;
  const deliveryId = await one(sql, "webhook_deliveries", "event_id", eventId);
  await cloneRows(sql, "webhook_deliveries", deliveryId, counts.deliveries, {
    id: `'whdel_${tag}_' || g`,
    event_id: `'evt_${tag}_' || (${counts.events} - g + 1)`,
    next_attempt_at: "now()",
    last_attempt_at: "now()",
    delivered_at: "now()",
  });
  await sql`
    insert into webhook_attempts (id, delivery_id, organization_id, livemode, attempted_at, status_code,
      duration_ms, response_snippet)
    select 'whatt_' || substr(d.id, 7), d.id, d.organization_id, d.livemode, d.delivered_at, 200, 12, 'ok'
    from webhook_deliveries d where d.endpoint_id = ${t.endpoint.id} and d.id like ${`whdel_${tag}_%`}`;

  // Billing portal sign-ins and sessions, none expired (the cleanup job finds nothing to delete, as on most runs).
  await sql`
    insert into billing_portal_links (id, organization_id, livemode, customer_id, token_hash, expires_at)
    select ${`bpl_${tag}_`} || g, ${org}, false, ${`cus_${tag}_`} || g, md5(${`link-${tag}-`} || g),
      now() + interval '1 hour'
    from generate_series(1, ${counts.portal}::int) as g`;
  await sql`
    insert into billing_portal_sessions (id, organization_id, livemode, customer_id, token_hash, csrf_token,
      expires_at)
    select ${`bps_${tag}_`} || g, ${org}, false, ${`cus_${tag}_`} || g, md5(${`session-${tag}-`} || g),
      md5(${`csrf-${tag}-`} || g), now() + interval '1 hour'
    from generate_series(1, ${counts.portal}::int) as g`;

  const half = Math.max(1, Math.floor(counts.paid / 2));
  const deep = Math.max(1, Math.floor(counts.customers / 10));
  const [position] = await sql<{ position: string }[]>`
    select position::text from customers where id = ${`cus_${tag}_${deep}`}`;
  return {
    tag,
    counts,
    openSessionId: t.openSessionId,
    endpointId: t.endpoint.id,
    billingExternalId: `${tag}-${half * step}`,
    deepCustomerPosition: Number(position?.position),
  };
}
