import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { beginAttempt } from "../../src/checkout/attempt.js";
import { chargePlanWith } from "../../src/checkout/charge-plan.js";
import { confirmCheckout, intentRequest, settleIntent } from "../../src/checkout/confirm.js";
import { settleProductCheckout } from "../../src/checkout/settle-product.js";
import type { AppDeps } from "../../src/context/index.js";
import type { Executor } from "../../src/db/client.js";
import { checkoutSessions, discountRedemptions, invoices, payments } from "../../src/db/schema/index.js";
import { newId } from "../../src/lib/ids.js";
import { validateCard } from "../../src/payments/cards.js";
import {
  CARDS,
  type CatalogFixture,
  catalogFixture,
  createCustomer,
  createDiscountCode,
  createSession,
  ok,
  openSession,
  payCheckout,
  sessionRow,
  settableClock,
  submitCheckoutForm,
  testContext,
  tryDiscountCode,
} from "../support/index.js";
import { sandboxOf } from "../support/processors.js";

const clock = settableClock();
const ctx = await testContext({ now: clock.now });
const db = ctx.deps.db;
const BUYER = { email: "race@example.com", name: "Rae Race", country: "US" };

async function anonymous(f: CatalogFixture, priceId = f.oneTimePriceId) {
  return (
    await openSession(ctx, f.merchant.testKey, { type: "product", anonymous: true, priceId, quantity: 1 })
  ).checkoutSession.id as string;
}

async function deactivate(f: CatalogFixture, discountId: string) {
  await ok(
    ctx.api("PUT", `/api/v1/discounts/${discountId}`, {
      key: f.merchant.testKey,
      body: { discount: { active: false } },
    }),
  );
}

/** What a session's checkout wrote: its invoices, payments and redemptions. */
async function written(sessionId: string) {
  return {
    session: await sessionRow(ctx, sessionId),
    invoices: await db.select().from(invoices).where(eq(invoices.checkoutSessionId, sessionId)),
    payments: await db.select().from(payments).where(eq(payments.checkoutSessionId, sessionId)),
    redemptions: await db
      .select()
      .from(discountRedemptions)
      .where(eq(discountRedemptions.checkoutSessionId, sessionId)),
  };
}

/** `ctx.deps` whose database runs `hook` once, just before the statement that claims a session is sent. */
function pausingBeforeClaim(hook: () => Promise<void>): AppDeps {
  type Client = { unsafe: (query: string, ...rest: unknown[]) => PromiseLike<unknown> };
  const base = db as unknown as { session: { client: Client } };
  let pending: (() => Promise<void>) | undefined = hook;
  const client = new Proxy(base.session.client, {
    get(target, prop) {
      if (prop !== "unsafe") return Reflect.get(target, prop);
      return (query: string, ...rest: unknown[]) => {
        if (!/^with "claimed" as \(update "checkout_sessions"/.test(query) || !pending) {
          return target.unsafe(query, ...rest);
        }
        const run = pending;
        pending = undefined;
        // Drizzle reads the claim's rows as arrays (`values()`); the query is made only once `run` is done.
        type Query = { values: () => PromiseLike<unknown> };
        return {
          values: () => run().then(() => (target.unsafe(query, ...rest) as unknown as Query).values()),
        };
      };
    },
  });
  const session = Object.create(base.session, { client: { value: client } });
  return { ...ctx.deps, db: Object.create(db, { session: { value: session } }) as Executor as AppDeps["db"] };
}

describe("a discount while a payment is under way", () => {
  it("settles a charge made with a code that was deactivated during the bank's challenge, with that code", async () => {
    clock.set(undefined);
    const f = await catalogFixture(ctx);
    const code = await createDiscountCode(ctx, f, {
      code: "HALF",
      amountType: "percent",
      amount: 50,
      duration: "once",
    });
    const id = await anonymous(f);
    expect((await tryDiscountCode(ctx, id, "HALF")).status).toBe(200);
    const started = await submitCheckoutForm(ctx, id, { cardNumber: CARDS.challenge });
    expect(started.headers.get("location")).toBe(`/checkout/${id}/challenge`);

    await deactivate(f, code.id);
    const challenge = await ctx.api("GET", `/checkout/${id}/challenge`);
    expect(challenge.status).toBe(200);
    expect(challenge.text).toContain("$9.99"); // 19.99, 50 % = 9.995 → 10.00 off
    expect((await sessionRow(ctx, id)).discountId).toBe(code.id);

    const answered = await ctx.api("POST", `/checkout/${id}/challenge`, {
      rawBody: "outcome=approve",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(answered.status, answered.text).toBe(303);
    const w = await written(id);
    expect(w.session).toMatchObject({ status: "succeeded", discountId: code.id });
    expect(w.payments.map((p) => p.amount)).toEqual([999]);
    expect(w.invoices).toHaveLength(1);
    expect(w.invoices[0]).toMatchObject({
      subtotal: 1999,
      discountAmount: 1000,
      total: 999,
      amountPaid: 999,
    });
    expect(w.redemptions).toHaveLength(1);
    expect(w.invoices[0]?.discountRedemptionId).toBe(w.redemptions[0]?.id);
  });

  it("keeps a finished checkout's discount when the code is deactivated afterwards", async () => {
    clock.set(undefined);
    const f = await catalogFixture(ctx);
    const code = await createDiscountCode(ctx, f, {
      code: "KEEP",
      amountType: "fixed",
      amount: 500,
      duration: "once",
    });
    const id = await anonymous(f);
    await tryDiscountCode(ctx, id, "KEEP");
    await payCheckout(ctx, id);
    await deactivate(f, code.id);
    const page = await ctx.api("GET", `/checkout/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Discount (KEEP)");
    const receipt = await ctx.api("GET", `/checkout/${id}/success`);
    expect(receipt.text).toContain("Discount (KEEP)");
    const wire = await ok(ctx.api("GET", `/api/v1/checkout-sessions/${id}`, { key: f.merchant.testKey }));
    expect(wire.checkoutSession.discountId).toBe(code.id);
  });

  it("records one redemption however many times one charged attempt is settled", async () => {
    clock.set(undefined);
    const f = await catalogFixture(ctx);
    await createDiscountCode(ctx, f, { code: "ONCE", amountType: "fixed", amount: 300, duration: "once" });
    const id = await anonymous(f);
    await tryDiscountCode(ctx, id, "ONCE");
    const start = await beginAttempt(ctx.deps, id, BUYER);
    if (start.kind !== "started") throw new Error(`claim refused: ${start.kind}`);
    const { reading } = start;
    const plan = await chargePlanWith(ctx.deps, reading.session, start, { confirming: true });
    expect(plan).toMatchObject({ mode: "payment", amount: 1699, subtotal: 1999 });
    const card = validateCard({ number: CARDS.ok, expMonth: 12, expYear: 34, cvc: "123" }, ctx.deps.now());
    const intent = await sandboxOf(ctx).createIntent(intentRequest(reading.session, plan, card));

    // The page's own settlement, a webhook's or reconciler's (which plans again), and a replay, all at once.
    const settled = await Promise.all([
      settleProductCheckout(ctx.deps, reading, plan, intent, reading.session.attempt),
      settleIntent(ctx.deps, reading.session, intent),
      settleIntent(ctx.deps, reading.session, intent),
    ]);
    expect(settled.map((s) => ("status" in s ? s.status : s.session.status))).toEqual([
      "succeeded",
      "succeeded",
      "succeeded",
    ]);
    await settleIntent(ctx.deps, await sessionRow(ctx, id), intent);
    const w = await written(id);
    expect(w.invoices).toHaveLength(1);
    expect(w.payments.map((p) => p.amount)).toEqual([1699]);
    expect(w.redemptions).toHaveLength(1);
    const read = await ok(
      ctx.api("GET", `/api/v1/discounts/${w.redemptions[0]?.discountId}`, { key: f.merchant.testKey }),
    );
    expect(read.discount.redemptionCount).toBe(1);

    // Below the settlement's guard, the table itself takes one redemption per checkout session.
    const [first] = w.redemptions;
    if (!first) throw new Error("no redemption");
    await expect(
      db.insert(discountRedemptions).values({ ...first, id: newId("discountRedemption") }),
    ).rejects.toThrow();
  });

  it("does not complete a free order from a plan made before the code was removed", async () => {
    clock.set(undefined);
    const f = await catalogFixture(ctx);
    await createDiscountCode(ctx, f, {
      code: "ALLFREE",
      amountType: "percent",
      amount: 100,
      duration: "once",
    });
    const id = await anonymous(f);
    await tryDiscountCode(ctx, id, "ALLFREE");
    // The customer removes the code in another tab while this confirm, planned as free, is about to claim.
    const racing = pausingBeforeClaim(async () => {
      const removed = await tryDiscountCode(ctx, id, "", { action: "remove" });
      expect(removed.status).toBe(200);
    });
    const result = await confirmCheckout(racing, id, { buyer: BUYER, card: undefined });
    expect(result).toMatchObject({
      kind: "declined",
      message: "The total changed while you were paying. Please review it and pay again.",
    });
    const w = await written(id);
    expect(w.session).toMatchObject({ status: "open", discountId: null });
    expect(w.invoices).toEqual([]);
    expect(w.redemptions).toEqual([]);
    await payCheckout(ctx, id);
    expect((await written(id)).payments.map((p) => p.amount)).toEqual([1999]);
  });

  it("charges a confirm planned right after a code was applied with that code, and refuses a code after it", async () => {
    clock.set(undefined);
    const f = await catalogFixture(ctx);
    await createDiscountCode(ctx, f, { code: "FAST", amountType: "fixed", amount: 1000, duration: "once" });
    const early = await anonymous(f);
    const applying = pausingBeforeClaim(async () => {
      expect((await tryDiscountCode(ctx, early, "FAST")).status).toBe(200);
    });
    const card = { number: CARDS.ok, expMonth: 12, expYear: 34, cvc: "123" };
    expect((await confirmCheckout(applying, early, { buyer: BUYER, card })).kind).toBe("succeeded");
    const e = await written(early);
    expect(e.payments.map((p) => p.amount)).toEqual([999]);
    expect(e.invoices[0]).toMatchObject({ subtotal: 1999, discountAmount: 1000, total: 999 });
    expect(e.redemptions).toHaveLength(1);

    // A code tried once the claim has the session: refused, and the charge is the full price.
    const late = await anonymous(f);
    let lateTry: Awaited<ReturnType<typeof tryDiscountCode>> | undefined;
    const claimFirst: AppDeps = {
      ...ctx.deps,
      processors: {
        ...ctx.deps.processors,
        forTenant: async (merchant) => {
          lateTry = await tryDiscountCode(ctx, late, "FAST");
          return ctx.deps.processors.forTenant(merchant);
        },
      },
    };
    expect((await confirmCheckout(claimFirst, late, { buyer: BUYER, card })).kind).toBe("succeeded");
    expect(lateTry?.status).toBe(409);
    const l = await written(late);
    expect(l.session.discountId).toBeNull();
    expect(l.payments.map((p) => p.amount)).toEqual([1999]);
    expect(l.redemptions).toEqual([]);
  });

  it("keeps the charge, the invoice and the redemption in agreement when codes and confirms race", async () => {
    clock.set(undefined);
    const f = await catalogFixture(ctx);
    const code = await createDiscountCode(ctx, f, {
      code: "RACE",
      amountType: "percent",
      amount: 20,
      duration: "once",
    });
    for (let round = 0; round < 6; round++) {
      const id = await anonymous(f);
      if (round % 2 === 1) await tryDiscountCode(ctx, id, "RACE");
      const [tried] = await Promise.all([
        round % 2 === 0
          ? tryDiscountCode(ctx, id, "RACE")
          : tryDiscountCode(ctx, id, "", { action: "remove" }),
        submitCheckoutForm(ctx, id, { cardNumber: CARDS.ok }),
      ]);
      expect([200, 409]).toContain(tried.status);
      const w = await written(id);
      expect(w.session.status, `round ${round}`).toBe("succeeded");
      const discounted = w.session.discountId === code.id;
      expect(
        w.payments.map((p) => p.amount),
        `round ${round}`,
      ).toEqual([discounted ? 1599 : 1999]);
      expect(w.invoices[0]?.discountAmount).toBe(discounted ? 400 : 0);
      expect(w.redemptions).toHaveLength(discounted ? 1 : 0);
    }
  });
});

describe("who may use a code", () => {
  it("refuses a code of the other mode and codes on sessions that buy nothing", async () => {
    clock.set(undefined);
    const f = await catalogFixture(ctx);
    const live = await ok(
      ctx.api("POST", "/api/v1/pricing-models", {
        key: f.merchant.liveKey,
        body: { pricingModel: { name: "Live" } },
      }),
    );
    await createDiscountCode(
      ctx,
      f,
      {
        code: "LIVEONLY",
        amountType: "fixed",
        amount: 100,
        duration: "once",
        pricingModelId: live.pricingModel.id,
      },
      f.merchant.liveKey,
    );
    const id = await anonymous(f);
    const refused = await tryDiscountCode(ctx, id, "LIVEONLY");
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe("This code is not valid for this purchase.");

    await createDiscountCode(ctx, f, { code: "TEST", amountType: "fixed", amount: 100, duration: "once" });
    await createCustomer(ctx, f.merchant.testKey, "card-saver");
    const setup = await ok(
      createSession(ctx, f.merchant.testKey, {
        type: "add_payment_method",
        customerExternalId: "card-saver",
      }),
    );
    const onSetup = await tryDiscountCode(ctx, setup.checkoutSession.id, "TEST");
    expect(onSetup.status).toBe(400);
    expect(onSetup.body.message).toBe("Discount codes apply to purchases only.");
    const page = await ctx.api("GET", `/checkout/${setup.checkoutSession.id}`);
    expect(page.text).not.toContain("Discount code");
    const [row] = await db
      .select()
      .from(checkoutSessions)
      .where(eq(checkoutSessions.id, setup.checkoutSession.id));
    expect(row?.discountId).toBeNull();
  });

  it("slows down guessing: after 30 tries a client waits for the window to pass", async () => {
    const start = new Date(Date.UTC(2032, 5, 1));
    clock.set(start);
    const f = await catalogFixture(ctx);
    await createDiscountCode(ctx, f, { code: "REAL", amountType: "fixed", amount: 100, duration: "once" });
    const id = await anonymous(f);
    for (let i = 0; i < 30; i++) {
      expect((await tryDiscountCode(ctx, id, `GUESS${i}`)).status).toBe(400);
    }
    const blocked = await tryDiscountCode(ctx, id, "REAL");
    expect(blocked.body).toMatchObject({ ok: false, message: expect.stringContaining("Too many codes") });
    expect((await sessionRow(ctx, id)).discountId).toBeNull();
    clock.set(new Date(start.getTime() + 11 * 60 * 1000));
    expect((await tryDiscountCode(ctx, id, "REAL")).status).toBe(200);
    clock.set(undefined);
  });
});
