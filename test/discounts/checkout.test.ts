import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { checkoutSessions, discountRedemptions, invoices, payments } from "../../src/db/schema/index.js";
import { renewSubscription } from "../../src/subscriptions/index.js";
import {
  type CatalogFixture,
  catalogFixture,
  createCustomer,
  createDiscountCode,
  DAY,
  type DiscountBody,
  followFormRedirect,
  ok,
  openSession,
  payCheckout,
  settableClock,
  submitCheckoutForm,
  testContext,
  tryDiscountCode,
} from "../support/index.js";

const clock = settableClock();
const ctx = await testContext({ now: clock.now });

const discount = (f: CatalogFixture, body: DiscountBody) => createDiscountCode(ctx, f, body);
const tryCode = (sessionId: string, code: string, action: "apply" | "remove" = "apply") =>
  tryDiscountCode(ctx, sessionId, code, { action });

async function session(f: CatalogFixture, priceId: string, quantity = 1, externalId?: string) {
  const body: Record<string, unknown> = { type: "product", priceId, quantity };
  if (externalId) body.customerExternalId = externalId;
  else body.anonymous = true;
  return (await openSession(ctx, f.merchant.testKey, body)).checkoutSession.id;
}

async function row(id: string) {
  const [s] = await ctx.deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, id));
  if (!s) throw new Error(`session ${id} missing`);
  return s;
}

async function money(sessionId: string) {
  const s = await row(sessionId);
  const [invoice] = s.invoiceId
    ? await ctx.deps.db.select().from(invoices).where(eq(invoices.id, s.invoiceId))
    : [];
  const paid = s.invoiceId
    ? await ctx.deps.db.select().from(payments).where(eq(payments.invoiceId, s.invoiceId))
    : [];
  const redemptions = await ctx.deps.db
    .select()
    .from(discountRedemptions)
    .where(eq(discountRedemptions.checkoutSessionId, sessionId));
  return { session: s, invoice, payments: paid, redemptions };
}

describe("a discount code on the hosted page", () => {
  it("applies a percent code: the page, the charge, the invoice, the purchase and one redemption agree", async () => {
    clock.set(undefined);
    const f = await catalogFixture(ctx);
    const code = await discount(f, { code: "Save10", amountType: "percent", amount: 10, duration: "once" });
    const id = await session(f, f.oneTimePriceId, 3); // 3 × 19.99 = 59.97; 10 % = 5.997 → 6.00

    const applied = await tryCode(id, "save10");
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body).toMatchObject({ ok: true, buttonLabel: "Pay $53.97" });
    expect(applied.body.summary).toContain("Discount (Save10)");
    expect(applied.body.summary).toContain("−$6.00");
    const wire = await ok(ctx.api("GET", `/api/v1/checkout-sessions/${id}`, { key: f.merchant.testKey }));
    expect(wire.checkoutSession.discountId).toBe(code.id);

    await payCheckout(ctx, id);
    const m = await money(id);
    expect(m.session.status).toBe("succeeded");
    expect(m.invoice).toMatchObject({ subtotal: 5997, discountAmount: 600, total: 5397, amountPaid: 5397 });
    expect(m.payments.map((p) => p.amount)).toEqual([5397]);
    expect(m.redemptions).toHaveLength(1);
    expect(m.redemptions[0]).toMatchObject({ discountId: code.id, fullyRedeemed: true, paymentsApplied: 1 });
    const purchase = await ok(
      ctx.api("GET", `/api/v1/purchases/${m.session.purchaseId}`, { key: f.merchant.testKey }),
    );
    expect(purchase.purchase).toMatchObject({ firstInvoiceValue: 5397, totalPurchaseValue: 5397 });
    const read = await ok(ctx.api("GET", `/api/v1/discounts/${code.id}`, { key: f.merchant.testKey }));
    expect(read.discount.redemptionCount).toBe(1);
    const receipt = await ctx.api("GET", `/checkout/${id}/success`, {});
    expect(receipt.text).toContain("Discount (Save10)");
    expect(receipt.text).toContain("$53.97");
  });

  it("refuses unknown, inactive and other pricing models' or merchants' codes alike, and clears the old one", async () => {
    clock.set(undefined);
    const f = await catalogFixture(ctx);
    const good = await discount(f, { code: "GOOD", amountType: "fixed", amount: 100, duration: "once" });
    const inactive = await discount(f, { code: "OFF", amountType: "fixed", amount: 100, duration: "once" });
    await ok(
      ctx.api("PUT", `/api/v1/discounts/${inactive.id}`, {
        key: f.merchant.testKey,
        body: { discount: { active: false } },
      }),
    );
    const elsewhere = await ok(
      ctx.api("POST", "/api/v1/pricing-models", {
        key: f.merchant.testKey,
        body: { pricingModel: { name: "B" } },
      }),
    );
    await discount(f, {
      code: "OTHERPM",
      amountType: "fixed",
      amount: 100,
      duration: "once",
      pricingModelId: elsewhere.pricingModel.id,
    });
    const g = await catalogFixture(ctx);
    await discount(g, { code: "THEIRS", amountType: "fixed", amount: 100, duration: "once" });

    const id = await session(f, f.oneTimePriceId);
    expect((await tryCode(id, "GOOD")).status).toBe(200);
    for (const code of ["NOPE", "OFF", "OTHERPM", "THEIRS"]) {
      const res = await tryCode(id, code);
      expect(res.status, code).toBe(400);
      expect(res.body).toMatchObject({ ok: false, message: "This code is not valid for this purchase." });
      expect((await row(id)).discountId, code).toBeNull();
      expect((await tryCode(id, "GOOD")).status).toBe(200);
    }
    const removed = await tryCode(id, "", "remove");
    expect(removed.body).toMatchObject({ ok: true, message: "Discount removed." });
    expect((await row(id)).discountId).toBeNull();
    expect(good.id).toBeTruthy();
  });

  it("never takes the total below zero: a fixed code above the price makes a free order", async () => {
    clock.set(undefined);
    const f = await catalogFixture(ctx);
    await discount(f, { code: "ALLOFIT", amountType: "fixed", amount: 999_999, duration: "once" });
    const id = await session(f, f.oneTimePriceId);
    const applied = await tryCode(id, "ALLOFIT");
    expect(applied.body).toMatchObject({ ok: true, buttonLabel: "Complete order" });
    expect(applied.body.summary).toContain("−$19.99");
    const res = await submitCheckoutForm(ctx, id, { cardNumber: "" });
    expect(res.status, res.text).toBe(303);
    const m = await money(id);
    expect(m.invoice).toMatchObject({ subtotal: 1999, discountAmount: 1999, total: 0, status: "paid" });
    expect(m.payments).toEqual([]);
    expect(m.redemptions).toHaveLength(1);
  });

  it("refuses the confirm when the code was deactivated after it was applied, and takes it off", async () => {
    clock.set(undefined);
    const f = await catalogFixture(ctx);
    const code = await discount(f, { code: "GONE", amountType: "percent", amount: 50, duration: "once" });
    const id = await session(f, f.oneTimePriceId);
    await tryCode(id, "GONE");
    await ok(
      ctx.api("PUT", `/api/v1/discounts/${code.id}`, {
        key: f.merchant.testKey,
        body: { discount: { active: false } },
      }),
    );
    const refused = await submitCheckoutForm(ctx, id, { cardNumber: "4242424242424242" });
    expect(refused.status).toBe(303);
    expect((await followFormRedirect(ctx, refused)).text).toContain("no longer valid");
    const s = await row(id);
    expect(s).toMatchObject({ status: "open", discountId: null });
    await payCheckout(ctx, id);
    expect((await money(id)).payments.map((p) => p.amount)).toEqual([1999]);
  });

  it("without the page's script: a code posted with the pay form is applied first, and the page keeps the buyer's details", async () => {
    clock.set(undefined);
    const f = await catalogFixture(ctx);
    await discount(f, { code: "FORM", amountType: "fixed", amount: 250, duration: "once" });
    const id = await session(f, f.oneTimePriceId);
    const fields = {
      email: "form@example.com",
      name: "Form Post",
      country: "CA",
      cardNumber: "4242424242424242",
    };
    const tried = await tryDiscountCode(ctx, id, "form", { html: true, fields });
    expect(tried.status).toBe(200);
    expect(tried.headers.get("content-type")).toContain("text/html");
    expect(tried.text).toContain('value="form@example.com"');
    expect(tried.text).toContain('value="Form Post"');
    expect(tried.text).toContain('<option value="CA" selected>');
    expect(tried.text).not.toContain("4242424242424242");
    expect(tried.text).toContain("FORM applied.");

    // Enter pressed in the code field (the pay form posted with a code that is not the applied one).
    await tryCode(id, "", "remove");
    const entered = await submitCheckoutForm(ctx, id, { cardNumber: "4242424242424242", code: "FORM" });
    expect(entered.status).toBe(200);
    expect(entered.text).toContain("FORM applied.");
    expect((await money(id)).payments).toEqual([]);
    // With the code applied, the same post pays the discounted total.
    const paid = await submitCheckoutForm(ctx, id, { cardNumber: "4242424242424242", code: "form" });
    expect(paid.status, paid.text).toBe(303);
    expect((await money(id)).payments.map((p) => p.amount)).toEqual([1749]);
  });

  it("cannot change a session that is no longer open", async () => {
    clock.set(undefined);
    const f = await catalogFixture(ctx);
    await discount(f, { code: "LATE", amountType: "percent", amount: 50, duration: "once" });
    const id = await session(f, f.oneTimePriceId);
    await payCheckout(ctx, id);
    const res = await tryCode(id, "LATE");
    expect(res.status).toBe(409);
    expect((await row(id)).discountId).toBeNull();
  });
});

describe("a discount on a subscription's renewals", () => {
  /** Subscribes through the page with a code, then renews `renewals` times, returning each invoice's total. */
  async function renewalsWith(
    body: DiscountBody,
    options: { trial?: boolean; quantity?: number; renewals: number },
  ) {
    clock.set(new Date(Date.UTC(2031, 0, 1)));
    const f = await catalogFixture(ctx);
    await discount(f, body);
    const externalId = `renew-${Math.random().toString(36).slice(2)}`;
    await createCustomer(ctx, f.merchant.testKey, externalId);
    const id = await session(
      f,
      options.trial ? f.trialPriceId : f.monthlyPriceId,
      options.quantity ?? 1,
      externalId,
    );
    expect((await tryCode(id, body.code)).status).toBe(200);
    await payCheckout(ctx, id);
    const s = await row(id);
    const subscriptionId = s.subscriptionId as string;
    const totals: number[] = [];
    const first = (await money(id)).invoice;
    if (first) totals.push(first.total);
    for (let i = 0; i < options.renewals; i++) {
      clock.set(new Date(clock.now().getTime() + 40 * DAY));
      await renewSubscription(ctx.deps, { ...f.merchant, livemode: false, apiKeyId: "test" }, subscriptionId);
    }
    const all = await ctx.deps.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.subscriptionId, subscriptionId)))
      .orderBy(invoices.position);
    const charged = await ctx.deps.db
      .select()
      .from(payments)
      .where(eq(payments.subscriptionId, subscriptionId));
    const [redemption] = await ctx.deps.db
      .select()
      .from(discountRedemptions)
      .where(eq(discountRedemptions.subscriptionId, subscriptionId));
    const subscription = await ok(
      ctx.api("GET", `/api/v1/subscriptions/${subscriptionId}`, { key: f.merchant.testKey }),
    );
    const purchase = await ok(
      ctx.api("GET", `/api/v1/purchases/${s.purchaseId}`, { key: f.merchant.testKey }),
    );
    return {
      purchase: purchase.purchase as { firstInvoiceValue: number; totalPurchaseValue: number },
      invoiceTotals: all.map((inv) => inv.total),
      discounts: all.map((inv) => inv.discountAmount),
      invoiceStatuses: all.map((inv) => inv.status),
      // What was charged for each invoice, in invoice order: the charge is always the discounted total.
      paidPerInvoice: all.map((inv) =>
        charged
          .filter((p) => p.invoiceId === inv.id && p.status === "succeeded")
          .reduce((n, p) => n + p.amount, 0),
      ),
      carriesRedemption: all.map((inv) => inv.discountRedemptionId === redemption?.id),
      redemption,
      subscriptionStatus: subscription.subscription.status as string,
      first: totals,
    };
  }

  it("forever: every payment is reduced", async () => {
    const r = await renewalsWith(
      { code: "ALWAYS", amountType: "percent", amount: 20, duration: "forever" },
      { renewals: 2, quantity: 3 },
    ); // 3 × 9.00 = 27.00, 20 % off = 21.60
    expect(r.invoiceTotals).toEqual([2160, 2160, 2160]);
    expect(r.paidPerInvoice).toEqual([2160, 2160, 2160]);
    expect(r.discounts).toEqual([540, 540, 540]);
    expect(r.carriesRedemption).toEqual([true, true, true]);
    expect(r.redemption).toMatchObject({ paymentsApplied: 3, fullyRedeemed: false });
  });

  it("once: only the checkout's payment is reduced", async () => {
    const r = await renewalsWith(
      { code: "FIRST", amountType: "fixed", amount: 400, duration: "once" },
      { renewals: 2 },
    );
    expect(r.invoiceTotals).toEqual([500, 900, 900]);
    expect(r.purchase).toMatchObject({ firstInvoiceValue: 500 });
    expect(r.paidPerInvoice).toEqual([500, 900, 900]);
    expect(r.carriesRedemption).toEqual([true, false, false]);
    expect(r.redemption).toMatchObject({ paymentsApplied: 1, fullyRedeemed: true });
  });

  it("number_of_payments 2: the checkout and the first renewal, then the full price", async () => {
    const r = await renewalsWith(
      { code: "TWO", amountType: "percent", amount: 50, duration: "number_of_payments", numberOfPayments: 2 },
      { renewals: 2 },
    );
    expect(r.invoiceTotals).toEqual([450, 450, 900]);
    expect(r.paidPerInvoice).toEqual([450, 450, 900]);
    expect(r.carriesRedemption).toEqual([true, true, false]);
    expect(r.redemption).toMatchObject({ paymentsApplied: 2, fullyRedeemed: true });
  });

  it("with a trial: nothing is charged today and the first two renewals after the trial are reduced", async () => {
    const r = await renewalsWith(
      {
        code: "TRIAL2",
        amountType: "percent",
        amount: 10,
        duration: "number_of_payments",
        numberOfPayments: 2,
      },
      { trial: true, renewals: 3 },
    ); // 15.00 a month after a 14-day trial; 10 % off = 13.50
    expect(r.first).toEqual([]);
    expect(r.invoiceTotals).toEqual([1350, 1350, 1500]);
    expect(r.paidPerInvoice).toEqual([1350, 1350, 1500]);
    // The purchase's first invoice is the first renewal's.
    expect(r.purchase).toMatchObject({ firstInvoiceValue: 1350 });
    expect(r.redemption).toMatchObject({ paymentsApplied: 2, fullyRedeemed: true });
  });

  it("a fixed code above the price: the renewal costs nothing and the subscription still renews", async () => {
    const r = await renewalsWith(
      { code: "FREEBIE", amountType: "fixed", amount: 5000, duration: "forever" },
      { renewals: 1 },
    );
    expect(r.invoiceTotals).toEqual([0, 0]);
    expect(r.discounts).toEqual([900, 900]);
    expect(r.paidPerInvoice).toEqual([0, 0]);
    expect(r.invoiceStatuses).toEqual(["paid", "paid"]);
    expect(r.subscriptionStatus).toBe("active");
    expect(r.redemption).toMatchObject({ paymentsApplied: 2, fullyRedeemed: false });
  });
});
