import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { beginAttempt, settleDecline } from "../../src/checkout/attempt.js";
import { type ChargePlan, chargePlanWith } from "../../src/checkout/charge-plan.js";
import { intentRequest, settleIntent } from "../../src/checkout/confirm.js";
import type { SessionReading } from "../../src/checkout/session-reading.js";
import { settleProductCheckout } from "../../src/checkout/settle-product.js";
import type { AppDeps, IntentResult } from "../../src/context/index.js";
import type { Executor } from "../../src/db/client.js";
import {
  billingPeriods,
  checkoutSessions,
  customers,
  events,
  invoiceLineItems,
  invoices,
  paymentMethods,
  payments,
  purchases,
  sandboxIntents,
  subscriptionItems,
  subscriptions,
  webhookDeliveries,
} from "../../src/db/schema/index.js";
import { createInvoice } from "../../src/invoices/index.js";
import { validateCard } from "../../src/payments/cards.js";
import { savePaymentMethod } from "../../src/payments/index.js";
import { addInterval } from "../../src/subscriptions/index.js";
import {
  anonymousSession,
  CARDS,
  type CatalogFixture,
  catalogFixture,
  createCustomer,
  createSession,
  submitCheckoutForm,
  testContext,
} from "../support/index.js";
import { sandboxOf, warmProcessorCache } from "../support/processors.js";

/** The invoice number bases the next new customers draw, in order; empty means random as usual. */
const draws = vi.hoisted(() => [] as string[]);
vi.mock("../../src/lib/ids.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/lib/ids.js")>();
  return { ...actual, randomHex: (bytes: number) => draws.shift() ?? actual.randomHex(bytes) };
});

let recording: string[] | undefined;
const ctx = await testContext({}, { onStatement: (sql) => recording?.push(sql) });
const db = ctx.deps.db;

/** Runs `work` and returns what it answered with the statements it sent, in order. */
async function recorded<T>(work: () => Promise<T>): Promise<{ result: T; sent: string[] }> {
  const sent: string[] = [];
  recording = sent;
  try {
    return { result: await work(), sent };
  } finally {
    recording = undefined;
  }
}

const CLAIM = /^with "claimed" as \(update "checkout_sessions"/;
const PROCESSOR = /insert into sandbox_intents/;
/** THE product checkout's settlement: one statement guarded on the session as read. */
const SETTLE = /^with "guard" as \(update "checkout_sessions" set status = 'succeeded'/;
/** `readSession`: the session and its buyer, read again for a settlement. */
const READ = /^select .* from "checkout_sessions" left join "customers"/s;
/** `chargePlan`'s read of the session's price and product. */
const PRICE_READ = /^select .* from "prices"/s;
const REFUND = /^update "sandbox_intents" set "refunded_amount"/;
const BEGIN = /^begin\b/i;
/** The known-customer statement's count of one more invoice for the buyer. */
const COUNTED = /counted as \(update "customers" set "invoice_count"/;

const BUYER = { email: "gus@example.com", name: "Gus Guest", country: "DE" };

async function sessionRow(id: string) {
  const [row] = await db.select().from(checkoutSessions).where(eq(checkoutSessions.id, id));
  if (!row) throw new Error(`session ${id} missing`);
  return row;
}

type Claimed = { reading: SessionReading; plan: ChargePlan; intent: IntentResult };

/**
 * What `confirmCheckout` does before settling: claim the session (which reads it and its buyer), plan the
 * charge, charge the card.
 */
async function claimAndCharge(sessionId: string): Promise<Claimed> {
  const start = await beginAttempt(ctx.deps, sessionId, BUYER);
  if (start.kind !== "started") throw new Error(`claim refused: ${start.kind}`);
  const { reading } = start;
  const plan = await chargePlanWith(ctx.deps, reading.session, start);
  const card = validateCard({ number: CARDS.ok, expMonth: 12, expYear: 34, cvc: "123" }, ctx.deps.now());
  const intent = await sandboxOf(ctx).createIntent(intentRequest(reading.session, plan, card));
  return { reading, plan, intent };
}

/** The claimed attempt settled from the claim's reading, as the hosted page's confirm does. */
function settleClaimed(claimed: Claimed, deps: AppDeps = ctx.deps) {
  const { reading, plan, intent } = claimed;
  return settleProductCheckout(deps, reading, plan, intent, reading.session.attempt);
}

/**
 * `ctx.deps` whose database calls `after(round)` once each settlement statement has answered (or failed),
 * before the writer goes on: what that statement stored (or did not) can be looked at, and something can
 * happen before the next round.
 */
function pausingAfterSettlement(after: (round: number) => Promise<void>): AppDeps {
  type Client = { unsafe: (query: string, ...rest: unknown[]) => PromiseLike<unknown> };
  const base = ctx.deps.db as unknown as { session: { client: Client } };
  let round = 0;
  /** What `after` sends is not the writer's: it is left out of the recording. */
  const paused = async (n: number) => {
    const sent = recording;
    recording = undefined;
    try {
      await after(n);
    } finally {
      recording = sent;
    }
  };
  const client = new Proxy(base.session.client, {
    get(target, prop) {
      if (prop !== "unsafe") return Reflect.get(target, prop);
      return (query: string, ...rest: unknown[]) => {
        const pending = target.unsafe(query, ...rest);
        if (!SETTLE.test(query)) return pending;
        return Promise.resolve(pending).then(
          async (rows) => {
            await paused(++round);
            return rows;
          },
          async (err) => {
            await paused(++round);
            throw err;
          },
        );
      };
    },
  });
  const session = Object.create(base.session, { client: { value: client } });
  const pausing = Object.create(ctx.deps.db, { session: { value: session } }) as Executor;
  return { ...ctx.deps, db: pausing as AppDeps["db"] };
}

/** Every record a settled checkout session points at, read back from the database. */
async function recordsOf(sessionId: string) {
  const session = await sessionRow(sessionId);
  const customerRows = await db
    .select()
    .from(customers)
    .where(eq(customers.id, session.customerId ?? "none"));
  const methodRows = await db
    .select()
    .from(paymentMethods)
    .where(eq(paymentMethods.customerId, session.customerId ?? "none"))
    .orderBy(asc(paymentMethods.position));
  const purchaseRows = await db.select().from(purchases).where(eq(purchases.checkoutSessionId, sessionId));
  const invoiceRows = await db.select().from(invoices).where(eq(invoices.checkoutSessionId, sessionId));
  const lineRows = await db
    .select()
    .from(invoiceLineItems)
    .where(
      inArray(invoiceLineItems.invoiceId, invoiceRows.length > 0 ? invoiceRows.map((i) => i.id) : ["none"]),
    )
    .orderBy(asc(invoiceLineItems.position));
  const paymentRows = await db.select().from(payments).where(eq(payments.checkoutSessionId, sessionId));
  const subscriptionRows = await db
    .select()
    .from(subscriptions)
    .where(eq(subscriptions.checkoutSessionId, sessionId));
  const subscriptionIds = subscriptionRows.length > 0 ? subscriptionRows.map((r) => r.id) : ["none"];
  const itemRows = await db
    .select()
    .from(subscriptionItems)
    .where(inArray(subscriptionItems.subscriptionId, subscriptionIds))
    .orderBy(asc(subscriptionItems.position));
  const periodRows = await db
    .select()
    .from(billingPeriods)
    .where(inArray(billingPeriods.subscriptionId, subscriptionIds))
    .orderBy(asc(billingPeriods.startDate));
  const objectIds = [
    session.id,
    ...customerRows.map((r) => r.id),
    ...methodRows.map((r) => r.id),
    ...purchaseRows.map((r) => r.id),
    ...invoiceRows.map((r) => r.id),
    ...paymentRows.map((r) => r.id),
    ...subscriptionRows.map((r) => r.id),
  ];
  const eventRows = await db
    .select()
    .from(events)
    .where(and(eq(events.organizationId, session.organizationId), inArray(events.objectId, objectIds)))
    .orderBy(asc(events.position));
  return {
    session,
    customers: customerRows,
    paymentMethods: methodRows,
    purchases: purchaseRows,
    invoices: invoiceRows,
    lines: lineRows,
    payments: paymentRows,
    subscriptions: subscriptionRows,
    subscriptionItems: itemRows,
    billingPeriods: periodRows,
    events: eventRows,
  };
}
type Records = Awaited<ReturnType<typeof recordsOf>>;

/** Timestamps by name, also where the wire object carries them as epoch milliseconds. */
const TIME_KEY = /(At|Date)$|^expires$|^currentBillingPeriod(Start|End)$|^trialEnd$/;

/**
 * The records with everything that differs between two identical checkouts by construction replaced by
 * what it is: ids (and the strings that embed them), the guest's externalId, the invoice number base,
 * timestamps and positions. A null stays null, so "set" versus "not set" still shows.
 */
function normalised(records: Records) {
  const { session } = records;
  const labels: [string, string][] = [];
  const label = (name: string, value: string | null | undefined) => {
    if (value) labels.push([value, `<${name}>`]);
  };
  label("session", session.id);
  label("intent", session.processorIntentId);
  for (const c of records.customers) {
    label("customer", c.id);
    label("externalId", c.externalId);
    label("invoiceNumberBase", c.invoiceNumberBase);
  }
  for (const [n, m] of records.paymentMethods.entries()) {
    label(`paymentMethod${n}`, m.id);
    label(`processorMethod${n}`, m.processorMethodId);
  }
  for (const p of records.purchases) label("purchase", p.id);
  for (const i of records.invoices) {
    label("invoice", i.id);
    label("documentToken", i.documentToken);
  }
  for (const [n, l] of records.lines.entries()) label(`line${n}`, l.id);
  for (const p of records.payments) label("payment", p.id);
  for (const s of records.subscriptions) label("subscription", s.id);
  for (const [n, i] of records.subscriptionItems.entries()) label(`subscriptionItem${n}`, i.id);
  for (const [n, p] of records.billingPeriods.entries()) label(`billingPeriod${n}`, p.id);
  labels.sort((a, b) => b[0].length - a[0].length);
  const replace = (text: string) => labels.reduce((out, [value, name]) => out.split(value).join(name), text);
  const walk = (value: unknown, key?: string): unknown => {
    if (value === null || value === undefined) return value;
    if (key === "position") return "<position>";
    if (value instanceof Date) return "<time>";
    if (key !== undefined && TIME_KEY.test(key)) return "<time>";
    if (typeof value === "string") return replace(value);
    if (Array.isArray(value)) return value.map((v) => walk(v));
    if (typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    return value;
  };
  return {
    session: walk(records.session),
    customers: walk(records.customers),
    paymentMethods: walk(records.paymentMethods),
    purchases: walk(records.purchases),
    invoices: walk(records.invoices),
    lines: walk(records.lines),
    payments: walk(records.payments),
    subscriptions: walk(records.subscriptions),
    subscriptionItems: walk(records.subscriptionItems),
    billingPeriods: walk(records.billingPeriods),
    events: records.events.map((e) =>
      walk({
        type: e.type,
        objectType: e.objectType,
        objectId: e.objectId,
        livemode: e.livemode,
        organizationId: e.organizationId,
        object: e.payload.object,
        data: e.payload.data,
      }),
    ),
  };
}

/** Two checkouts stored the same rows, once ids, timestamps and random bases are normalised away. */
function expectSameRecords(a: Records, b: Records) {
  expect(normalised(a)).toEqual(normalised(b));
}

/** A fresh catalog and one guest session of its one-time price: quantity 3, output name and metadata. */
async function guestSession(f: CatalogFixture) {
  return anonymousSession(ctx, f, {
    quantity: 3,
    outputName: "Three seats",
    outputMetadata: { order: "A-17", rush: true, seats: 3 },
  });
}

const merchantOf = (f: CatalogFixture) => ({
  organizationId: f.merchant.organizationId,
  livemode: false,
  apiKeyId: "test",
});

async function countOf(
  table:
    | typeof customers
    | typeof paymentMethods
    | typeof subscriptions
    | typeof subscriptionItems
    | typeof billingPeriods
    | typeof invoices
    | typeof payments
    | typeof purchases,
  organizationId: string,
) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(table)
    .where(eq(table.organizationId, organizationId));
  return row?.n ?? 0;
}

/** The id of a fresh product session of the one-time price for the merchant's customer `externalId`. */
async function knownSession(f: CatalogFixture, externalId: string, fields: Record<string, unknown> = {}) {
  const res = await createSession(ctx, f.merchant.testKey, {
    type: "product",
    customerExternalId: externalId,
    priceId: f.oneTimePriceId,
    ...fields,
  });
  if (res.status !== 200) throw new Error(`session create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.checkoutSession.id as string;
}

async function customerRow(id: string) {
  const [row] = await db.select().from(customers).where(eq(customers.id, id));
  if (!row) throw new Error(`customer ${id} missing`);
  return row;
}

/** The customer's cards as `[id, isDefault]`, oldest first. */
async function cardsOf(customerId: string) {
  const rows = await db
    .select({ id: paymentMethods.id, isDefault: paymentMethods.isDefault })
    .from(paymentMethods)
    .where(eq(paymentMethods.customerId, customerId))
    .orderBy(asc(paymentMethods.position));
  return rows.map((r) => [r.id, r.isDefault] as const);
}

/** The customer's invoice numbers, in order. */
async function invoiceNumbersOf(customerId: string) {
  const rows = await db
    .select({ n: invoices.invoiceNumber })
    .from(invoices)
    .where(eq(invoices.customerId, customerId))
    .orderBy(asc(invoices.invoiceNumber));
  return rows.map((r) => r.n);
}

async function lastEventPosition(organizationId: string): Promise<number> {
  const [row] = await db
    .select({ p: sql<number>`coalesce(max(${events.position}), 0)::bigint` })
    .from(events)
    .where(eq(events.organizationId, organizationId));
  return Number(row?.p ?? 0);
}

/** The merchant's events stored after `position`, in order. */
function eventsAfter(organizationId: string, position: number) {
  return db
    .select()
    .from(events)
    .where(and(eq(events.organizationId, organizationId), gt(events.position, position)))
    .orderBy(asc(events.position));
}

/** Another invoice for the customer, outside any checkout: it takes the customer's next number. */
function otherInvoice(f: CatalogFixture, customerId: string) {
  return db.transaction((tx) =>
    createInvoice(
      tx,
      merchantOf(f),
      {
        customerId,
        pricingModelId: f.pricingModelId,
        type: "standalone",
        currency: "USD",
        lines: [{ priceId: null, description: "Consulting", quantity: 1, unitPrice: 5000 }],
        status: "open",
      },
      ctx.deps.now(),
    ),
  );
}

/** A card saved for the customer outside any checkout, made their default. */
function otherDefaultCard(f: CatalogFixture, customerId: string, processorMethodId: string) {
  return db.transaction((tx) =>
    savePaymentMethod(
      tx,
      merchantOf(f),
      {
        customerId,
        pricingModelId: f.pricingModelId,
        processor: "sandbox",
        processorMethodId,
        card: { brand: "visa", last4: "1881", expMonth: 7, expYear: 2031 },
        makeDefault: true,
      },
      ctx.deps.now(),
    ),
  );
}

async function sandboxIntent(intentId: string) {
  const [row] = await db.select().from(sandboxIntents).where(eq(sandboxIntents.id, intentId));
  if (!row) throw new Error(`sandbox intent ${intentId} missing`);
  return row;
}

/** Nothing of the checkout was stored: the session as it was, no records for it, no event since `position`. */
async function expectNothingWritten(
  sessionId: string,
  before: Awaited<ReturnType<typeof sessionRow>>,
  organizationId: string,
  position: number,
) {
  expect(await sessionRow(sessionId)).toEqual(before);
  expect(before.status).not.toBe("succeeded");
  expect(await db.select().from(purchases).where(eq(purchases.checkoutSessionId, sessionId))).toEqual([]);
  expect(await db.select().from(invoices).where(eq(invoices.checkoutSessionId, sessionId))).toEqual([]);
  expect(await db.select().from(payments).where(eq(payments.checkoutSessionId, sessionId))).toEqual([]);
  expect(await db.select().from(subscriptions).where(eq(subscriptions.checkoutSessionId, sessionId))).toEqual(
    [],
  );
  expect(await eventsAfter(organizationId, position)).toEqual([]);
}

/**
 * Settles `claimed` from the claim's reading, which no longer holds: the first settlement statement writes
 * nothing (`meanwhile` looks at the database right after it), the writer reads the session and its buyer
 * again and the second statement settles it. The settled records.
 */
async function refusedThenSettled(claimed: Claimed, organizationId: string, meanwhile: () => Promise<void>) {
  const id = claimed.reading.session.id;
  const before = await sessionRow(id);
  const position = await lastEventPosition(organizationId);
  let looked = false;
  const deps = pausingAfterSettlement(async (round) => {
    if (round !== 1) return;
    await expectNothingWritten(id, before, organizationId, position);
    await meanwhile();
    looked = true;
  });
  const { result, sent } = await recorded(() => settleClaimed(claimed, deps));
  expect(looked).toBe(true);
  expect(sent).toHaveLength(3);
  expect(sent[0]).toMatch(SETTLE);
  expect(sent[1]).toMatch(READ);
  expect(sent[2]).toMatch(SETTLE);
  // A known customer's invoice is counted in the statement, both times; a guest's or a trial's is not.
  const counts = claimed.reading.session.customerId !== null && claimed.plan.trialDays === 0;
  expect([COUNTED.test(sent[0] ?? ""), COUNTED.test(sent[2] ?? "")]).toEqual([counts, counts]);
  expect(sent.some((s) => BEGIN.test(s))).toBe(false);
  expect(result.status).toBe("succeeded");
  const after = await recordsOf(id);
  expect(result).toEqual(after.session);
  return after;
}

const GUEST_ONE_TIME_EVENTS = [
  "customer.created",
  "payment_method.created",
  "purchase.completed",
  "invoice.paid",
  "payment.succeeded",
  "checkout_session.succeeded",
];

/**
 * What a guest's paid one-time checkout of three seats stored: the guest as a customer with their first
 * invoice counted, their card as the default, the purchase, the invoice numbered -0001 with one line, the
 * payment linking all of it, the session pointing at each, and the events in causal order.
 */
async function expectGuestPaidOneTime(f: CatalogFixture, r: Records, intent: IntentResult) {
  const { session } = r;
  expect(r.customers).toHaveLength(1);
  expect(r.paymentMethods).toHaveLength(1);
  expect(r.purchases).toHaveLength(1);
  expect(r.invoices).toHaveLength(1);
  expect(r.lines).toHaveLength(1);
  expect(r.payments).toHaveLength(1);
  expect(r.subscriptions).toEqual([]);
  const [customer] = r.customers;
  const [card] = r.paymentMethods;
  const [purchase] = r.purchases;
  const [invoice] = r.invoices;
  const [line] = r.lines;
  const [payment] = r.payments;
  if (!customer || !card || !purchase || !invoice || !line || !payment) throw new Error("records missing");

  expect(customer).toMatchObject({
    organizationId: f.merchant.organizationId,
    livemode: false,
    pricingModelId: f.pricingModelId,
    email: BUYER.email,
    name: BUYER.name,
    invoiceCount: 1,
    archived: false,
  });
  expect(customer.externalId).toMatch(/^guest_/);
  expect(customer.invoiceNumberBase).toMatch(/^[0-9A-F]{8}$/);

  expect(card).toMatchObject({
    customerId: customer.id,
    isDefault: true,
    last4: "4242",
    processor: "sandbox",
    processorMethodId: intent.paymentMethod?.processorMethodId,
    billingDetails: { name: BUYER.name, email: BUYER.email, address: { country: BUYER.country } },
  });

  expect(purchase).toMatchObject({
    customerId: customer.id,
    pricingModelId: f.pricingModelId,
    priceId: f.oneTimePriceId,
    priceType: "single_payment",
    name: "Three seats",
    quantity: 3,
    status: "paid",
    currency: "USD",
    firstInvoiceValue: 5997,
    metadata: { order: "A-17", rush: true, seats: 3 },
    checkoutSessionId: session.id,
  });

  expect(invoice).toMatchObject({
    customerId: customer.id,
    pricingModelId: f.pricingModelId,
    type: "purchase",
    status: "paid",
    invoiceNumber: `${customer.invoiceNumberBase}-0001`,
    currency: "USD",
    subtotal: 5997,
    total: 5997,
    purchaseId: purchase.id,
    subscriptionId: null,
    checkoutSessionId: session.id,
  });
  expect(line).toMatchObject({
    invoiceId: invoice.id,
    priceId: f.oneTimePriceId,
    description: "Three seats",
    quantity: 3,
    unitPrice: 1999,
    amount: 5997,
  });

  expect(payment).toMatchObject({
    customerId: customer.id,
    amount: 5997,
    currency: "USD",
    status: "succeeded",
    processor: "sandbox",
    processorIntentId: intent.intentId,
    invoiceId: invoice.id,
    purchaseId: purchase.id,
    paymentMethodId: card.id,
    subscriptionId: null,
    checkoutSessionId: session.id,
  });

  expect(session).toMatchObject({
    status: "succeeded",
    lastError: null,
    attempt: 1,
    processorIntentId: intent.intentId,
    customerId: customer.id,
    customerEmail: BUYER.email,
    customerName: BUYER.name,
    purchaseId: purchase.id,
    invoiceId: invoice.id,
    paymentId: payment.id,
    paymentMethodId: card.id,
    subscriptionId: null,
  });
  expect(session.completedAt).toBeInstanceOf(Date);

  expect(r.events.map((e) => e.type)).toEqual(GUEST_ONE_TIME_EVENTS);
  expect(r.events.map((e) => e.objectId)).toEqual([
    customer.id,
    card.id,
    purchase.id,
    invoice.id,
    payment.id,
    session.id,
  ]);
  // The session's event says what the API says about the session.
  const fetched = await ctx.api("GET", `/api/v1/checkout-sessions/${session.id}`, {
    key: f.merchant.testKey,
  });
  expect(r.events.at(-1)?.payload.data).toEqual(fetched.body.checkoutSession);
}

describe("a guest's paid one-time checkout", () => {
  it("is settled from the claim's reading in one statement, with every record and event", async () => {
    const f = await catalogFixture(ctx);
    const claimed = await claimAndCharge(await guestSession(f));
    expect(claimed.intent).toMatchObject({ kind: "payment", status: "succeeded", amount: 5997 });
    expect(claimed.reading).toMatchObject({ session: { status: "pending", attempt: 1 }, buyer: null });

    const { result, sent } = await recorded(() => settleClaimed(claimed));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(SETTLE);
    expect(sent[0]).not.toMatch(COUNTED);

    const records = await recordsOf(claimed.reading.session.id);
    // What the writer answers is exactly the row it stored.
    expect(result).toEqual(records.session);
    await expectGuestPaidOneTime(f, records, claimed.intent);

    // The guest's count was taken with its row: the next invoice is their second.
    const [customer] = records.customers;
    if (!customer) throw new Error("customer missing");
    const second = await otherInvoice(f, customer.id);
    expect(second.invoice.invoiceNumber).toBe(`${customer.invoiceNumberBase}-0002`);
  });

  it("settling it again changes nothing and refunds nothing (a replay)", async () => {
    const f = await catalogFixture(ctx);
    const claimed = await claimAndCharge(await guestSession(f));
    await settleClaimed(claimed);
    const first = await recordsOf(claimed.reading.session.id);
    const position = await lastEventPosition(f.merchant.organizationId);

    const { result, sent } = await recorded(() => settleClaimed(claimed));
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(SETTLE);
    expect(sent[1]).toMatch(READ);
    expect(result).toEqual(first.session);
    expect(await recordsOf(claimed.reading.session.id)).toEqual(first);
    expect(await eventsAfter(f.merchant.organizationId, position)).toEqual([]);
    expect((await sandboxIntent(claimed.intent.intentId)).refundedAmount).toBe(0);
  });
});

/** Ways a claimed session can move on between its claim and its settlement. */
const movesOn: [string, (session: { id: string; attempt: number; updatedAt: Date }) => Promise<unknown>][] = [
  [
    "a decline reopened the session",
    (s) => settleDecline(ctx.deps, s.id, s.attempt, undefined, "Your card was declined."),
  ],
  [
    "something touched the session (updated_at only)",
    (s) =>
      db
        .update(checkoutSessions)
        .set({ updatedAt: new Date(s.updatedAt.getTime() + 1000) })
        .where(eq(checkoutSessions.id, s.id)),
  ],
  [
    "a newer attempt holds it (attempt only)",
    (s) =>
      db
        .update(checkoutSessions)
        .set({ attempt: s.attempt + 1 })
        .where(eq(checkoutSessions.id, s.id)),
  ],
  [
    "it is no longer pending (status only)",
    (s) => db.update(checkoutSessions).set({ status: "open" }).where(eq(checkoutSessions.id, s.id)),
  ],
];

describe("a claimed session that moved on before its settlement", () => {
  it.each(movesOn)(
    "a guest's: nothing is written on the first try when %s, then the charge is honoured once",
    async (_, moveOn) => {
      const f = await catalogFixture(ctx);
      const org = f.merchant.organizationId;
      // A twin settled straight from its claim: what the retried settlement must store too.
      const twin = await claimAndCharge(await guestSession(f));
      await settleClaimed(twin);
      const twinRecords = await recordsOf(twin.reading.session.id);
      const before = { customers: await countOf(customers, org), cards: await countOf(paymentMethods, org) };

      const claimed = await claimAndCharge(await guestSession(f));
      const { session } = claimed.reading;
      await moveOn(session);

      const after = await refusedThenSettled(claimed, org, async () => {
        expect(await countOf(customers, org)).toBe(before.customers);
        expect(await countOf(paymentMethods, org)).toBe(before.cards);
      });
      await expectGuestPaidOneTime(
        f,
        { ...after, session: { ...after.session, attempt: 1 } },
        claimed.intent,
      );
      expect(await countOf(customers, org)).toBe(before.customers + 1);
      expect(await countOf(payments, org)).toBe(2);
      expectSameRecords({ ...after, session: { ...after.session, attempt: 1 } }, twinRecords);
    },
  );

  it.each(movesOn)(
    "a known customer's: no number is taken on the first try when %s, then it is settled with -0001",
    async (_, moveOn) => {
      const f = await catalogFixture(ctx);
      const org = f.merchant.organizationId;
      const customer = await createCustomer(ctx, f.merchant.testKey, "moved-on");
      const claimed = await claimAndCharge(await knownSession(f, "moved-on"));
      const { buyer, session } = claimed.reading;
      if (!buyer) throw new Error("the claim read no buyer");
      await moveOn(session);

      const after = await refusedThenSettled(claimed, org, async () => {
        expect((await customerRow(customer.id)).invoiceCount).toBe(0);
        expect(await cardsOf(customer.id)).toEqual([]);
      });
      expect(after.session).toMatchObject({
        status: "succeeded",
        customerId: customer.id,
        processorIntentId: claimed.intent.intentId,
      });
      expect(after.invoices.map((i) => i.invoiceNumber)).toEqual([`${buyer.invoiceNumberBase}-0001`]);
      expect(after.payments).toHaveLength(1);
      expect((await customerRow(customer.id)).invoiceCount).toBe(1);
      expect(await cardsOf(customer.id)).toEqual([[after.session.paymentMethodId, true]]);
    },
  );
});

const CHECKOUT_EVENTS = [
  "payment_method.created",
  "purchase.completed",
  "invoice.paid",
  "payment.succeeded",
  "checkout_session.succeeded",
];

describe("a known customer's paid one-time checkout", () => {
  const histories: [string, (f: CatalogFixture, customerId: string) => Promise<unknown>][] = [
    ["a customer with no invoice and no card yet", async () => undefined],
    [
      "a customer with an earlier invoice and a default card",
      async (f, customerId) => {
        await otherInvoice(f, customerId);
        await otherDefaultCard(f, customerId, `pm_earlier_${customerId}`);
      },
    ],
  ];

  it.each(histories)(
    "is settled from the claim's reading in one statement counting the invoice, for %s",
    async (_, history) => {
      const f = await catalogFixture(ctx);
      const customer = await createCustomer(ctx, f.merchant.testKey, "known");
      await history(f, customer.id);
      const earlier = await customerRow(customer.id);
      const earlierCards = await cardsOf(customer.id);
      const hadCard = earlierCards.length > 0;
      const order = { quantity: 3, outputName: "Three seats", outputMetadata: { order: "A-17", seats: 3 } };
      const claimed = await claimAndCharge(await knownSession(f, "known", order));
      expect(claimed.reading.buyer).toEqual({
        id: customer.id,
        email: customer.email,
        name: customer.name,
        invoiceCount: earlier.invoiceCount,
        invoiceNumberBase: earlier.invoiceNumberBase,
        hasDefaultCard: hadCard,
      });

      const { result, sent } = await recorded(() => settleClaimed(claimed));
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatch(SETTLE);
      expect(sent[0]).toMatch(COUNTED);

      const r = await recordsOf(claimed.reading.session.id);
      expect(result).toEqual(r.session);
      const next = earlier.invoiceCount + 1;
      expect(r.customers).toHaveLength(1);
      expect(r.purchases).toHaveLength(1);
      expect(r.invoices).toHaveLength(1);
      expect(r.lines).toHaveLength(1);
      expect(r.payments).toHaveLength(1);
      const [row] = r.customers;
      if (!row) throw new Error("customer missing");
      // The customer is who they were, with one more invoice counted.
      expect(row).toMatchObject({
        email: customer.email,
        name: customer.name,
        externalId: "known",
        invoiceCount: next,
      });
      expect(r.session).toMatchObject({
        status: "succeeded",
        lastError: null,
        attempt: 1,
        customerId: customer.id,
        customerEmail: customer.email,
        customerName: customer.name,
        processorIntentId: claimed.intent.intentId,
        purchaseId: r.purchases[0]?.id,
        invoiceId: r.invoices[0]?.id,
        paymentId: r.payments[0]?.id,
        subscriptionId: null,
      });
      expect(r.invoices[0]).toMatchObject({
        invoiceNumber: `${row.invoiceNumberBase}-${String(next).padStart(4, "0")}`,
        type: "purchase",
        status: "paid",
        total: 5997,
        customerId: customer.id,
        purchaseId: r.purchases[0]?.id,
      });
      expect(r.purchases[0]).toMatchObject({
        customerId: customer.id,
        name: "Three seats",
        quantity: 3,
        status: "paid",
        metadata: { order: "A-17", seats: 3 },
        priceId: f.oneTimePriceId,
      });
      expect(r.payments[0]).toMatchObject({
        amount: 5997,
        status: "succeeded",
        customerId: customer.id,
        invoiceId: r.session.invoiceId,
        purchaseId: r.session.purchaseId,
        paymentMethodId: r.session.paymentMethodId,
      });
      // The checkout's card is the default only if the customer had none; there is one default either way.
      expect(await cardsOf(customer.id)).toEqual([...earlierCards, [r.session.paymentMethodId, !hadCard]]);
      expect(r.paymentMethods.filter((m) => m.isDefault)).toHaveLength(1);
      expect(await invoiceNumbersOf(customer.id)).toHaveLength(next);

      // Before the checkout's own events: the customer's creation (and their earlier card's).
      expect(r.events.map((e) => e.type).slice(-CHECKOUT_EVENTS.length)).toEqual(CHECKOUT_EVENTS);
      expect(r.events.map((e) => e.type)).not.toContain("customer.updated");
      const fetched = await ctx.api("GET", `/api/v1/checkout-sessions/${r.session.id}`, {
        key: f.merchant.testKey,
      });
      expect(r.events.at(-1)?.payload.data).toEqual(fetched.body.checkoutSession);
    },
  );
});

/**
 * A new known customer's one-time session, claimed and charged: the claim read them with no invoice yet and
 * no card.
 */
async function freshCustomerClaimed(externalId: string) {
  const f = await catalogFixture(ctx);
  const customer = await createCustomer(ctx, f.merchant.testKey, externalId);
  const claimed = await claimAndCharge(await knownSession(f, externalId));
  const { buyer } = claimed.reading;
  if (!buyer) throw new Error("the claim read no buyer");
  expect(buyer).toMatchObject({ id: customer.id, invoiceCount: 0, hasDefaultCard: false });
  return { f, org: f.merchant.organizationId, customer, claimed, buyer };
}

describe("what the claim read of a known customer no longer holds at settlement", () => {
  it("another invoice took the predicted number: the writer reads again and the checkout gets -0002", async () => {
    const { f, org, customer, claimed, buyer } = await freshCustomerClaimed("raced-number");
    const base = buyer.invoiceNumberBase;
    const other = await otherInvoice(f, customer.id);
    expect(other.invoice.invoiceNumber).toBe(`${base}-0001`);
    const refusals = vi.spyOn(ctx.deps.logger, "info");

    try {
      const after = await refusedThenSettled(claimed, org, async () => {
        // Refused whole: the count is the other invoice's only, and no card was saved.
        expect((await customerRow(customer.id)).invoiceCount).toBe(1);
        expect(await cardsOf(customer.id)).toEqual([]);
      });
      expect(refusals).toHaveBeenCalledWith(
        { sessionId: claimed.reading.session.id, constraint: "invoices_number_per_org" },
        expect.any(String),
      );
      expect(after.session).toMatchObject({
        status: "succeeded",
        customerId: customer.id,
        processorIntentId: claimed.intent.intentId,
      });
      expect(after.invoices.map((i) => i.invoiceNumber)).toEqual([`${base}-0002`]);
      expect(after.payments).toHaveLength(1);
      expect(after.payments[0]).toMatchObject({
        status: "succeeded",
        processorIntentId: claimed.intent.intentId,
      });
      expect((await customerRow(customer.id)).invoiceCount).toBe(2);
      // No gap, no duplicate.
      expect(await invoiceNumbersOf(customer.id)).toEqual([`${base}-0001`, `${base}-0002`]);
      expect(await cardsOf(customer.id)).toEqual([[after.session.paymentMethodId, true]]);
    } finally {
      refusals.mockRestore();
    }
  });

  it("a default card appeared since the claim: the writer reads again and saves the new card, not default", async () => {
    const { f, org, customer, claimed, buyer } = await freshCustomerClaimed("raced-card");
    const saved = await otherDefaultCard(f, customer.id, "pm_saved_meanwhile");
    expect(saved.isDefault).toBe(true);
    const refusals = vi.spyOn(ctx.deps.logger, "info");

    try {
      const after = await refusedThenSettled(claimed, org, async () => {
        expect((await customerRow(customer.id)).invoiceCount).toBe(0);
        expect(await cardsOf(customer.id)).toEqual([[saved.id, true]]);
      });
      expect(refusals).toHaveBeenCalledWith(
        { sessionId: claimed.reading.session.id, constraint: "payment_methods_one_default_per_customer" },
        expect.any(String),
      );
      expect(after.session).toMatchObject({ status: "succeeded", customerId: customer.id });
      expect(after.session.paymentMethodId).not.toBe(saved.id);
      expect(await cardsOf(customer.id)).toEqual([
        [saved.id, true],
        [after.session.paymentMethodId, false],
      ]);
      expect(after.invoices.map((i) => i.invoiceNumber)).toEqual([`${buyer.invoiceNumberBase}-0001`]);
      expect((await customerRow(customer.id)).invoiceCount).toBe(1);
      expect(after.payments).toHaveLength(1);
    } finally {
      refusals.mockRestore();
    }
  });

  it.each([2, 5])(
    "%i checkouts of one customer settling at once all succeed: gapless numbers, exactly one default card",
    async (n) => {
      const f = await catalogFixture(ctx);
      const customer = await createCustomer(ctx, f.merchant.testKey, "at-once");
      const claims: Claimed[] = [];
      for (let i = 0; i < n; i++) claims.push(await claimAndCharge(await knownSession(f, "at-once")));
      // Every claim read the same customer: no invoice, no card. Each predicts -0001 and a default card.
      const buyer = claims[0]?.reading.buyer;
      if (!buyer) throw new Error("the claim read no buyer");
      expect(buyer).toMatchObject({ invoiceCount: 0, hasDefaultCard: false });
      for (const c of claims) expect(c.reading.buyer).toEqual(buyer);

      const { result: settled, sent } = await recorded(() =>
        Promise.all(claims.map((c) => settleClaimed(c))),
      );
      expect(settled.map((s) => s.status)).toEqual(claims.map(() => "succeeded"));
      // Only one could settle from what it read; the others read again (at least once each).
      expect(sent.filter((s) => READ.test(s)).length).toBeGreaterThanOrEqual(n - 1);
      expect(sent.some((s) => BEGIN.test(s))).toBe(false);

      const base = buyer.invoiceNumberBase;
      const expected = Array.from({ length: n }, (_, i) => `${base}-${String(i + 1).padStart(4, "0")}`);
      expect(await invoiceNumbersOf(customer.id)).toEqual(expected);
      expect((await customerRow(customer.id)).invoiceCount).toBe(n);
      const cards = await cardsOf(customer.id);
      expect(cards).toHaveLength(n);
      expect(cards.filter(([, isDefault]) => isDefault)).toHaveLength(1);
      const records = await Promise.all(claims.map((c) => recordsOf(c.reading.session.id)));
      expect(new Set(records.map((r) => r.session.paymentMethodId)).size).toBe(n);
      for (const [i, r] of records.entries()) {
        expect(r.session).toMatchObject({ status: "succeeded", customerId: customer.id });
        expect(settled[i]).toEqual(r.session);
        expect(r.invoices).toHaveLength(1);
        expect(r.payments).toHaveLength(1);
        expect(r.payments[0]).toMatchObject({ processorIntentId: claims[i]?.intent.intentId });
      }
    },
  );
});

describe("what the claim read of a guest no longer holds at settlement", () => {
  it("the guest's drawn invoice number base was taken: the writer reads again and the guest draws another", async () => {
    const f = await catalogFixture(ctx);
    const org = f.merchant.organizationId;
    draws.push("0E0E0E0E");
    const owner = await createCustomer(ctx, f.merchant.testKey, "base-owner");
    expect((await customerRow(owner.id)).invoiceNumberBase).toBe("0E0E0E0E");
    const claimed = await claimAndCharge(await guestSession(f));
    const refusals = vi.spyOn(ctx.deps.logger, "info");

    try {
      // The first settlement's new guest draws the owner's base; the second draws a free one.
      draws.push("0E0E0E0E", "0F0F0F0F");
      const after = await refusedThenSettled(claimed, org, async () => {
        expect(await countOf(customers, org)).toBe(1);
      });
      expect(draws).toEqual([]);
      expect(refusals).toHaveBeenCalledWith(
        { sessionId: claimed.reading.session.id, constraint: "customers_invoice_number_base" },
        expect.any(String),
      );
      await expectGuestPaidOneTime(f, after, claimed.intent);
      expect(after.customers[0]?.invoiceNumberBase).toBe("0F0F0F0F");
      expect(after.invoices.map((i) => i.invoiceNumber)).toEqual(["0F0F0F0F-0001"]);
      expect(await countOf(customers, org)).toBe(2);
      expect((await customerRow(owner.id)).invoiceCount).toBe(0);
    } finally {
      refusals.mockRestore();
    }
  });
});

describe("a charge for a session another charge already paid", () => {
  it("is refunded, and the session stays as the other charge left it", async () => {
    const f = await catalogFixture(ctx);
    const org = f.merchant.organizationId;
    const id = await guestSession(f);
    // The first attempt is charged, but its answer is late: the attempt was given up meanwhile (the
    // session reopened) and a second attempt was charged and settled.
    const first = await claimAndCharge(id);
    await settleDecline(
      ctx.deps,
      id,
      first.reading.session.attempt,
      undefined,
      "The payment was interrupted.",
    );
    const second = await claimAndCharge(id);
    expect(second.reading.session.attempt).toBe(2);
    expect((await settleIntent(ctx.deps, second.reading.session, second.intent, second)).kind).toBe(
      "succeeded",
    );
    const paid = await recordsOf(id);
    expect(paid.session).toMatchObject({ status: "succeeded", processorIntentId: second.intent.intentId });
    const position = await lastEventPosition(org);

    const late = await recorded(() => settleIntent(ctx.deps, first.reading.session, first.intent, first));
    expect(late.result.kind).toBe("succeeded");
    expect(late.result.session).toEqual(paid.session);
    expect(late.sent).toHaveLength(3);
    expect(late.sent[0]).toMatch(SETTLE);
    expect(late.sent[1]).toMatch(READ);
    expect(late.sent[2]).toMatch(REFUND);

    expect(await sandboxIntent(first.intent.intentId)).toMatchObject({
      status: "succeeded",
      amount: 5997,
      refundedAmount: 5997,
    });
    expect((await sandboxIntent(second.intent.intentId)).refundedAmount).toBe(0);
    expect(await recordsOf(id)).toEqual(paid);
    expect(paid.payments.map((p) => p.processorIntentId)).toEqual([second.intent.intentId]);
    expect(await eventsAfter(org, position)).toEqual([]);

    // The paying intent settling again is a replay: nothing refunded, nothing written.
    const replay = await recorded(() =>
      settleIntent(ctx.deps, second.reading.session, second.intent, second),
    );
    expect(replay.result.kind).toBe("succeeded");
    expect(replay.sent.some((s) => REFUND.test(s))).toBe(false);
    expect((await sandboxIntent(second.intent.intentId)).refundedAmount).toBe(0);
    expect(await recordsOf(id)).toEqual(paid);
  });
});

describe("a known customer's settlement without the claim's reading", () => {
  it("reads the session and its buyer in one statement, then settles in one, as the customer is now", async () => {
    const f = await catalogFixture(ctx);
    const customer = await createCustomer(ctx, f.merchant.testKey, "unclaimed");
    const someoneElse = await createCustomer(ctx, f.merchant.testKey, "someone-else");
    const claimed = await claimAndCharge(await knownSession(f, "unclaimed"));
    const { buyer, session } = claimed.reading;
    if (!buyer) throw new Error("the claim read no buyer");
    expect(buyer).toMatchObject({ name: "Customer unclaimed", email: "unclaimed@example.com" });
    // Renamed between the claim and the answer.
    const renamed = await ctx.api("PUT", "/api/v1/customers/unclaimed", {
      key: f.merchant.testKey,
      body: { customer: { name: "Una Claimed", email: "una@example.com" } },
    });
    expect(renamed.status).toBe(200);

    // A settlement that did not claim (a challenge answer, the reconciler) comes with no reading or plan.
    const { result, sent } = await recorded(() => settleIntent(ctx.deps, session, claimed.intent));
    expect(result.kind).toBe("succeeded");
    expect(sent).toHaveLength(3);
    expect(sent[0]).toMatch(PRICE_READ);
    expect(sent[1]).toMatch(READ);
    expect(sent[2]).toMatch(SETTLE);
    expect(sent[2]).toMatch(COUNTED);
    expect(sent.some((s) => BEGIN.test(s))).toBe(false);

    const after = await recordsOf(session.id);
    expect(result.session).toEqual(after.session);
    expect(after.session).toMatchObject({
      status: "succeeded",
      customerId: customer.id,
      customerName: "Una Claimed",
      customerEmail: "una@example.com",
      processorIntentId: claimed.intent.intentId,
    });
    expect(after.invoices.map((i) => i.invoiceNumber)).toEqual([`${buyer.invoiceNumberBase}-0001`]);
    expect(after.payments).toHaveLength(1);
    expect((await customerRow(customer.id)).invoiceCount).toBe(1);
    expect(await cardsOf(customer.id)).toEqual([[after.session.paymentMethodId, true]]);
    expect(await cardsOf(someoneElse.id)).toEqual([]);
    expect((await customerRow(someoneElse.id)).invoiceCount).toBe(0);
  });
});

/**
 * Pays `sessionId` on the hosted page with the good test card: the customer lands on the success URL, and
 * the confirm sent the claim, the charge and one settlement statement, with no transaction.
 */
async function confirmedInThreeStatements(sessionId: string) {
  await warmProcessorCache(ctx, sessionId);
  const { result: res, sent } = await recorded(() =>
    submitCheckoutForm(ctx, sessionId, { cardNumber: CARDS.ok }),
  );
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toBe(`https://merchant.example/thanks?session=${sessionId}`);
  expect(sent).toHaveLength(3);
  expect(sent[0]).toMatch(CLAIM);
  expect(sent[1]).toMatch(PROCESSOR);
  expect(sent[2]).toMatch(SETTLE);
  expect(sent.some((s) => BEGIN.test(s))).toBe(false);
  return { res, settlement: sent[2] };
}

describe("what a hosted-page confirm sends", () => {
  it("a guest's paid one-time checkout: the claim, the charge, one settlement statement and no transaction", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f, { quantity: 2 });
    const { settlement } = await confirmedInThreeStatements(id);
    expect(settlement).not.toMatch(COUNTED);

    const records = await recordsOf(id);
    expect(records.session).toMatchObject({ status: "succeeded", customerEmail: "buyer@example.com" });
    expect(records.payments).toHaveLength(1);
    expect(records.payments[0]).toMatchObject({ status: "succeeded", amount: 3998 });
  });

  it("a known customer's paid one-time checkout: one settlement statement, as the customer is now", async () => {
    const f = await catalogFixture(ctx);
    const org = f.merchant.organizationId;
    const customer = await createCustomer(ctx, f.merchant.testKey, "known-buyer");
    const id = await knownSession(f, "known-buyer", { quantity: 2 });
    expect(await sessionRow(id)).toMatchObject({
      customerId: customer.id,
      customerName: "Customer known-buyer",
    });
    // The customer is renamed (and changes address) after the session was created: the checkout settles
    // with who they are now.
    const renamed = await ctx.api("PUT", "/api/v1/customers/known-buyer", {
      key: f.merchant.testKey,
      body: { customer: { name: "Kim Known", email: "kim@example.com" } },
    });
    expect(renamed.status).toBe(200);
    const since = await lastEventPosition(org);

    const { settlement } = await confirmedInThreeStatements(id);
    expect(settlement).toMatch(COUNTED);

    const records = await recordsOf(id);
    expect(records.session).toMatchObject({
      status: "succeeded",
      lastError: null,
      customerId: customer.id,
      customerEmail: "kim@example.com",
      customerName: "Kim Known",
    });
    expect(records.payments).toHaveLength(1);
    expect(records.payments[0]).toMatchObject({ status: "succeeded", amount: 3998, customerId: customer.id });
    expect(records.purchases).toHaveLength(1);
    const [row] = records.customers;
    if (!row) throw new Error("customer missing");
    expect(row.invoiceCount).toBe(1);
    expect(records.invoices.map((i) => i.invoiceNumber)).toEqual([`${row.invoiceNumberBase}-0001`]);
    expect(records.paymentMethods).toHaveLength(1);
    expect(records.paymentMethods[0]).toMatchObject({ id: records.session.paymentMethodId, isDefault: true });

    const happened = await eventsAfter(org, since);
    expect(happened.map((e) => e.type)).toEqual(CHECKOUT_EVENTS);
    const fetched = await ctx.api("GET", `/api/v1/checkout-sessions/${id}`, { key: f.merchant.testKey });
    expect(fetched.body.checkoutSession).toMatchObject({
      customerName: "Kim Known",
      customerEmail: "kim@example.com",
    });
    expect(happened.at(-1)?.payload.data).toEqual(fetched.body.checkoutSession);
  });

  it("a known customer's second paid checkout: one statement again, the next number, the first card stays the default", async () => {
    const f = await catalogFixture(ctx);
    const customer = await createCustomer(ctx, f.merchant.testKey, "returning");
    const firstId = await knownSession(f, "returning");
    expect((await submitCheckoutForm(ctx, firstId, { cardNumber: CARDS.ok })).status).toBe(303);
    const first = await recordsOf(firstId);
    expect(first.session.status).toBe("succeeded");
    const firstCard = first.session.paymentMethodId;

    const secondId = await knownSession(f, "returning");
    const since = await lastEventPosition(f.merchant.organizationId);
    const { settlement } = await confirmedInThreeStatements(secondId);
    expect(settlement).toMatch(COUNTED);

    const second = await recordsOf(secondId);
    const [row] = second.customers;
    if (!row) throw new Error("customer missing");
    expect(second.session).toMatchObject({ status: "succeeded", customerId: customer.id });
    expect(second.invoices.map((i) => i.invoiceNumber)).toEqual([`${row.invoiceNumberBase}-0002`]);
    expect(row.invoiceCount).toBe(2);
    expect(second.payments).toHaveLength(1);
    expect(second.payments[0]).toMatchObject({
      status: "succeeded",
      paymentMethodId: second.session.paymentMethodId,
    });
    // Both cards are the customer's; the first is still the one default.
    expect(second.paymentMethods.map((m) => [m.id, m.isDefault])).toEqual([
      [firstCard, true],
      [second.session.paymentMethodId, false],
    ]);
    expect((await eventsAfter(f.merchant.organizationId, since)).map((e) => e.type)).toEqual(CHECKOUT_EVENTS);
  });

  it("a guest's paid subscription checkout: the claim, the charge, one settlement statement and no transaction", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f, { priceId: f.monthlyPriceId });
    await confirmedInThreeStatements(id);

    const records = await recordsOf(id);
    const subscriptionId = records.session.subscriptionId;
    expect(records.session.status).toBe("succeeded");
    expect(subscriptionId).toMatch(/^sub/);
    expect(records.subscriptions.map((s) => [s.id, s.status])).toEqual([[subscriptionId, "active"]]);
    expect(records.billingPeriods).toHaveLength(1);
    expect(records.payments).toHaveLength(1);
    expect(records.payments[0]).toMatchObject({ status: "succeeded", amount: 900, subscriptionId });
    expect(records.invoices).toHaveLength(1);
    expect(records.invoices[0]).toMatchObject({
      type: "subscription",
      status: "paid",
      total: 900,
      subscriptionId,
      billingPeriodId: records.billingPeriods[0]?.id,
    });
  });

  it("a guest's trial subscription: the claim, the card's setup, one settlement statement and no transaction", async () => {
    const f = await catalogFixture(ctx);
    const org = f.merchant.organizationId;
    const id = await anonymousSession(ctx, f, { priceId: f.trialPriceId });
    const { settlement } = await confirmedInThreeStatements(id);
    expect(settlement).not.toMatch(COUNTED);

    const records = await recordsOf(id);
    // A trial owes nothing today: a trialing subscription whose first period is the trial, on the card.
    await expectTrialSubscription(f, records, { quantity: 1, name: null, metadata: null });
    expect(records.session).toMatchObject({ customerEmail: "buyer@example.com" });
    expect(records.session.customerId).toMatch(/^cus/);
    // The guest became a customer without taking an invoice number; the card is their default.
    const [customer] = records.customers;
    if (!customer) throw new Error("customer missing");
    expect(customer.invoiceCount).toBe(0);
    expect(records.paymentMethods.map((m) => [m.id, m.isDefault])).toEqual([
      [records.session.paymentMethodId, true],
    ]);
    expect(records.events.map((e) => e.type)).toEqual(["customer.created", ...TRIAL_EVENTS]);
    expect(await countOf(subscriptions, org)).toBe(1);
    expect(await countOf(billingPeriods, org)).toBe(1);
    expect(await countOf(invoices, org)).toBe(0);
    expect(await countOf(payments, org)).toBe(0);
  });

  it("a guest's free one-time order: the claim and one settlement statement, no charge, no card, no transaction", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f, { priceId: f.freePriceId });
    // The page asks for a card whatever the price: a well-formed one lets the claim go first.
    const { result: res, sent } = await recorded(() => submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`https://merchant.example/thanks?session=${id}`);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(CLAIM);
    expect(sent[1]).toMatch(SETTLE);
    expect(sent.some((s) => BEGIN.test(s))).toBe(false);
    await expectFreeOrder(f, id);
  });

  it("a guest's free one-time order sent without a card: read, claimed, and settled in one statement", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f, { priceId: f.freePriceId });
    const { result: res, sent } = await recorded(() => submitCheckoutForm(ctx, id, {}));
    expect(res.status).toBe(303);
    expect(sent.filter((s) => CLAIM.test(s))).toHaveLength(1);
    expect(sent.filter((s) => SETTLE.test(s))).toHaveLength(1);
    expect(sent.at(-1)).toMatch(SETTLE);
    expect(sent.some((s) => PROCESSOR.test(s))).toBe(false);
    expect(sent.some((s) => BEGIN.test(s))).toBe(false);
    await expectFreeOrder(f, id);
  });
});

/** A guest's free order: a customer, the purchase, an invoice of 0 paid; no payment, no card, no subscription. */
async function expectFreeOrder(f: CatalogFixture, id: string) {
  const records = await recordsOf(id);
  expect(records.session).toMatchObject({
    status: "succeeded",
    lastError: null,
    processorIntentId: null,
    paymentId: null,
    paymentMethodId: null,
    subscriptionId: null,
    purchaseId: records.purchases[0]?.id,
    invoiceId: records.invoices[0]?.id,
  });
  expect(records.session.completedAt).toBeInstanceOf(Date);
  expect(records.customers).toHaveLength(1);
  const [customer] = records.customers;
  expect(customer).toMatchObject({ email: "buyer@example.com", invoiceCount: 1 });
  expect(records.purchases).toHaveLength(1);
  expect(records.purchases[0]).toMatchObject({ priceId: f.freePriceId, status: "paid", quantity: 1 });
  expect(records.invoices.map((i) => [i.type, i.total, i.status, i.invoiceNumber])).toEqual([
    ["purchase", 0, "paid", `${customer?.invoiceNumberBase}-0001`],
  ]);
  expect(records.paymentMethods).toEqual([]);
  expect(records.payments).toEqual([]);
  expect(records.subscriptions).toEqual([]);
  expect(records.events.map((e) => e.type)).toEqual([
    "customer.created",
    "purchase.completed",
    "invoice.paid",
    "checkout_session.succeeded",
  ]);
}

describe("a free order whose attempt moved on", () => {
  it.each(movesOn.filter(([name]) => !name.includes("updated_at only")))(
    "writes nothing when %s: only the claimed attempt completes an order without a charge",
    async (_, moveOn) => {
      const f = await catalogFixture(ctx);
      const org = f.merchant.organizationId;
      const id = await anonymousSession(ctx, f, { priceId: f.freePriceId });
      const start = await beginAttempt(ctx.deps, id, BUYER);
      if (start.kind !== "started") throw new Error(`claim refused: ${start.kind}`);
      const { reading } = start;
      const plan = await chargePlanWith(ctx.deps, reading.session, start);
      expect(plan.mode).toBe("none");
      await moveOn(reading.session);
      const before = await sessionRow(id);
      const position = await lastEventPosition(org);

      const { result, sent } = await recorded(() =>
        settleProductCheckout(ctx.deps, reading, plan, undefined, reading.session.attempt),
      );
      expect(result).toEqual(before);
      expect(sent).toHaveLength(2);
      expect(sent[0]).toMatch(SETTLE);
      expect(sent[1]).toMatch(READ);
      await expectNothingWritten(id, before, org, position);
      expect(await countOf(customers, org)).toBe(0);
    },
  );

  it("is still completed by its claimed attempt when only updated_at moved", async () => {
    const f = await catalogFixture(ctx);
    const org = f.merchant.organizationId;
    const id = await anonymousSession(ctx, f, { priceId: f.freePriceId });
    const start = await beginAttempt(ctx.deps, id, BUYER);
    if (start.kind !== "started") throw new Error(`claim refused: ${start.kind}`);
    const { reading } = start;
    const plan = await chargePlanWith(ctx.deps, reading.session, start);
    const touch = movesOn.find(([name]) => name.includes("updated_at only"))?.[1];
    if (!touch) throw new Error("no updated_at move");
    await touch(reading.session);
    const before = await sessionRow(id);
    const position = await lastEventPosition(org);

    let looked = false;
    const deps = pausingAfterSettlement(async (round) => {
      if (round !== 1) return;
      await expectNothingWritten(id, before, org, position);
      looked = true;
    });
    const { result, sent } = await recorded(() =>
      settleProductCheckout(deps, reading, plan, undefined, reading.session.attempt),
    );
    expect(looked).toBe(true);
    expect(sent).toHaveLength(3);
    expect(sent[0]).toMatch(SETTLE);
    expect(sent[1]).toMatch(READ);
    expect(sent[2]).toMatch(SETTLE);
    expect(result.status).toBe("succeeded");
    expect((await recordsOf(id)).session).toEqual(result);
  });
});

const SUBSCRIPTION_EVENTS = [
  "payment_method.created",
  "subscription.created",
  "purchase.completed",
  "invoice.paid",
  "payment.succeeded",
  "checkout_session.succeeded",
];

/** A subscription of the monthly price for two seats, with an output name and metadata. */
const TWO_SEATS = { quantity: 2, outputName: "Two seats", outputMetadata: { order: "S-2", seats: 2 } };

/**
 * What a paid subscription checkout stored: one active subscription on the checkout's card, its one item,
 * its first billing period, invoiced and paid; its events say what the API says.
 */
async function expectPaidSubscription(f: CatalogFixture, r: Records) {
  const { session } = r;
  expect(session).toMatchObject({ status: "succeeded", lastError: null, attempt: 1 });
  expect(r.subscriptions).toHaveLength(1);
  expect(r.subscriptionItems).toHaveLength(1);
  expect(r.billingPeriods).toHaveLength(1);
  expect(r.invoices).toHaveLength(1);
  expect(r.lines).toHaveLength(1);
  expect(r.payments).toHaveLength(1);
  expect(r.purchases).toHaveLength(1);
  const [subscription] = r.subscriptions;
  const [item] = r.subscriptionItems;
  const [period] = r.billingPeriods;
  if (!subscription || !item || !period) throw new Error("subscription records missing");
  expect(session.subscriptionId).toBe(subscription.id);
  expect(session.paymentMethodId).toMatch(/^pm/);
  expect(subscription).toMatchObject({
    status: "active",
    customerId: session.customerId,
    priceId: f.monthlyPriceId,
    pricingModelId: f.pricingModelId,
    name: "Two seats",
    metadata: { order: "S-2", seats: 2 },
    interval: "month",
    intervalCount: 1,
    renews: true,
    trialEnd: null,
    defaultPaymentMethodId: session.paymentMethodId,
    checkoutSessionId: session.id,
    isFreePlan: false,
    canceledAt: null,
  });
  expect(subscription.currentBillingPeriodStart).toEqual(period.startDate);
  expect(subscription.currentBillingPeriodEnd).toEqual(period.endDate);
  expect(subscription.billingCycleAnchorDate).toEqual(subscription.startDate);
  expect(period.startDate).toEqual(subscription.startDate);
  expect(period.endDate).toEqual(addInterval(period.startDate, "month", 1));
  expect(period).toMatchObject({ subscriptionId: subscription.id, status: "active", trialPeriod: false });
  expect(item).toMatchObject({
    subscriptionId: subscription.id,
    priceId: f.monthlyPriceId,
    name: "Two seats",
    quantity: 2,
    unitPrice: 900,
    expiredAt: null,
  });
  expect(r.invoices[0]).toMatchObject({
    id: session.invoiceId,
    type: "subscription",
    status: "paid",
    total: 1800,
    subscriptionId: subscription.id,
    billingPeriodId: period.id,
    purchaseId: session.purchaseId,
  });
  expect(r.lines[0]).toMatchObject({ priceId: f.monthlyPriceId, quantity: 2, unitPrice: 900, amount: 1800 });
  expect(r.payments[0]).toMatchObject({
    id: session.paymentId,
    status: "succeeded",
    amount: 1800,
    subscriptionId: subscription.id,
    invoiceId: session.invoiceId,
    paymentMethodId: session.paymentMethodId,
    customerId: session.customerId,
  });
  expect(r.purchases[0]).toMatchObject({ id: session.purchaseId, quantity: 2, name: "Two seats" });
  expect(r.paymentMethods.map((m) => [m.id, m.isDefault])).toEqual([[session.paymentMethodId, true]]);

  // The events say what the API says about the subscription and the session.
  const created = r.events.filter((e) => e.type === "subscription.created");
  expect(created.map((e) => e.objectId)).toEqual([subscription.id]);
  const fetched = await ctx.api("GET", `/api/v1/subscriptions/${subscription.id}`, {
    key: f.merchant.testKey,
  });
  expect(fetched.status).toBe(200);
  expect(created[0]?.payload.data).toEqual(fetched.body.subscription);
  const fetchedSession = await ctx.api("GET", `/api/v1/checkout-sessions/${session.id}`, {
    key: f.merchant.testKey,
  });
  expect(fetchedSession.body.checkoutSession).toMatchObject({ subscriptionId: subscription.id });
  expect(r.events.at(-1)?.type).toBe("checkout_session.succeeded");
  expect(r.events.at(-1)?.payload.data).toEqual(fetchedSession.body.checkoutSession);
}

/**
 * A guest's session of `priceId` whose claimed row moved on (updated_at) before its settlement: the first
 * settlement statement writes nothing (no customer, card, subscription, item or period either), then the
 * writer reads again and honours the charge.
 */
async function guestSubscriptionMovedOnThenSettled(priceId: (f: CatalogFixture) => string) {
  const f = await catalogFixture(ctx);
  const org = f.merchant.organizationId;
  const id = await anonymousSession(ctx, f, { priceId: priceId(f), ...TWO_SEATS });
  const claimed = await claimAndCharge(id);
  const { session } = claimed.reading;
  await db
    .update(checkoutSessions)
    .set({ updatedAt: new Date(session.updatedAt.getTime() + 1000) })
    .where(eq(checkoutSessions.id, id));
  const after = await refusedThenSettled(claimed, org, async () => {
    for (const table of [customers, paymentMethods, subscriptions, subscriptionItems, billingPeriods]) {
      expect(await countOf(table, org)).toBe(0);
    }
  });
  return { f, org, intent: claimed.intent, after };
}

describe("a paid subscription checkout", () => {
  it("a guest's: settled in one statement, an active subscription with its item and first period, invoiced", async () => {
    const f = await catalogFixture(ctx);
    const claimed = await claimAndCharge(
      await anonymousSession(ctx, f, { priceId: f.monthlyPriceId, ...TWO_SEATS }),
    );
    expect(claimed.plan).toMatchObject({ mode: "payment", trialDays: 0 });
    expect(claimed.intent).toMatchObject({ kind: "payment", status: "succeeded", amount: 1800 });

    const { result, sent } = await recorded(() => settleClaimed(claimed));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(SETTLE);
    expect(sent[0]).not.toMatch(COUNTED);
    const r = await recordsOf(claimed.reading.session.id);
    expect(result).toEqual(r.session);
    expect(r.customers).toHaveLength(1);
    expect(r.customers[0]).toMatchObject({ email: BUYER.email, name: BUYER.name, invoiceCount: 1 });
    expect(r.invoices[0]?.invoiceNumber).toBe(`${r.customers[0]?.invoiceNumberBase}-0001`);
    await expectPaidSubscription(f, r);
    expect(r.events.map((e) => e.type)).toEqual(["customer.created", ...SUBSCRIPTION_EVENTS]);
    expect(r.payments[0]).toMatchObject({ processorIntentId: claimed.intent.intentId });
  });

  it("a known customer's: settled in one statement counting the invoice", async () => {
    const f = await catalogFixture(ctx);
    const customer = await createCustomer(ctx, f.merchant.testKey, "sub-known");
    const claimed = await claimAndCharge(
      await knownSession(f, "sub-known", { priceId: f.monthlyPriceId, ...TWO_SEATS }),
    );
    expect(claimed.reading.buyer).toMatchObject({ id: customer.id, invoiceCount: 0, hasDefaultCard: false });

    const { sent } = await recorded(() => settleClaimed(claimed));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(SETTLE);
    expect(sent[0]).toMatch(COUNTED);
    const r = await recordsOf(claimed.reading.session.id);
    expect(r.session.customerId).toBe(customer.id);
    await expectPaidSubscription(f, r);
    const [row] = r.customers;
    if (!row) throw new Error("customer missing");
    expect(row.invoiceCount).toBe(1);
    expect(r.invoices[0]?.invoiceNumber).toBe(`${row.invoiceNumberBase}-0001`);
    // The customer's own creation came before the checkout.
    expect(r.events.map((e) => e.type)).toEqual(["customer.created", ...SUBSCRIPTION_EVENTS]);
  });

  it("writes nothing on the first try when the claimed session moved on, then makes exactly one subscription", async () => {
    const { f, org, intent, after } = await guestSubscriptionMovedOnThenSettled((f) => f.monthlyPriceId);
    expect(after.session).toMatchObject({ processorIntentId: intent.intentId });
    await expectPaidSubscription(f, after);
    expect(after.events.map((e) => e.type)).toEqual(["customer.created", ...SUBSCRIPTION_EVENTS]);
    expect(await countOf(customers, org)).toBe(1);
    expect(await countOf(subscriptions, org)).toBe(1);
    expect(await countOf(subscriptionItems, org)).toBe(1);
    expect(await countOf(billingPeriods, org)).toBe(1);
  });
});

/** A trial's checkout events: no invoice and no payment, as nothing is owed until the trial ends. */
const TRIAL_EVENTS = [
  "payment_method.created",
  "subscription.created",
  "purchase.completed",
  "checkout_session.succeeded",
];

const TRIAL_DAYS_MS = 14 * 24 * 60 * 60 * 1000;

/**
 * What a trial checkout stored: one trialing subscription of the trial price on the checkout's card, its
 * one item, its trial as the first billing period ending when the trial does, the purchase, and no invoice
 * or payment; the session points at no invoice or payment. Its events say what the API says.
 */
async function expectTrialSubscription(
  f: CatalogFixture,
  r: Records,
  order: { quantity: number; name: string | null; metadata: Record<string, unknown> | null },
) {
  const { session } = r;
  expect(session).toMatchObject({
    status: "succeeded",
    lastError: null,
    attempt: 1,
    invoiceId: null,
    paymentId: null,
  });
  expect(r.subscriptions).toHaveLength(1);
  expect(r.subscriptionItems).toHaveLength(1);
  expect(r.billingPeriods).toHaveLength(1);
  expect(r.purchases).toHaveLength(1);
  expect(r.invoices).toEqual([]);
  expect(r.lines).toEqual([]);
  expect(r.payments).toEqual([]);
  const [subscription] = r.subscriptions;
  const [item] = r.subscriptionItems;
  const [period] = r.billingPeriods;
  if (!subscription || !item || !period) throw new Error("subscription records missing");
  expect(session.subscriptionId).toBe(subscription.id);
  expect(session.purchaseId).toBe(r.purchases[0]?.id);
  expect(session.paymentMethodId).toMatch(/^pm/);
  expect(r.paymentMethods.map((m) => m.id)).toContain(session.paymentMethodId);
  expect(subscription).toMatchObject({
    status: "trialing",
    customerId: session.customerId,
    priceId: f.trialPriceId,
    pricingModelId: f.pricingModelId,
    name: order.name,
    metadata: order.metadata,
    interval: "month",
    intervalCount: 1,
    renews: true,
    defaultPaymentMethodId: session.paymentMethodId,
    checkoutSessionId: session.id,
    isFreePlan: false,
    canceledAt: null,
  });
  // The trial is the first period; paid billing is anchored where it ends.
  const { trialEnd } = subscription;
  if (!trialEnd) throw new Error("trialing subscription without a trialEnd");
  expect(trialEnd.getTime() - subscription.startDate.getTime()).toBe(TRIAL_DAYS_MS);
  expect(subscription.billingCycleAnchorDate).toEqual(trialEnd);
  expect(subscription.currentBillingPeriodStart).toEqual(period.startDate);
  expect(subscription.currentBillingPeriodEnd).toEqual(period.endDate);
  expect(period.startDate).toEqual(subscription.startDate);
  expect(period.endDate).toEqual(trialEnd);
  expect(period).toMatchObject({ subscriptionId: subscription.id, status: "active", trialPeriod: true });
  expect(item).toMatchObject({
    subscriptionId: subscription.id,
    priceId: f.trialPriceId,
    quantity: order.quantity,
    unitPrice: 1500,
    expiredAt: null,
  });
  expect(r.purchases[0]).toMatchObject({
    customerId: session.customerId,
    priceId: f.trialPriceId,
    quantity: order.quantity,
    metadata: order.metadata,
  });

  // Nothing was billed, and the events say what the API says about the subscription and the session.
  const types = r.events.map((e) => e.type);
  expect(types).not.toContain("invoice.paid");
  expect(types).not.toContain("payment.succeeded");
  const created = r.events.filter((e) => e.type === "subscription.created");
  expect(created.map((e) => e.objectId)).toEqual([subscription.id]);
  const fetched = await ctx.api("GET", `/api/v1/subscriptions/${subscription.id}`, {
    key: f.merchant.testKey,
  });
  expect(fetched.status).toBe(200);
  expect(fetched.body.subscription).toMatchObject({ status: "trialing", trialEnd: trialEnd.getTime() });
  expect(created[0]?.payload.data).toEqual(fetched.body.subscription);
  const fetchedSession = await ctx.api("GET", `/api/v1/checkout-sessions/${session.id}`, {
    key: f.merchant.testKey,
  });
  expect(fetchedSession.status).toBe(200);
  expect(fetchedSession.body.checkoutSession).toMatchObject({
    subscriptionId: subscription.id,
    invoiceId: null,
    paymentId: null,
  });
  expect(r.events.at(-1)?.type).toBe("checkout_session.succeeded");
  expect(r.events.at(-1)?.payload.data).toEqual(fetchedSession.body.checkoutSession);
}

/** Two trial seats, with an output name and metadata. */
const TWO_TRIAL_SEATS_ORDER = { quantity: 2, name: "Two seats", metadata: { order: "S-2", seats: 2 } };

describe("a subscription trial", () => {
  it("a guest's: settled in one statement, trialing, no invoice and no number taken, the card the default", async () => {
    const f = await catalogFixture(ctx);
    const claimed = await claimAndCharge(
      await anonymousSession(ctx, f, { priceId: f.trialPriceId, ...TWO_SEATS }),
    );
    expect(claimed.plan).toMatchObject({ mode: "setup", trialDays: 14 });
    expect(claimed.intent).toMatchObject({ kind: "setup", status: "succeeded" });

    const { result, sent } = await recorded(() => settleClaimed(claimed));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(SETTLE);
    expect(sent[0]).not.toMatch(COUNTED);
    const r = await recordsOf(claimed.reading.session.id);
    expect(result).toEqual(r.session);
    expect(r.customers).toHaveLength(1);
    await expectTrialSubscription(f, r, TWO_TRIAL_SEATS_ORDER);
    expect(r.customers[0]).toMatchObject({ email: BUYER.email, invoiceCount: 0 });
    expect(r.paymentMethods.map((m) => [m.id, m.isDefault])).toEqual([[r.session.paymentMethodId, true]]);
    expect(r.events.map((e) => e.type)).toEqual(["customer.created", ...TRIAL_EVENTS]);
  });

  it("a known customer's with a paid invoice and a default card: no number taken, the card not made default", async () => {
    const f = await catalogFixture(ctx);
    const customer = await createCustomer(ctx, f.merchant.testKey, "trial-known");
    // They already bought once: one paid invoice, numbered -0001, and the card of that checkout as default.
    const earlierId = await knownSession(f, "trial-known");
    expect((await submitCheckoutForm(ctx, earlierId, { cardNumber: CARDS.ok })).status).toBe(303);
    expect((await sessionRow(earlierId)).status).toBe("succeeded");
    const earlier = await customerRow(customer.id);
    expect(earlier.invoiceCount).toBe(1);
    const [earlierCard] = await cardsOf(customer.id);
    expect(earlierCard?.[1]).toBe(true);

    const claimed = await claimAndCharge(
      await knownSession(f, "trial-known", { priceId: f.trialPriceId, ...TWO_SEATS }),
    );
    expect(claimed.reading.buyer).toMatchObject({ id: customer.id, invoiceCount: 1, hasDefaultCard: true });
    expect(claimed.intent).toMatchObject({ kind: "setup", status: "succeeded" });

    const { sent } = await recorded(() => settleClaimed(claimed));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(SETTLE);
    // Nothing is numbered, so the customer's count is not touched.
    expect(sent[0]).not.toMatch(COUNTED);
    const r = await recordsOf(claimed.reading.session.id);
    expect(r.session.customerId).toBe(customer.id);
    await expectTrialSubscription(f, r, TWO_TRIAL_SEATS_ORDER);
    const [row] = r.customers;
    if (!row) throw new Error("customer missing");
    expect(row.invoiceCount).toBe(1);
    // The earlier card stays the one default; the trial's card is saved beside it.
    expect(r.paymentMethods.map((m) => [m.id, m.isDefault])).toEqual([
      [earlierCard?.[0], true],
      [r.session.paymentMethodId, false],
    ]);
    // The customer's creation and earlier checkout came before this one.
    expect(r.events.map((e) => e.type).slice(-TRIAL_EVENTS.length)).toEqual(TRIAL_EVENTS);
    expect(r.events.map((e) => e.type)).not.toContain("customer.updated");
    // The next invoice takes the number after the earlier one: the trial took none.
    const next = await otherInvoice(f, customer.id);
    expect(next.invoice.invoiceNumber).toBe(`${earlier.invoiceNumberBase}-0002`);
  });

  it("a guest who trialed and later pays for a one-time order: that invoice is their first, -0001", async () => {
    const f = await catalogFixture(ctx);
    const trialId = await anonymousSession(ctx, f, { priceId: f.trialPriceId });
    const trial = await recorded(() => submitCheckoutForm(ctx, trialId, { cardNumber: CARDS.ok }));
    expect(trial.result.status).toBe(303);
    expect(trial.sent.filter((s) => SETTLE.test(s))).toHaveLength(1);
    const trialed = await recordsOf(trialId);
    const [guest] = trialed.customers;
    if (!guest) throw new Error("guest missing");
    expect(guest.invoiceCount).toBe(0);
    expect(trialed.invoices).toEqual([]);

    const paidId = await knownSession(f, guest.externalId);
    const { settlement } = await confirmedInThreeStatements(paidId);
    expect(settlement).toMatch(COUNTED);
    const paid = await recordsOf(paidId);
    expect(paid.session).toMatchObject({ status: "succeeded", customerId: guest.id });
    expect(paid.invoices.map((i) => i.invoiceNumber)).toEqual([`${guest.invoiceNumberBase}-0001`]);
    expect(paid.payments).toHaveLength(1);
    expect((await customerRow(guest.id)).invoiceCount).toBe(1);
    expect(await invoiceNumbersOf(guest.id)).toEqual([`${guest.invoiceNumberBase}-0001`]);
    // Their trial's card is still the default; the order's card is saved beside it.
    expect(await cardsOf(guest.id)).toEqual([
      [trialed.session.paymentMethodId, true],
      [paid.session.paymentMethodId, false],
    ]);
  });

  it("writes nothing on the first try when the claimed session moved on, then makes exactly one trial", async () => {
    const { f, org, intent, after } = await guestSubscriptionMovedOnThenSettled((f) => f.trialPriceId);
    expect(after.session).toMatchObject({ processorIntentId: intent.intentId });
    await expectTrialSubscription(f, after, TWO_TRIAL_SEATS_ORDER);
    expect(after.customers[0]?.invoiceCount).toBe(0);
    expect(after.events.map((e) => e.type)).toEqual(["customer.created", ...TRIAL_EVENTS]);
    expect(await countOf(customers, org)).toBe(1);
    expect(await countOf(subscriptions, org)).toBe(1);
    expect(await countOf(subscriptionItems, org)).toBe(1);
    expect(await countOf(billingPeriods, org)).toBe(1);
    expect(await countOf(invoices, org)).toBe(0);
    expect(await countOf(payments, org)).toBe(0);
  });
});

describe("webhook deliveries of a settled checkout", () => {
  it("queues one pending delivery per event for each endpoint that subscribes to it", async () => {
    const f = await catalogFixture(ctx);
    const key = f.merchant.testKey;
    const createWebhook = async (webhook: Record<string, unknown>) => {
      const res = await ctx.api("POST", "/api/v1/webhooks", { key, body: { webhook } });
      expect(res.status).toBe(201);
      return res.body.webhook.id as string;
    };
    const everything = await createWebhook({ url: "https://example.com/all" });
    const some = await createWebhook({
      url: "https://example.com/some",
      eventTypes: ["invoice.paid", "checkout_session.succeeded"],
    });
    const off = await createWebhook({ url: "https://example.com/off", active: false });
    // Another merchant's endpoint hears nothing of this checkout.
    const other = await ctx.merchant();
    const elsewhere = await ctx.api("POST", "/api/v1/webhooks", {
      key: other.testKey,
      body: { webhook: { url: "https://example.com/other" } },
    });
    expect(elsewhere.status).toBe(201);

    const id = await anonymousSession(ctx, f);
    const { result: res, sent } = await recorded(() => submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok }));
    expect(res.status).toBe(303);
    expect(sent.filter((s) => SETTLE.test(s))).toHaveLength(1);
    expect(sent.some((s) => BEGIN.test(s))).toBe(false);

    const records = await recordsOf(id);
    const deliveriesTo = (endpointId: string) =>
      db
        .select({ delivery: webhookDeliveries, event: events })
        .from(webhookDeliveries)
        .innerJoin(events, eq(events.id, webhookDeliveries.eventId))
        .where(eq(webhookDeliveries.endpointId, endpointId))
        .orderBy(asc(events.position));

    const all = await deliveriesTo(everything);
    expect(all.map((d) => d.event.type)).toEqual(GUEST_ONE_TIME_EVENTS);
    expect(all.map((d) => d.event.id)).toEqual(records.events.map((e) => e.id));
    for (const { delivery, event } of all) {
      expect(delivery).toMatchObject({
        organizationId: f.merchant.organizationId,
        livemode: false,
        status: "pending",
        attemptCount: 0,
        lockedUntil: null,
        deliveredAt: null,
      });
      expect(delivery.nextAttemptAt).toEqual(event.createdAt);
    }
    expect(new Set(all.map((d) => d.delivery.id)).size).toBe(6);

    const chosen = await deliveriesTo(some);
    expect(chosen.map((d) => d.event.type)).toEqual(["invoice.paid", "checkout_session.succeeded"]);
    expect(await deliveriesTo(off)).toEqual([]);
    expect(await deliveriesTo(elsewhere.body.webhook.id)).toEqual([]);
  });
});
