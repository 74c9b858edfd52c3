import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { beginAttempt, settleDecline } from "../../src/checkout/attempt.js";
import { chargePlanWith } from "../../src/checkout/charge-plan.js";
import { intentRequest, settleIntent } from "../../src/checkout/confirm.js";
import { fulfilSession } from "../../src/checkout/fulfill.js";
import { fitsOneStatement, fulfilInOneStatement } from "../../src/checkout/fulfill-in-one-statement.js";
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
const ONE_STATEMENT = /^with "guard" as \(update "checkout_sessions" set status = 'succeeded'/;
const BEGIN = /^begin\b/i;
/** The known-customer statement's count of one more invoice for the buyer. */
const NUMBERED = /numbered as \(update "customers" set "invoice_count"/;

const BUYER = { email: "gus@example.com", name: "Gus Guest", country: "DE" };

async function sessionRow(id: string) {
  const [row] = await db.select().from(checkoutSessions).where(eq(checkoutSessions.id, id));
  if (!row) throw new Error(`session ${id} missing`);
  return row;
}

/** What `confirmCheckout` does before settling: claim the session, plan the charge, charge the card. */
async function claimAndCharge(sessionId: string) {
  const start = await beginAttempt(ctx.deps, sessionId, BUYER);
  if (start.kind !== "started") throw new Error(`claim refused: ${start.kind}`);
  const session = start.session;
  const plan = await chargePlanWith(ctx.deps, session, start);
  const card = validateCard({ number: CARDS.ok, expMonth: 12, expYear: 34, cvc: "123" }, ctx.deps.now());
  const intent = await ctx.deps.processor.createIntent(intentRequest(session, plan, card));
  return { session, plan, intent, buyer: start.buyer };
}

/**
 * Twins for `settleBothWays`: two sessions opened alike (`open` is told which side it makes), then each
 * claimed and charged, in that order.
 */
async function chargedTwins(open: (side: "fast" | "slow") => Promise<string>) {
  const fastId = await open("fast");
  const slowId = await open("slow");
  return { fast: await claimAndCharge(fastId), slow: await claimAndCharge(slowId) };
}

/**
 * Settles `fast` in one statement and its twin `slow` through the transaction; both must succeed, and what
 * each answers must be exactly the row it stored. Their records, and the one statement's text.
 */
async function settleBothWays(
  fast: Awaited<ReturnType<typeof claimAndCharge>>,
  slow: Awaited<ReturnType<typeof claimAndCharge>>,
) {
  const { result: fastSettled, sent } = await recorded(() =>
    fulfilInOneStatement(ctx.deps, fast.session, fast.plan, fast.intent, fast.buyer),
  );
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatch(ONE_STATEMENT);
  const slowSettled = await fulfilSession(
    ctx.deps,
    slow.session.id,
    slow.plan,
    slow.intent,
    slow.session.attempt,
  );
  expect(slowSettled.status).toBe("succeeded");
  const a = await recordsOf(fast.session.id);
  const b = await recordsOf(slow.session.id);
  expect(fastSettled).toEqual(a.session);
  expect(slowSettled).toEqual(b.session);
  return { a, b, sent: sent[0] };
}

/** The two checkouts stored the same rows, once ids, timestamps and random bases are normalised away. */
function expectSameRecords(a: Records, b: Records) {
  const na = normalised(a);
  const nb = normalised(b);
  expect(na.customers).toEqual(nb.customers);
  expect(na.paymentMethods).toEqual(nb.paymentMethods);
  expect(na.purchases).toEqual(nb.purchases);
  expect(na.invoices).toEqual(nb.invoices);
  expect(na.lines).toEqual(nb.lines);
  expect(na.payments).toEqual(nb.payments);
  expect(na.subscriptions).toEqual(nb.subscriptions);
  expect(na.subscriptionItems).toEqual(nb.subscriptionItems);
  expect(na.billingPeriods).toEqual(nb.billingPeriods);
  expect(na.session).toEqual(nb.session);
  expect(na.events).toEqual(nb.events);
}

/**
 * A guest's subscription session whose claimed row moved on before fulfilment: the one statement writes
 * nothing (no customer, card, subscription, item or period either), then the transaction honours the charge.
 */
async function guestSubscriptionMovedOnThenSettled(
  priceOf: (f: CatalogFixture) => string,
  order: Record<string, unknown>,
) {
  const f = await catalogFixture(ctx);
  const org = f.merchant.organizationId;
  const id = await anonymousSession(ctx, f, { priceId: priceOf(f), ...order });
  const claimed = await claimAndCharge(id);
  const { session, plan, intent } = claimed;
  expect(fitsOneStatement(session, plan, intent)).toBe(true);
  await db
    .update(checkoutSessions)
    .set({ updatedAt: new Date(session.updatedAt.getTime() + 1000) })
    .where(eq(checkoutSessions.id, id));
  const after = await refusedThenSettled(claimed, org, async () => {
    for (const table of [customers, paymentMethods, subscriptions, subscriptionItems, billingPeriods]) {
      expect(await countOf(table, org)).toBe(0);
    }
  });
  return { f, org, intent, after };
}

/**
 * Pays `sessionId` on the hosted page with the good test card: the customer lands on the success URL, and
 * the confirm sent the claim, the charge and one fulfilment statement, with no transaction.
 */
async function confirmedInThreeStatements(sessionId: string) {
  const { result: res, sent } = await recorded(() =>
    submitCheckoutForm(ctx, sessionId, { cardNumber: CARDS.ok }),
  );
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toBe(`https://merchant.example/thanks?session=${sessionId}`);
  expect(sent).toHaveLength(3);
  expect(sent[0]).toMatch(CLAIM);
  expect(sent[1]).toMatch(PROCESSOR);
  expect(sent[2]).toMatch(ONE_STATEMENT);
  expect(sent.some((s) => BEGIN.test(s))).toBe(false);
  return { res, fulfilment: sent[2] };
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
      inArray(
        invoiceLineItems.invoiceId,
        invoiceRows.map((i) => i.id),
      ),
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
  for (const i of records.invoices) label("invoice", i.id);
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
    | typeof billingPeriods,
  organizationId: string,
) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(table)
    .where(eq(table.organizationId, organizationId));
  return row?.n;
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
    createInvoice(tx, merchantOf(f), {
      customerId,
      pricingModelId: f.pricingModelId,
      type: "standalone",
      currency: "USD",
      lines: [{ priceId: null, description: "Consulting", quantity: 1, unitPrice: 5000 }],
      status: "open",
    }),
  );
}

/** A card saved for the customer outside any checkout, made their default. */
function otherDefaultCard(f: CatalogFixture, customerId: string, processorMethodId: string) {
  return db.transaction((tx) =>
    savePaymentMethod(tx, merchantOf(f), {
      customerId,
      pricingModelId: f.pricingModelId,
      processor: ctx.deps.processor.name,
      processorMethodId,
      card: { brand: "visa", last4: "1881", expMonth: 7, expYear: 2031 },
      makeDefault: true,
    }),
  );
}

describe("a guest's paid one-time checkout settled in one statement", () => {
  it("stores the same records and events as the transaction path", async () => {
    const f = await catalogFixture(ctx);
    const { fast, slow } = await chargedTwins(() => guestSession(f));
    expect(fast.intent).toMatchObject({ kind: "payment", status: "succeeded", amount: 5997 });
    expect(slow.intent).toMatchObject({ kind: "payment", status: "succeeded", amount: 5997 });
    expect(fitsOneStatement(fast.session, fast.plan, fast.intent)).toBe(true);

    const { a, b } = await settleBothWays(fast, slow);

    for (const r of [a, b]) {
      expect(r.session).toMatchObject({ status: "succeeded", lastError: null, attempt: 1 });
      expect(r.customers).toHaveLength(1);
      expect(r.paymentMethods).toHaveLength(1);
      expect(r.purchases).toHaveLength(1);
      expect(r.invoices).toHaveLength(1);
      expect(r.lines).toHaveLength(1);
      expect(r.payments).toHaveLength(1);
    }
    expect(a.purchases[0]).toMatchObject({
      name: "Three seats",
      quantity: 3,
      metadata: { order: "A-17", rush: true, seats: 3 },
      firstInvoiceValue: 5997,
    });
    expect(a.payments[0]).toMatchObject({
      amount: 5997,
      status: "succeeded",
      processorIntentId: fast.intent.intentId,
    });
    expect(a.paymentMethods[0]).toMatchObject({
      isDefault: true,
      last4: "4242",
      billingDetails: { name: BUYER.name, email: BUYER.email, address: { country: BUYER.country } },
    });

    expectSameRecords(a, b);
    expect(a.events.map((e) => e.type)).toEqual([
      "customer.created",
      "payment_method.created",
      "purchase.completed",
      "invoice.paid",
      "payment.succeeded",
      "checkout_session.succeeded",
    ]);
    expect(b.events.map((e) => e.type)).toEqual(a.events.map((e) => e.type));
    // The session's event says what the API says about the session.
    const fetched = await ctx.api("GET", `/api/v1/checkout-sessions/${fast.session.id}`, {
      key: f.merchant.testKey,
    });
    expect(a.events.at(-1)?.payload.data).toEqual(fetched.body.checkoutSession);

    // Numbering: the fast path wrote the customer with its first number already taken.
    for (const r of [a, b]) {
      const [customer] = r.customers;
      const [invoice] = r.invoices;
      if (!customer || !invoice) throw new Error("records missing");
      expect(customer.invoiceNumberBase).toMatch(/^[0-9A-F]{8}$/);
      expect(invoice.invoiceNumber).toBe(`${customer.invoiceNumberBase}-0001`);
      expect(customer.invoiceCount).toBe(1);
      const second = await db.transaction((tx) =>
        createInvoice(tx, merchantOf(f), {
          customerId: customer.id,
          pricingModelId: f.pricingModelId,
          type: "standalone",
          currency: "USD",
          lines: [{ priceId: null, description: "Extra seat", quantity: 1, unitPrice: 1999 }],
          status: "open",
        }),
      );
      expect(second.invoice.invoiceNumber).toBe(`${customer.invoiceNumberBase}-0002`);
    }
  });
});

describe("a claim that no longer holds when the fast path runs", () => {
  const movesOn: [string, (session: { id: string; attempt: number; updatedAt: Date }) => Promise<unknown>][] =
    [
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

  it.each(movesOn)("writes nothing when %s, and the charge is still honoured", async (_, moveOn) => {
    const f = await catalogFixture(ctx);
    const id = await guestSession(f);
    const org = f.merchant.organizationId;
    const { session, plan, intent } = await claimAndCharge(id);
    expect(fitsOneStatement(session, plan, intent)).toBe(true);
    await moveOn(session);
    const before = await sessionRow(id);
    const eventIds = () =>
      db
        .select({ id: events.id })
        .from(events)
        .where(eq(events.organizationId, org))
        .orderBy(asc(events.position));
    const eventsBefore = await eventIds();

    const { result, sent } = await recorded(() => fulfilInOneStatement(ctx.deps, session, plan, intent));
    expect(result).toBeUndefined();
    // The statement was sent: it is its guard that wrote nothing.
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(ONE_STATEMENT);
    expect(await sessionRow(id)).toEqual(before);
    expect(await countOf(customers, org)).toBe(0);
    expect(await countOf(paymentMethods, org)).toBe(0);
    expect(await db.select().from(purchases).where(eq(purchases.checkoutSessionId, id))).toEqual([]);
    expect(await db.select().from(invoices).where(eq(invoices.checkoutSessionId, id))).toEqual([]);
    expect(await db.select().from(payments).where(eq(payments.checkoutSessionId, id))).toEqual([]);
    expect(await eventIds()).toEqual(eventsBefore);
    expect(
      await db
        .select()
        .from(events)
        .where(and(eq(events.organizationId, org), eq(events.objectId, id))),
    ).toEqual([]);

    // The customer has paid: the confirm's own settlement honours the charge through the transaction.
    const settled = await recorded(() => settleIntent(ctx.deps, session, intent, { plan, buyer: null }));
    expect(settled.result.kind).toBe("succeeded");
    expect(settled.sent.some((s) => BEGIN.test(s))).toBe(true);
    const after = await recordsOf(id);
    expect(after.session).toMatchObject({ status: "succeeded", processorIntentId: intent.intentId });
    expect(after.payments).toHaveLength(1);
    expect(after.payments[0]).toMatchObject({
      status: "succeeded",
      amount: 5997,
      processorIntentId: intent.intentId,
    });
    expect(after.customers).toHaveLength(1);
    expect(after.purchases).toHaveLength(1);
    expect(after.invoices).toHaveLength(1);
    expect(await countOf(customers, org)).toBe(1);
  });

  it.each(movesOn)("writes nothing for a known customer when %s: no number is taken", async (_, moveOn) => {
    const f = await catalogFixture(ctx);
    const org = f.merchant.organizationId;
    const customer = await createCustomer(ctx, f.merchant.testKey, "moved-on");
    const id = await knownSession(f, "moved-on");
    const { session, plan, intent, buyer } = await claimAndCharge(id);
    if (!buyer) throw new Error("the claim read no buyer");
    expect(fitsOneStatement(session, plan, intent, buyer)).toBe(true);
    await moveOn(session);
    const before = await sessionRow(id);
    const position = await lastEventPosition(org);

    const { result, sent } = await recorded(() =>
      fulfilInOneStatement(ctx.deps, session, plan, intent, buyer),
    );
    expect(result).toBeUndefined();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(ONE_STATEMENT);
    expect(sent[0]).toMatch(NUMBERED);
    expect(await sessionRow(id)).toEqual(before);
    expect(await db.select().from(purchases).where(eq(purchases.checkoutSessionId, id))).toEqual([]);
    expect(await db.select().from(invoices).where(eq(invoices.checkoutSessionId, id))).toEqual([]);
    expect(await db.select().from(payments).where(eq(payments.checkoutSessionId, id))).toEqual([]);
    expect(await eventsAfter(org, position)).toEqual([]);
    expect((await customerRow(customer.id)).invoiceCount).toBe(0);
    expect(await cardsOf(customer.id)).toEqual([]);

    const settled = await recorded(() => settleIntent(ctx.deps, session, intent, { plan, buyer }));
    expect(settled.result.kind).toBe("succeeded");
    expect(settled.sent.some((s) => BEGIN.test(s))).toBe(true);
    const after = await recordsOf(id);
    expect(after.session).toMatchObject({ status: "succeeded", customerId: customer.id });
    expect(after.invoices.map((i) => i.invoiceNumber)).toEqual([`${buyer.invoiceNumberBase}-0001`]);
    expect((await customerRow(customer.id)).invoiceCount).toBe(1);
  });
});

const CHECKOUT_EVENTS = [
  "payment_method.created",
  "purchase.completed",
  "invoice.paid",
  "payment.succeeded",
  "checkout_session.succeeded",
];

describe("a known customer's paid one-time checkout settled in one statement", () => {
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
    "stores the same records and events as the transaction path, for %s",
    async (_, history) => {
      const f = await catalogFixture(ctx);
      const fastCustomer = await createCustomer(ctx, f.merchant.testKey, "same-fast");
      const slowCustomer = await createCustomer(ctx, f.merchant.testKey, "same-slow");
      await history(f, fastCustomer.id);
      await history(f, slowCustomer.id);
      const earlier = await customerRow(fastCustomer.id);
      const hadCard = (await cardsOf(fastCustomer.id)).length > 0;
      const order = { quantity: 3, outputName: "Three seats", outputMetadata: { order: "A-17", seats: 3 } };
      const { fast, slow } = await chargedTwins((side) => knownSession(f, `same-${side}`, order));
      expect(fast.buyer).toEqual({
        id: fastCustomer.id,
        email: fastCustomer.email,
        name: fastCustomer.name,
        invoiceCount: earlier.invoiceCount,
        invoiceNumberBase: earlier.invoiceNumberBase,
        hasDefaultCard: hadCard,
      });
      expect(fitsOneStatement(fast.session, fast.plan, fast.intent, fast.buyer)).toBe(true);

      const { a, b, sent } = await settleBothWays(fast, slow);
      expect(sent).toMatch(NUMBERED);

      const next = earlier.invoiceCount + 1;
      for (const r of [a, b]) {
        expect(r.session).toMatchObject({ status: "succeeded", lastError: null, attempt: 1 });
        expect(r.customers).toHaveLength(1);
        expect(r.purchases).toHaveLength(1);
        expect(r.invoices).toHaveLength(1);
        expect(r.lines).toHaveLength(1);
        expect(r.payments).toHaveLength(1);
        const [customer] = r.customers;
        if (!customer) throw new Error("customer missing");
        expect(customer.invoiceCount).toBe(next);
        expect(r.invoices[0]?.invoiceNumber).toBe(
          `${customer.invoiceNumberBase}-${String(next).padStart(4, "0")}`,
        );
        // The checkout's card is the default only if the customer had none; there is one default either way.
        expect(r.paymentMethods).toHaveLength(hadCard ? 2 : 1);
        expect(r.paymentMethods.at(-1)).toMatchObject({ id: r.session.paymentMethodId, isDefault: !hadCard });
        expect(r.paymentMethods.filter((m) => m.isDefault)).toHaveLength(1);
      }
      expect(a.payments[0]).toMatchObject({ amount: 5997, status: "succeeded", customerId: fastCustomer.id });

      expectSameRecords(a, b);
      // Before the checkout's own events: the customer's creation (and their earlier card's).
      expect(a.events.map((e) => e.type).slice(-CHECKOUT_EVENTS.length)).toEqual(CHECKOUT_EVENTS);
      expect(a.events.map((e) => e.type)).not.toContain("customer.updated");
      expect(b.events.map((e) => e.type)).toEqual(a.events.map((e) => e.type));
      const fetched = await ctx.api("GET", `/api/v1/checkout-sessions/${fast.session.id}`, {
        key: f.merchant.testKey,
      });
      expect(a.events.at(-1)?.payload.data).toEqual(fetched.body.checkoutSession);
    },
  );
});

/** Nothing of the checkout was stored: the session as it was, no records for it, no event since `position`. */
async function expectNothingWritten(
  sessionId: string,
  before: Awaited<ReturnType<typeof sessionRow>>,
  organizationId: string,
  position: number,
) {
  expect(await sessionRow(sessionId)).toEqual(before);
  expect(before.status).toBe("pending");
  expect(await db.select().from(purchases).where(eq(purchases.checkoutSessionId, sessionId))).toEqual([]);
  expect(await db.select().from(invoices).where(eq(invoices.checkoutSessionId, sessionId))).toEqual([]);
  expect(await db.select().from(payments).where(eq(payments.checkoutSessionId, sessionId))).toEqual([]);
  expect(await eventsAfter(organizationId, position)).toEqual([]);
}

/**
 * The one statement is sent and writes nothing; `meanwhile` checks what stands between that and the
 * confirm's own settlement, which then honours the charge through the transaction. The settled records.
 */
async function refusedThenSettled(
  claimed: Awaited<ReturnType<typeof claimAndCharge>>,
  organizationId: string,
  meanwhile: () => Promise<void>,
) {
  const { session, plan, intent, buyer } = claimed;
  const before = await sessionRow(session.id);
  const position = await lastEventPosition(organizationId);
  const { result, sent } = await recorded(() => fulfilInOneStatement(ctx.deps, session, plan, intent, buyer));
  expect(result).toBeUndefined();
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatch(ONE_STATEMENT);
  await expectNothingWritten(session.id, before, organizationId, position);
  await meanwhile();
  const settled = await recorded(() => settleIntent(ctx.deps, session, intent, { plan, buyer }));
  expect(settled.result.kind).toBe("succeeded");
  expect(settled.sent.some((s) => BEGIN.test(s))).toBe(true);
  return recordsOf(session.id);
}

/**
 * A new known customer's one-time session, claimed and charged: the claim read them with no invoice yet and
 * no card, and the one statement would settle it.
 */
async function freshCustomerClaimed(externalId: string) {
  const f = await catalogFixture(ctx);
  const customer = await createCustomer(ctx, f.merchant.testKey, externalId);
  const id = await knownSession(f, externalId);
  const claimed = await claimAndCharge(id);
  const { session, plan, intent, buyer } = claimed;
  if (!buyer) throw new Error("the claim read no buyer");
  expect(buyer).toMatchObject({ id: customer.id, invoiceCount: 0, hasDefaultCard: false });
  expect(fitsOneStatement(session, plan, intent, buyer)).toBe(true);
  return { f, org: f.merchant.organizationId, customer, id, session, plan, intent, buyer };
}

describe("what the claim read of a known customer no longer holds when the fast path runs", () => {
  it("another invoice took the predicted number: nothing is written, and the transaction numbers the next", async () => {
    const { f, org, customer, session, plan, intent, buyer } = await freshCustomerClaimed("raced-number");
    const base = buyer.invoiceNumberBase;

    const other = await otherInvoice(f, customer.id);
    expect(other.invoice.invoiceNumber).toBe(`${base}-0001`);

    // The customer has paid: the confirm's own settlement honours the charge under the row lock.
    const after = await refusedThenSettled({ session, plan, intent, buyer }, org, async () => {
      expect((await customerRow(customer.id)).invoiceCount).toBe(1);
      expect(await cardsOf(customer.id)).toEqual([]);
    });
    expect(after.session).toMatchObject({
      status: "succeeded",
      customerId: customer.id,
      processorIntentId: intent.intentId,
    });
    expect(after.invoices.map((i) => i.invoiceNumber)).toEqual([`${base}-0002`]);
    expect(after.payments).toHaveLength(1);
    expect(after.payments[0]).toMatchObject({ status: "succeeded", processorIntentId: intent.intentId });
    expect((await customerRow(customer.id)).invoiceCount).toBe(2);
    // No gap, no duplicate.
    const numbers = await db
      .select({ n: invoices.invoiceNumber })
      .from(invoices)
      .where(eq(invoices.customerId, customer.id))
      .orderBy(asc(invoices.invoiceNumber));
    expect(numbers.map((r) => r.n)).toEqual([`${base}-0001`, `${base}-0002`]);
    expect(await cardsOf(customer.id)).toEqual([[after.session.paymentMethodId, true]]);
  });

  it("a default card appeared since the claim: nothing is written, and the transaction saves a second card", async () => {
    const { f, org, customer, session, plan, intent, buyer } = await freshCustomerClaimed("raced-card");

    const saved = await otherDefaultCard(f, customer.id, "pm_saved_meanwhile");
    expect(saved.isDefault).toBe(true);

    const after = await refusedThenSettled({ session, plan, intent, buyer }, org, async () => {
      expect((await customerRow(customer.id)).invoiceCount).toBe(0);
      expect(await cardsOf(customer.id)).toEqual([[saved.id, true]]);
    });
    expect(after.session).toMatchObject({ status: "succeeded", customerId: customer.id });
    expect(after.session.paymentMethodId).not.toBe(saved.id);
    expect(await cardsOf(customer.id)).toEqual([
      [saved.id, true],
      [after.session.paymentMethodId, false],
    ]);
    expect(after.invoices.map((i) => i.invoiceNumber)).toEqual([`${buyer.invoiceNumberBase}-0001`]);
    expect((await customerRow(customer.id)).invoiceCount).toBe(1);
    expect(after.payments).toHaveLength(1);
  });

  it("two checkouts of one customer settling at once: one in one statement, the other after it", async () => {
    const f = await catalogFixture(ctx);
    const customer = await createCustomer(ctx, f.merchant.testKey, "twice-at-once");
    const firstId = await knownSession(f, "twice-at-once");
    const secondId = await knownSession(f, "twice-at-once");
    const claims = [await claimAndCharge(firstId), await claimAndCharge(secondId)];
    // Both claims read the same customer: no invoice, no card. Both predict -0001 and a default card.
    expect(claims.map((c) => c.buyer)).toEqual([claims[0]?.buyer, claims[0]?.buyer]);
    const results = await Promise.all(
      claims.map((c) => fulfilInOneStatement(ctx.deps, c.session, c.plan, c.intent, c.buyer)),
    );
    const winner = results.findIndex((r) => r !== undefined);
    const loser = claims[1 - winner];
    expect(winner).toBeGreaterThanOrEqual(0);
    expect(results.filter((r) => r === undefined)).toHaveLength(1);
    if (!loser) throw new Error("no loser");
    expect(await sessionRow(loser.session.id)).toMatchObject({ status: "pending", invoiceId: null });
    expect((await customerRow(customer.id)).invoiceCount).toBe(1);

    const settled = await settleIntent(ctx.deps, loser.session, loser.intent, {
      plan: loser.plan,
      buyer: loser.buyer,
    });
    expect(settled.kind).toBe("succeeded");
    const winnerClaim = claims[winner];
    if (!winnerClaim) throw new Error("no winner");
    const first = await recordsOf(winnerClaim.session.id);
    const second = await recordsOf(loser.session.id);
    const base = claims[0]?.buyer?.invoiceNumberBase;
    expect(first.invoices.map((i) => i.invoiceNumber)).toEqual([`${base}-0001`]);
    expect(second.invoices.map((i) => i.invoiceNumber)).toEqual([`${base}-0002`]);
    expect((await customerRow(customer.id)).invoiceCount).toBe(2);
    expect(await cardsOf(customer.id)).toEqual([
      [first.session.paymentMethodId, true],
      [second.session.paymentMethodId, false],
    ]);
  });
});

describe("a known customer's settlement without the claim's reading of the buyer", () => {
  it("does not fit one statement and goes through the transaction", async () => {
    const f = await catalogFixture(ctx);
    const customer = await createCustomer(ctx, f.merchant.testKey, "unclaimed");
    const someoneElse = await createCustomer(ctx, f.merchant.testKey, "someone-else");
    const id = await knownSession(f, "unclaimed");
    const { session, plan, intent, buyer } = await claimAndCharge(id);
    if (!buyer) throw new Error("the claim read no buyer");
    expect(fitsOneStatement(session, plan, intent, buyer)).toBe(true);

    const notTheBuyer = [
      null,
      { ...buyer, id: someoneElse.id, email: someoneElse.email, name: someoneElse.name },
      { ...buyer, invoiceNumberBase: null },
    ];
    expect(fitsOneStatement(session, plan, intent)).toBe(false);
    for (const wrong of notTheBuyer) {
      expect(fitsOneStatement(session, plan, intent, wrong)).toBe(false);
      const { result, sent } = await recorded(() =>
        fulfilInOneStatement(ctx.deps, session, plan, intent, wrong),
      );
      expect(result).toBeUndefined();
      expect(sent).toEqual([]);
    }
    expect(await sessionRow(id)).toMatchObject({ status: "pending", paymentId: null });

    // A settlement that did not claim (a challenge answer, the reconciler) passes no buyer.
    const settled = await recorded(() => settleIntent(ctx.deps, session, intent));
    expect(settled.result.kind).toBe("succeeded");
    expect(settled.sent.some((s) => BEGIN.test(s))).toBe(true);
    expect(settled.sent.some((s) => ONE_STATEMENT.test(s))).toBe(false);
    const after = await recordsOf(id);
    expect(after.session).toMatchObject({ status: "succeeded", customerId: customer.id });
    expect(after.invoices.map((i) => i.invoiceNumber)).toEqual([`${buyer.invoiceNumberBase}-0001`]);
    expect((await customerRow(customer.id)).invoiceCount).toBe(1);
    expect(await cardsOf(customer.id)).toEqual([[after.session.paymentMethodId, true]]);
    expect(await cardsOf(someoneElse.id)).toEqual([]);
    expect((await customerRow(someoneElse.id)).invoiceCount).toBe(0);
  });
});

describe("what a hosted-page confirm sends", () => {
  it("a guest's paid one-time checkout: the claim, the charge, one fulfilment statement and no transaction", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f, { quantity: 2 });
    await confirmedInThreeStatements(id);

    const records = await recordsOf(id);
    expect(records.session).toMatchObject({ status: "succeeded", customerEmail: "buyer@example.com" });
    expect(records.payments).toHaveLength(1);
    expect(records.payments[0]).toMatchObject({ status: "succeeded", amount: 3998 });
  });

  it("a known customer's paid one-time checkout: one fulfilment statement, as the customer is now", async () => {
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

    const { fulfilment } = await confirmedInThreeStatements(id);
    expect(fulfilment).toMatch(NUMBERED);

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
    expect(happened.map((e) => e.type)).toEqual([
      "payment_method.created",
      "purchase.completed",
      "invoice.paid",
      "payment.succeeded",
      "checkout_session.succeeded",
    ]);
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
    await confirmedInThreeStatements(secondId);

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
    expect((await eventsAfter(f.merchant.organizationId, since)).map((e) => e.type)).toEqual([
      "payment_method.created",
      "purchase.completed",
      "invoice.paid",
      "payment.succeeded",
      "checkout_session.succeeded",
    ]);
  });

  it("a guest's paid subscription checkout: the claim, the charge, one fulfilment statement and no transaction", async () => {
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

  it("a guest's trial subscription: the claim, the card's setup, one fulfilment statement and no transaction", async () => {
    const f = await catalogFixture(ctx);
    const org = f.merchant.organizationId;
    const id = await anonymousSession(ctx, f, { priceId: f.trialPriceId });
    const { fulfilment } = await confirmedInThreeStatements(id);
    expect(fulfilment).not.toMatch(NUMBERED);

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
    expect(await db.select().from(invoices).where(eq(invoices.organizationId, org))).toEqual([]);
    expect(await db.select().from(payments).where(eq(payments.organizationId, org))).toEqual([]);
  });

  it("a guest's free one-time order still goes through the transaction, without a card", async () => {
    const f = await catalogFixture(ctx);
    const id = await anonymousSession(ctx, f, { priceId: f.freePriceId });
    const { result: res, sent } = await recorded(() => submitCheckoutForm(ctx, id, {}));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`https://merchant.example/thanks?session=${id}`);
    expect(sent.some((s) => BEGIN.test(s))).toBe(true);
    expect(sent.some((s) => ONE_STATEMENT.test(s))).toBe(false);
    expect(sent.some((s) => PROCESSOR.test(s))).toBe(false);

    const records = await recordsOf(id);
    expect(records.session).toMatchObject({
      status: "succeeded",
      lastError: null,
      paymentId: null,
      paymentMethodId: null,
      subscriptionId: null,
    });
    expect(records.customers).toHaveLength(1);
    expect(records.purchases).toHaveLength(1);
    expect(records.invoices.map((i) => [i.type, i.total])).toEqual([["purchase", 0]]);
    expect(records.paymentMethods).toEqual([]);
    expect(records.payments).toEqual([]);
    expect(records.subscriptions).toEqual([]);
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
 * What a paid subscription checkout stored, settled either way: one active subscription on the checkout's
 * card, its one item, its first billing period, invoiced and paid; its events say what the API says.
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

describe("a paid subscription checkout settled in one statement", () => {
  it("a guest's: stores the same records and events as the transaction path", async () => {
    const f = await catalogFixture(ctx);
    const { fast, slow } = await chargedTwins(() =>
      anonymousSession(ctx, f, { priceId: f.monthlyPriceId, ...TWO_SEATS }),
    );
    expect(fast.plan).toMatchObject({ mode: "payment", trialDays: 0 });
    expect(fast.intent).toMatchObject({ kind: "payment", status: "succeeded", amount: 1800 });
    expect(slow.intent).toMatchObject({ kind: "payment", status: "succeeded", amount: 1800 });
    expect(fitsOneStatement(fast.session, fast.plan, fast.intent)).toBe(true);

    const { a, b, sent } = await settleBothWays(fast, slow);
    expect(sent).not.toMatch(NUMBERED);
    for (const r of [a, b]) {
      expect(r.customers).toHaveLength(1);
      await expectPaidSubscription(f, r);
      expect(r.events.map((e) => e.type)).toEqual(["customer.created", ...SUBSCRIPTION_EVENTS]);
    }
    expect(a.payments[0]).toMatchObject({ processorIntentId: fast.intent.intentId });
    expectSameRecords(a, b);
  });

  it("a known customer's: stores the same records and events as the transaction path", async () => {
    const f = await catalogFixture(ctx);
    const fastCustomer = await createCustomer(ctx, f.merchant.testKey, "sub-fast");
    const slowCustomer = await createCustomer(ctx, f.merchant.testKey, "sub-slow");
    const { fast, slow } = await chargedTwins((side) =>
      knownSession(f, `sub-${side}`, { priceId: f.monthlyPriceId, ...TWO_SEATS }),
    );
    expect(fast.buyer).toMatchObject({ id: fastCustomer.id, invoiceCount: 0, hasDefaultCard: false });
    expect(fitsOneStatement(fast.session, fast.plan, fast.intent, fast.buyer)).toBe(true);

    const { a, b, sent } = await settleBothWays(fast, slow);
    expect(sent).toMatch(NUMBERED);
    for (const [r, customer] of [
      [a, fastCustomer],
      [b, slowCustomer],
    ] as const) {
      expect(r.session.customerId).toBe(customer.id);
      await expectPaidSubscription(f, r);
      const [row] = r.customers;
      if (!row) throw new Error("customer missing");
      expect(row.invoiceCount).toBe(1);
      expect(r.invoices[0]?.invoiceNumber).toBe(`${row.invoiceNumberBase}-0001`);
      // The customer's own creation came before the checkout.
      expect(r.events.map((e) => e.type)).toEqual(["customer.created", ...SUBSCRIPTION_EVENTS]);
    }
    expectSameRecords(a, b);
  });

  it("writes nothing when the claimed session moved on, and the transaction makes exactly one subscription", async () => {
    const { f, org, intent, after } = await guestSubscriptionMovedOnThenSettled(
      (f) => f.monthlyPriceId,
      TWO_SEATS,
    );
    expect(after.session).toMatchObject({ processorIntentId: intent.intentId });
    await expectPaidSubscription(f, after);
    expect(after.events.map((e) => e.type)).toEqual(["customer.created", ...SUBSCRIPTION_EVENTS]);
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
 * What a trial checkout stored, settled either way: one trialing subscription of the trial price on the
 * checkout's card, its one item, its trial as the first billing period ending when the trial does, the
 * purchase, and no invoice or payment; the session points at no invoice or payment. Its events say what the
 * API says.
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
const TWO_TRIAL_SEATS = {
  quantity: 2,
  outputName: "Two trial seats",
  outputMetadata: { order: "T-2", seats: 2 },
};
const TWO_TRIAL_SEATS_ORDER = { quantity: 2, name: "Two trial seats", metadata: { order: "T-2", seats: 2 } };

/** The trial's length on both sides, which the normalised comparison cannot see (it hides every time). */
function expectFourteenDayTrials(...records: Records[]) {
  for (const r of records) {
    const [subscription] = r.subscriptions;
    if (!subscription?.trialEnd) throw new Error("trial missing");
    expect(subscription.trialEnd.getTime() - subscription.startDate.getTime()).toBe(TRIAL_DAYS_MS);
    expect(r.billingPeriods[0]?.endDate).toEqual(subscription.trialEnd);
  }
}

describe("a subscription trial settled in one statement", () => {
  it("a guest's: stores the same records and events as the transaction path, and takes no invoice number", async () => {
    const f = await catalogFixture(ctx);
    const { fast, slow } = await chargedTwins(() =>
      anonymousSession(ctx, f, { priceId: f.trialPriceId, ...TWO_TRIAL_SEATS }),
    );
    expect(fast.plan).toMatchObject({ mode: "setup", trialDays: 14 });
    expect(fast.intent).toMatchObject({ kind: "setup", status: "succeeded" });
    expect(slow.intent).toMatchObject({ kind: "setup", status: "succeeded" });
    expect(fitsOneStatement(fast.session, fast.plan, fast.intent)).toBe(true);

    const { a, b, sent } = await settleBothWays(fast, slow);
    expect(sent).not.toMatch(NUMBERED);
    for (const r of [a, b]) {
      expect(r.customers).toHaveLength(1);
      await expectTrialSubscription(f, r, TWO_TRIAL_SEATS_ORDER);
      expect(r.customers[0]?.invoiceCount).toBe(0);
      expect(r.paymentMethods.map((m) => [m.id, m.isDefault])).toEqual([[r.session.paymentMethodId, true]]);
      expect(r.events.map((e) => e.type)).toEqual(["customer.created", ...TRIAL_EVENTS]);
    }
    expectFourteenDayTrials(a, b);
    expectSameRecords(a, b);
  });

  it("a known customer's with a paid invoice and a default card: the same records, no number taken, the card not made default", async () => {
    const f = await catalogFixture(ctx);
    const fastCustomer = await createCustomer(ctx, f.merchant.testKey, "trial-fast");
    const slowCustomer = await createCustomer(ctx, f.merchant.testKey, "trial-slow");
    // Each already bought once: one paid invoice, numbered -0001, and the card of that checkout as default.
    for (const externalId of ["trial-fast", "trial-slow"]) {
      const earlierId = await knownSession(f, externalId);
      expect((await submitCheckoutForm(ctx, earlierId, { cardNumber: CARDS.ok })).status).toBe(303);
      expect((await sessionRow(earlierId)).status).toBe("succeeded");
    }
    const earlier = await customerRow(fastCustomer.id);
    expect(earlier.invoiceCount).toBe(1);
    const [earlierCard] = await cardsOf(fastCustomer.id);
    expect(earlierCard?.[1]).toBe(true);

    const { fast, slow } = await chargedTwins((side) =>
      knownSession(f, `trial-${side}`, { priceId: f.trialPriceId, ...TWO_TRIAL_SEATS }),
    );
    expect(fast.buyer).toMatchObject({ id: fastCustomer.id, invoiceCount: 1, hasDefaultCard: true });
    expect(fast.intent).toMatchObject({ kind: "setup", status: "succeeded" });
    expect(fitsOneStatement(fast.session, fast.plan, fast.intent, fast.buyer)).toBe(true);

    const { a, b, sent } = await settleBothWays(fast, slow);
    // Nothing is numbered, so the customer's count is not touched.
    expect(sent).not.toMatch(NUMBERED);
    for (const [r, customer] of [
      [a, fastCustomer],
      [b, slowCustomer],
    ] as const) {
      expect(r.session.customerId).toBe(customer.id);
      await expectTrialSubscription(f, r, TWO_TRIAL_SEATS_ORDER);
      const [row] = r.customers;
      if (!row) throw new Error("customer missing");
      expect(row.invoiceCount).toBe(1);
      // The earlier card stays the one default; the trial's card is saved beside it.
      expect(r.paymentMethods).toHaveLength(2);
      expect(r.paymentMethods[0]?.isDefault).toBe(true);
      expect(r.paymentMethods[1]).toMatchObject({ id: r.session.paymentMethodId, isDefault: false });
      // The customer's creation and earlier card came before the checkout.
      expect(r.events.map((e) => e.type).slice(-TRIAL_EVENTS.length)).toEqual(TRIAL_EVENTS);
      expect(r.events.map((e) => e.type)).not.toContain("customer.updated");
    }
    expect(a.paymentMethods[0]?.id).toBe(earlierCard?.[0]);
    expectFourteenDayTrials(a, b);
    expectSameRecords(a, b);
    // The next invoice takes the number after the earlier one: the trial took none.
    const next = await otherInvoice(f, fastCustomer.id);
    expect(next.invoice.invoiceNumber).toBe(`${earlier.invoiceNumberBase}-0002`);
  });

  it("a guest who trialed and later pays for a one-time order: that invoice is their first, -0001", async () => {
    const f = await catalogFixture(ctx);
    const trialId = await anonymousSession(ctx, f, { priceId: f.trialPriceId });
    const trial = await recorded(() => submitCheckoutForm(ctx, trialId, { cardNumber: CARDS.ok }));
    expect(trial.result.status).toBe(303);
    expect(trial.sent.filter((s) => ONE_STATEMENT.test(s))).toHaveLength(1);
    const trialed = await recordsOf(trialId);
    const [guest] = trialed.customers;
    if (!guest) throw new Error("guest missing");
    expect(guest.invoiceCount).toBe(0);
    expect(trialed.invoices).toEqual([]);

    const paidId = await knownSession(f, guest.externalId);
    const { fulfilment } = await confirmedInThreeStatements(paidId);
    expect(fulfilment).toMatch(NUMBERED);
    const paid = await recordsOf(paidId);
    expect(paid.session).toMatchObject({ status: "succeeded", customerId: guest.id });
    expect(paid.invoices.map((i) => i.invoiceNumber)).toEqual([`${guest.invoiceNumberBase}-0001`]);
    expect(paid.payments).toHaveLength(1);
    expect((await customerRow(guest.id)).invoiceCount).toBe(1);
    const numbers = await db
      .select({ n: invoices.invoiceNumber })
      .from(invoices)
      .where(eq(invoices.customerId, guest.id));
    expect(numbers.map((r) => r.n)).toEqual([`${guest.invoiceNumberBase}-0001`]);
  });

  it("writes nothing when the claimed session moved on, and the transaction makes exactly one trial", async () => {
    const { f, org, intent, after } = await guestSubscriptionMovedOnThenSettled(
      (f) => f.trialPriceId,
      TWO_TRIAL_SEATS,
    );
    expect(after.session).toMatchObject({ processorIntentId: intent.intentId });
    await expectTrialSubscription(f, after, TWO_TRIAL_SEATS_ORDER);
    expect(after.customers[0]?.invoiceCount).toBe(0);
    expect(after.events.map((e) => e.type)).toEqual(["customer.created", ...TRIAL_EVENTS]);
    expect(await countOf(customers, org)).toBe(1);
    expect(await countOf(subscriptions, org)).toBe(1);
    expect(await countOf(subscriptionItems, org)).toBe(1);
    expect(await countOf(billingPeriods, org)).toBe(1);
    expect(await db.select().from(invoices).where(eq(invoices.organizationId, org))).toEqual([]);
    expect(await db.select().from(payments).where(eq(payments.organizationId, org))).toEqual([]);
  });
});

describe("webhook deliveries of a one-statement checkout", () => {
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
    expect(sent.filter((s) => ONE_STATEMENT.test(s))).toHaveLength(1);
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
    expect(all.map((d) => d.event.type)).toEqual([
      "customer.created",
      "payment_method.created",
      "purchase.completed",
      "invoice.paid",
      "payment.succeeded",
      "checkout_session.succeeded",
    ]);
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
