import { and, eq, inArray, like } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { answerChallenge, confirmCheckout } from "../../src/checkout/confirm.js";
import { reconcilePendingSessions } from "../../src/checkout/index.js";
import type { AppDeps, PaymentProcessor } from "../../src/context/index.js";
import { openDatabase } from "../../src/db/client.js";
import {
  checkoutSessions,
  customers,
  invoices,
  paymentMethods,
  payments,
  purchases,
  sandboxIntents,
  subscriptions,
} from "../../src/db/schema/index.js";
import { loadConfig } from "../../src/lib/config.js";
import { processorRegistry } from "../../src/processors/index.js";
import {
  CARDS,
  catalogFixture,
  createCustomer,
  eventCount,
  listen,
  openSession,
  ownDatabase,
  sessionRow,
  type TestContext,
  testContext,
  URLS,
} from "../support/index.js";
import { onlyProcessor, sandboxOf } from "../support/processors.js";

/**
 * Item 1 of issue #7: the races a real deployment sees, driven through real HTTP against a served app
 * with a connection pool large enough for Postgres to actually run the requests side by side.
 */
// A database of its own: its reconciler runs with no staleness over every tenant, and on the shared database it
// would settle other files' attempts in flight.
const databaseUrl = await ownDatabase();
const pool = await openDatabase({ databaseUrl, dataDir: "", poolSize: 24 });
afterAll(() => pool.close());
const ctx: TestContext = await testContext(
  { db: pool.db, processors: processorRegistry(pool.db, loadConfig({ LOG_LEVEL: "silent" })) },
  { databaseUrl },
);
const db = pool.db;

const { url: BASE } = await listen(ctx.app.fetch);

type HttpResult = { status: number; location: string | null; body: string; headers: Headers };

async function http(path: string, init: RequestInit = {}): Promise<HttpResult> {
  const res = await fetch(`${BASE}${path}`, { redirect: "manual", ...init });
  return {
    status: res.status,
    location: res.headers.get("location"),
    body: await res.text(),
    headers: res.headers,
  };
}

function confirmOverHttp(
  sessionId: string,
  card: string,
  buyer = { email: "race@example.com", name: "Race" },
) {
  const form = new URLSearchParams({
    ...buyer,
    country: "US",
    cardNumber: card,
    cardExpiry: "12 / 34",
    cardCvc: "123",
  });
  return http(`/checkout/${sessionId}/confirm`, {
    method: "POST",
    body: form.toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

function challengeOverHttp(sessionId: string, outcome: "approve" | "deny") {
  return http(`/checkout/${sessionId}/challenge`, {
    method: "POST",
    body: `outcome=${outcome}`,
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

function apiOverHttp(
  method: string,
  path: string,
  key: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return http(path, {
    method,
    headers: { authorization: key, "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const successUrl = (id: string) => URLS.successUrl.replace("{CHECKOUT_SESSION_ID}", id);

async function newSession(key: string, fields: Record<string, unknown>): Promise<string> {
  return (await openSession(ctx, key, { type: "product", ...fields })).checkoutSession.id;
}

async function intentsOf(sessionId: string) {
  return db
    .select()
    .from(sandboxIntents)
    .where(like(sandboxIntents.idempotencyKey, `${sessionId}:%`));
}

async function paymentsOf(sessionId: string) {
  return db.select().from(payments).where(eq(payments.checkoutSessionId, sessionId));
}

/** Every sandbox charge that succeeded has exactly one succeeded payment row; nothing is charged unrecorded. */
async function expectEveryChargeRecorded(sessionId: string) {
  const charged = (await intentsOf(sessionId)).filter(
    (i) => i.kind === "payment" && i.status === "succeeded",
  );
  const recorded = (await paymentsOf(sessionId)).filter((p) => p.status === "succeeded");
  expect(recorded.map((p) => p.processorIntentId).sort()).toEqual(charged.map((i) => i.id).sort());
}

describe("100 concurrent confirms of one session over HTTP", () => {
  it("one-time price: one charge, one payment, one purchase, one invoice, one set of events", async () => {
    const f = await catalogFixture(ctx);
    await createCustomer(ctx, f.merchant.testKey, "hammer");
    const id = await newSession(f.merchant.testKey, {
      customerExternalId: "hammer",
      priceId: f.oneTimePriceId,
      quantity: 2,
    });
    const results = await Promise.all(Array.from({ length: 100 }, () => confirmOverHttp(id, CARDS.ok)));

    for (const r of results) {
      expect(r.status).toBe(303);
      expect([successUrl(id), `/checkout/${id}`]).toContain(r.location);
    }
    expect(results.filter((r) => r.location === successUrl(id)).length).toBeGreaterThanOrEqual(1);

    const intents = await intentsOf(id);
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({ status: "succeeded", amount: 3998 });
    const paid = await paymentsOf(id);
    expect(paid).toHaveLength(1);
    expect(paid[0]).toMatchObject({ status: "succeeded", amount: 3998, processorIntentId: intents[0]?.id });
    expect(await db.select().from(purchases).where(eq(purchases.checkoutSessionId, id))).toHaveLength(1);
    expect(await db.select().from(invoices).where(eq(invoices.checkoutSessionId, id))).toHaveLength(1);
    const org = f.merchant.organizationId;
    expect(await eventCount(ctx, org, "checkout_session.succeeded", id)).toBe(1);
    expect(await eventCount(ctx, org, "payment.succeeded")).toBe(1);
    expect(await eventCount(ctx, org, "purchase.completed")).toBe(1);
    expect(await eventCount(ctx, org, "invoice.paid")).toBe(1);
    expect(await eventCount(ctx, org, "payment_method.created")).toBe(1);
    expect((await sessionRow(ctx, id)).status).toBe("succeeded");
  });

  it("subscription price: one charge and exactly one subscription", async () => {
    const f = await catalogFixture(ctx);
    const id = await newSession(f.merchant.testKey, {
      anonymous: true,
      priceId: f.monthlyPriceId,
      quantity: 3,
    });
    const results = await Promise.all(Array.from({ length: 100 }, () => confirmOverHttp(id, CARDS.ok)));
    for (const r of results) expect(r.status).toBe(303);

    expect(await intentsOf(id)).toHaveLength(1);
    const paid = await paymentsOf(id);
    expect(paid.map((p) => [p.status, p.amount])).toEqual([["succeeded", 2700]]);
    const subs = await db.select().from(subscriptions).where(eq(subscriptions.checkoutSessionId, id));
    expect(subs).toHaveLength(1);
    expect(subs[0]?.status).toBe("active");
    // One guest customer, not one per racing request.
    const guests = await db
      .select()
      .from(customers)
      .where(eq(customers.organizationId, f.merchant.organizationId));
    expect(guests).toHaveLength(1);
    expect(await eventCount(ctx, f.merchant.organizationId, "subscription.created")).toBe(1);
    expect(await eventCount(ctx, f.merchant.organizationId, "customer.created")).toBe(1);
  });

  it("challenge card: one intent, and 100 concurrent approvals fulfil it once", async () => {
    const f = await catalogFixture(ctx);
    const id = await newSession(f.merchant.testKey, { anonymous: true, priceId: f.oneTimePriceId });
    const confirms = await Promise.all(
      Array.from({ length: 100 }, () => confirmOverHttp(id, CARDS.challenge)),
    );
    for (const r of confirms) expect(r.status).toBe(303);
    expect(confirms.some((r) => r.location === `/checkout/${id}/challenge`)).toBe(true);
    expect(await intentsOf(id)).toHaveLength(1);

    const approvals = await Promise.all(Array.from({ length: 100 }, () => challengeOverHttp(id, "approve")));
    for (const r of approvals) {
      expect(r.status).toBe(303);
      expect([successUrl(id), `/checkout/${id}`]).toContain(r.location);
    }
    const paid = await paymentsOf(id);
    expect(paid.map((p) => p.status)).toEqual(["succeeded"]);
    expect(await db.select().from(purchases).where(eq(purchases.checkoutSessionId, id))).toHaveLength(1);
    expect(await eventCount(ctx, f.merchant.organizationId, "checkout_session.succeeded", id)).toBe(1);
  });

  it("approvals and denials racing on one challenge settle one way, consistently", async () => {
    const f = await catalogFixture(ctx);
    const id = await newSession(f.merchant.testKey, { anonymous: true, priceId: f.oneTimePriceId });
    await confirmOverHttp(id, CARDS.challenge);
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => challengeOverHttp(id, i % 2 === 0 ? "approve" : "deny")),
    );
    for (const r of answers) expect(r.status).toBeLessThan(500);

    const [intent] = await intentsOf(id);
    const session = await sessionRow(ctx, id);
    const paid = await paymentsOf(id);
    const bought = await db.select().from(purchases).where(eq(purchases.checkoutSessionId, id));
    if (intent?.status === "succeeded") {
      expect(session.status).toBe("succeeded");
      expect(paid.map((p) => p.status)).toEqual(["succeeded"]);
      expect(bought).toHaveLength(1);
    } else {
      expect(intent?.status).toBe("failed");
      expect(session.status).toBe("open");
      expect(paid.map((p) => p.status)).toEqual(["failed"]);
      expect(bought).toHaveLength(0);
    }
  });

  it("good and declined cards racing: at most one charge, and a decline never undoes a success", async () => {
    const f = await catalogFixture(ctx);
    const id = await newSession(f.merchant.testKey, { anonymous: true, priceId: f.oneTimePriceId });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => confirmOverHttp(id, i % 2 === 0 ? CARDS.decline : CARDS.ok)),
    );
    for (const r of results) expect(r.status).toBeLessThan(500);

    const intents = await intentsOf(id);
    const charged = intents.filter((i) => i.status === "succeeded");
    expect(charged.length).toBeLessThanOrEqual(1);
    await expectEveryChargeRecorded(id);
    const session = await sessionRow(ctx, id);
    const bought = await db.select().from(purchases).where(eq(purchases.checkoutSessionId, id));
    expect(bought).toHaveLength(charged.length);
    expect(session.status).toBe(
      charged.length === 1 ? "succeeded" : session.attempt >= 5 ? "failed" : "open",
    );
    // Every decline the processor gave is on record as a failed payment, once.
    const failedIntents = intents
      .filter((i) => i.status === "failed")
      .map((i) => i.id)
      .sort();
    const failedPayments = (await paymentsOf(id)).filter((p) => p.status === "failed");
    expect(failedPayments.map((p) => p.processorIntentId).sort()).toEqual(failedIntents);
  });

  it("only declines: the session closes after five attempts however many requests race", async () => {
    const f = await catalogFixture(ctx);
    const id = await newSession(f.merchant.testKey, { anonymous: true, priceId: f.oneTimePriceId });
    const results = await Promise.all(Array.from({ length: 100 }, () => confirmOverHttp(id, CARDS.decline)));
    for (const r of results) expect(r.status).toBeLessThan(500);
    // More rounds until the session is closed: requests that raced an in-flight attempt did not count.
    for (let round = 0; round < 10 && (await sessionRow(ctx, id)).status === "open"; round++) {
      await Promise.all(Array.from({ length: 10 }, () => confirmOverHttp(id, CARDS.decline)));
    }
    const session = await sessionRow(ctx, id);
    expect(session.status).toBe("failed");
    const intents = await intentsOf(id);
    expect(intents).toHaveLength(5);
    expect(intents.every((i) => i.status === "failed")).toBe(true);
    expect(await eventCount(ctx, f.merchant.organizationId, "checkout_session.failed", id)).toBe(1);
    const late = await confirmOverHttp(id, CARDS.ok);
    expect(late.status).toBeLessThan(500);
    expect((await paymentsOf(id)).every((p) => p.status === "failed")).toBe(true);
  });

  it("expire racing confirms: never an expired session with a charge", async () => {
    for (let round = 0; round < 5; round++) {
      const f = await catalogFixture(ctx);
      const id = await newSession(f.merchant.testKey, { anonymous: true, priceId: f.oneTimePriceId });
      const calls = Array.from({ length: 40 }, (_, i) =>
        i % 8 === round
          ? apiOverHttp("POST", `/api/v1/checkout-sessions/${id}/expire`, f.merchant.testKey)
          : confirmOverHttp(id, CARDS.ok),
      );
      const results = await Promise.all(calls);
      for (const r of results) expect(r.status).toBeLessThan(500);
      const session = await sessionRow(ctx, id);
      const paid = await paymentsOf(id);
      if (session.status === "expired") expect(paid).toHaveLength(0);
      else {
        expect(session.status).toBe("succeeded");
        expect(paid).toHaveLength(1);
      }
      await expectEveryChargeRecorded(id);
    }
  });
});

describe("many sessions of one customer at once", () => {
  it("30 concurrent checkouts (one-time, subscription, trial) all succeed with their own records", async () => {
    const f = await catalogFixture(ctx);
    const customer = await createCustomer(ctx, f.merchant.testKey, "busy");
    const prices = [f.oneTimePriceId, f.monthlyPriceId, f.trialPriceId];
    const created = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        apiOverHttp("POST", "/api/v1/checkout-sessions", f.merchant.testKey, {
          checkoutSession: { type: "product", customerExternalId: "busy", priceId: prices[i % 3], ...URLS },
        }),
      ),
    );
    for (const r of created) expect(r.status).toBe(200);
    const ids = created.map((r) => JSON.parse(r.body).checkoutSession.id as string);
    expect(new Set(ids).size).toBe(30);

    const results = await Promise.all(ids.map((id) => confirmOverHttp(id, CARDS.ok)));
    results.forEach((r, i) => {
      expect(r.status).toBe(303);
      expect(r.location).toBe(successUrl(ids[i] as string));
    });
    const rows = await db.select().from(checkoutSessions).where(inArray(checkoutSessions.id, ids));
    expect(rows.every((r) => r.status === "succeeded" && r.customerId === customer.id)).toBe(true);
    const paid = await db
      .select()
      .from(payments)
      .where(and(inArray(payments.checkoutSessionId, ids), eq(payments.status, "succeeded")));
    // Trials charge nothing today: 10 one-time and 10 monthly sessions are charged.
    expect(paid).toHaveLength(20);
    expect(new Set(paid.map((p) => p.checkoutSessionId)).size).toBe(20);
    const subs = await db.select().from(subscriptions).where(eq(subscriptions.customerId, customer.id));
    expect(subs).toHaveLength(20);
    expect(await db.select().from(purchases).where(eq(purchases.customerId, customer.id))).toHaveLength(30);
    const methods = await db.select().from(paymentMethods).where(eq(paymentMethods.customerId, customer.id));
    expect(methods).toHaveLength(30);
    expect(methods.filter((m) => m.isDefault)).toHaveLength(1);
  });
});

describe("Idempotency-Key under concurrency", () => {
  /** Retries 409s the way the official client would (it honours x-should-retry) until an answer sticks. */
  async function settle(send: () => Promise<HttpResult>, first: HttpResult): Promise<HttpResult> {
    let r = first;
    for (let i = 0; r.status === 409 && i < 50; i++) {
      expect(r.headers.get("x-should-retry")).toBe("true");
      await new Promise((resolve) => setTimeout(resolve, 20));
      r = await send();
    }
    return r;
  }

  it("100 concurrent creates with one key make one session, and every caller ends up with its response", async () => {
    const f = await catalogFixture(ctx);
    const body = {
      checkoutSession: { type: "product", anonymous: true, priceId: f.oneTimePriceId, ...URLS },
    };
    const headers = { "idempotency-key": `burst-${Math.random()}` };
    const send = () => apiOverHttp("POST", "/api/v1/checkout-sessions", f.merchant.testKey, body, headers);
    const first = await Promise.all(Array.from({ length: 100 }, send));
    for (const r of first) expect([200, 409]).toContain(r.status);
    const final = await Promise.all(first.map((r) => settle(send, r)));
    for (const r of final) expect(r.status).toBe(200);
    // Byte-for-byte the same response for everyone: a replay, not a re-run.
    expect(new Set(final.map((r) => r.body)).size).toBe(1);
    expect(
      final.filter((r) => r.headers.get("idempotent-replayed") === "true").length,
    ).toBeGreaterThanOrEqual(99);
    const rows = await db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.organizationId, f.merchant.organizationId));
    expect(rows).toHaveLength(1);
  });

  it("one key reused with different bodies at once: exactly one body wins, the rest are refused", async () => {
    const f = await catalogFixture(ctx);
    const headers = { "idempotency-key": `mixed-${Math.random()}` };
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        apiOverHttp(
          "POST",
          "/api/v1/checkout-sessions",
          f.merchant.testKey,
          {
            checkoutSession: {
              type: "product",
              anonymous: true,
              priceId: f.oneTimePriceId,
              quantity: i + 1,
              ...URLS,
            },
          },
          headers,
        ),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    for (const r of results) expect([200, 409, 422]).toContain(r.status);
    const rows = await db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.organizationId, f.merchant.organizationId));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.quantity).toBe(JSON.parse(ok[0]?.body ?? "{}").checkoutSession.quantity);
  });

  it("concurrent customer creates: one customer with a key, one winner and clean conflicts without", async () => {
    const f = await catalogFixture(ctx);
    const body = { customer: { externalId: "twin", email: "twin@example.com", name: "Twin" } };
    const keyed = await Promise.all(
      Array.from({ length: 40 }, () =>
        apiOverHttp("POST", "/api/v1/customers", f.merchant.testKey, body, { "idempotency-key": "twin-key" }),
      ),
    );
    for (const r of keyed) expect([200, 201, 409]).toContain(r.status);
    const bare = { customer: { externalId: "solo", email: "solo@example.com", name: "Solo" } };
    const unkeyed = await Promise.all(
      Array.from({ length: 40 }, () => apiOverHttp("POST", "/api/v1/customers", f.merchant.testKey, bare)),
    );
    expect(unkeyed.filter((r) => r.status < 300)).toHaveLength(1);
    for (const r of unkeyed.filter((x) => x.status >= 300)) {
      expect(r.status).toBe(409);
      expect(JSON.parse(r.body).code).toBe("CONFLICT");
      expect(r.headers.get("x-should-retry")).toBe("false");
    }
    const rows = await db
      .select()
      .from(customers)
      .where(eq(customers.organizationId, f.merchant.organizationId));
    expect(rows.map((c) => c.externalId).sort()).toEqual(["solo", "twin"]);
    expect(await eventCount(ctx, f.merchant.organizationId, "customer.created")).toBe(2);
  });

  it("concurrent refunds never return more than was charged, keyed or not", async () => {
    const f = await catalogFixture(ctx);
    const id = await newSession(f.merchant.testKey, { anonymous: true, priceId: f.oneTimePriceId });
    expect((await confirmOverHttp(id, CARDS.ok)).status).toBe(303);
    const [payment] = await paymentsOf(id);
    if (!payment) throw new Error("no payment");
    const path = `/api/v1/payments/${payment.id}/refund`;
    const keyed = await Promise.all(
      Array.from({ length: 30 }, () =>
        apiOverHttp(
          "POST",
          path,
          f.merchant.testKey,
          { partialAmount: 100 },
          { "idempotency-key": "refund-once" },
        ),
      ),
    );
    for (const r of keyed) expect([200, 409]).toContain(r.status);
    const [afterKeyed] = await db.select().from(payments).where(eq(payments.id, payment.id));
    expect(afterKeyed?.refundedAmount).toBe(100);

    const unkeyed = await Promise.all(
      Array.from({ length: 40 }, () => apiOverHttp("POST", path, f.merchant.testKey, { partialAmount: 100 })),
    );
    for (const r of unkeyed) expect(r.status).toBeLessThan(500);
    const accepted = unkeyed.filter((r) => r.status === 200).length;
    // 1999 charged, 100 already back: 18 more refunds of 100 fit, the 19th would exceed the charge.
    expect(accepted).toBe(18);
    const [final] = await db.select().from(payments).where(eq(payments.id, payment.id));
    expect(final?.refundedAmount).toBe(1900);
    const [intent] = await intentsOf(id);
    expect(intent?.refundedAmount).toBe(1900);
  });
});

/**
 * A processor whose calls can be held at a gate: lets a test put two requests in exactly the interleaving
 * that a busy server produces only now and then.
 */
function gatedProcessor(inner: PaymentProcessor) {
  const gates: { method: keyof PaymentProcessor; release: Promise<void>; reached: () => void }[] = [];
  const hold = (method: keyof PaymentProcessor) => {
    let open!: () => void;
    let reached!: () => void;
    const release = new Promise<void>((r) => {
      open = r;
    });
    const arrived = new Promise<void>((r) => {
      reached = r;
    });
    gates.push({ method, release, reached });
    return { open, arrived };
  };
  const pass = async (method: keyof PaymentProcessor) => {
    const i = gates.findIndex((g) => g.method === method);
    if (i < 0) return;
    const [gate] = gates.splice(i, 1);
    gate?.reached();
    await gate?.release;
  };
  const processor: PaymentProcessor = {
    name: inner.name,
    collection: inner.collection,
    createIntent: async (input) => {
      await pass("createIntent");
      return inner.createIntent(input);
    },
    completeChallenge: async (intentId, outcome) => {
      await pass("completeChallenge");
      return inner.completeChallenge(intentId, outcome);
    },
    retrieveIntent: (id) => inner.retrieveIntent(id),
    cancelIntent: (id) => inner.cancelIntent(id),
    findIntentByIdempotencyKey: (key) => inner.findIntentByIdempotencyKey(key),
    chargeSavedMethod: (input) => inner.chargeSavedMethod(input),
    refund: (input) => inner.refund(input),
  };
  return { processor, hold };
}

const buyer = { email: "gate@example.com", name: "Gate Keeper", country: "US" };
const card = (number: string) => ({
  number: number.replace(/\s/g, ""),
  expMonth: 12,
  expYear: 2034,
  cvc: "123",
});

describe("settling an attempt that is no longer the current one", () => {
  it("a stale challenge answer cannot reopen a newer attempt and lose its charge", async () => {
    const f = await catalogFixture(ctx);
    const id = await newSession(f.merchant.testKey, { anonymous: true, priceId: f.oneTimePriceId });
    const gated = gatedProcessor(sandboxOf(ctx));
    const deps: AppDeps = { ...ctx.deps, processors: onlyProcessor(gated.processor) };

    // Attempt 1 waits on a challenge.
    expect((await confirmCheckout(deps, id, { buyer, card: card(CARDS.challenge) })).kind).toBe(
      "requires_action",
    );
    // A slow "approve" request reads the pending session, then stalls before reaching the bank.
    const staleGate = gated.hold("completeChallenge");
    const stale = answerChallenge(deps, id, "approve");
    await staleGate.arrived;
    // Meanwhile the customer fails the challenge in another tab and pays again with a good card.
    expect((await answerChallenge(ctx.deps, id, "deny")).kind).toBe("declined");
    const retryGate = gated.hold("createIntent");
    const retry = confirmCheckout(deps, id, { buyer, card: card(CARDS.ok) });
    await retryGate.arrived;
    // The stale answer lands while attempt 2 is in flight, then attempt 2's charge succeeds.
    staleGate.open();
    await stale;
    retryGate.open();
    const outcome = await retry;

    const charged = (await intentsOf(id)).filter((i) => i.status === "succeeded");
    expect(charged).toHaveLength(1);
    // The charge that went through must be on record and the session fulfilled, whatever the page said.
    await expectEveryChargeRecorded(id);
    expect((await sessionRow(ctx, id)).status).toBe("succeeded");
    expect(outcome.kind).toBe("succeeded");
    expect(await db.select().from(purchases).where(eq(purchases.checkoutSessionId, id))).toHaveLength(1);
  });

  it("a charge that lands after the reconciler gave its attempt up is still recorded", async () => {
    const f = await catalogFixture(ctx);
    const id = await newSession(f.merchant.testKey, { anonymous: true, priceId: f.oneTimePriceId });
    const gated = gatedProcessor(sandboxOf(ctx));
    const deps: AppDeps = { ...ctx.deps, processors: onlyProcessor(gated.processor) };
    // The processor is slow to answer attempt 1 (a network stall longer than the reconciler's patience).
    const slow = gated.hold("createIntent");
    const confirming = confirmCheckout(deps, id, { buyer, card: card(CARDS.ok) });
    await slow.arrived;
    // The reconciler finds no intent for the attempt yet and reopens the session.
    await reconcilePendingSessions(ctx.deps, { staleMs: 0 });
    slow.open();
    await confirming;
    await reconcilePendingSessions(ctx.deps, { staleMs: 0 });

    const charged = (await intentsOf(id)).filter((i) => i.status === "succeeded");
    expect(charged).toHaveLength(1);
    // Money moved for this session: it must be on the books (or refunded), never silently dropped.
    const refunded = charged.every((i) => i.refundedAmount === i.amount);
    if (!refunded) await expectEveryChargeRecorded(id);
  });
});
