import { describe, expect, it } from "vitest";
import {
  CARDS,
  ok,
  type PortalWorld,
  portalWorld,
  signedIn,
  submitCheckoutForm,
  testContext,
} from "../support/index.js";

const ctx = await testContext();

const subscription = async (w: PortalWorld) =>
  (await ok(ctx.api("GET", `/api/v1/subscriptions/${w.subscriptionId}`, { key: w.key }))).subscription;

describe("billing portal actions", () => {
  it("cancels at period end and takes it back, each shown once after the redirect", async () => {
    const w = await portalWorld(ctx);
    const visit = await signedIn(ctx, w);
    const cancel = await visit.post(`/billing/subscriptions/${w.subscriptionId}/cancel`);
    expect(cancel.status).toBe(303);
    expect(cancel.headers.get("location")).toBe("/billing");
    const canceled = await subscription(w);
    expect(canceled.status).toBe("cancellation_scheduled");
    expect(canceled.cancelScheduledAt).toBe(canceled.currentBillingPeriodEnd);
    const shown = await visit.get("/billing");
    expect(shown.text).toContain("Your subscription will end at the close of the current billing period");
    expect(shown.text).toContain("Keep my subscription");
    expect((await visit.get("/billing")).text).not.toContain("will end at the close");

    expect((await visit.post(`/billing/subscriptions/${w.subscriptionId}/uncancel`)).status).toBe(303);
    expect((await subscription(w)).status).toBe("active");
    expect((await visit.get("/billing")).text).toContain("Your subscription will continue.");
  });

  it("upgrades now with the API's proration charge and downgrades at the period end", async () => {
    const w = await portalWorld(ctx, { externalId: "mover" });
    const visit = await signedIn(ctx, w);
    const choose = await visit.get(`/billing/subscriptions/${w.subscriptionId}/change`);
    expect(choose.status).toBe(200);
    expect(choose.text).toContain("Glade Pro (Plus)");
    expect(choose.text).toContain("$29.00 / month");
    // The subscription's own price and the one-time price are no plans to move to.
    expect(choose.text).not.toContain(`priceId=${w.f.monthlyPriceId}`);
    expect(choose.text).not.toContain(`priceId=${w.f.oneTimePriceId}`);

    const adjustment = { timing: "auto", newSubscriptionItems: [{ priceId: w.plusPriceId, quantity: 1 }] };
    const preview = await ok(
      ctx.api("POST", `/api/v1/subscriptions/${w.subscriptionId}/preview-adjust`, {
        key: w.key,
        body: { adjustment },
      }),
    );
    expect(preview.prorationAmount).toBeGreaterThan(0);
    const confirm = await visit.get(
      `/billing/subscriptions/${w.subscriptionId}/change?priceId=${w.plusPriceId}`,
    );
    const charge = `$${(preview.prorationAmount / 100).toFixed(2)}`;
    expect(confirm.text).toContain(`Your card will be charged ${charge}`);

    expect(
      (await visit.post(`/billing/subscriptions/${w.subscriptionId}/change`, { priceId: w.plusPriceId }))
        .status,
    ).toBe(303);
    expect((await subscription(w)).priceId).toBe(w.plusPriceId);
    const payments = (await ok(ctx.api("GET", "/api/v1/payments", { key: w.key }))).data;
    expect(payments.map((p: { amount: number }) => p.amount)).toContain(preview.prorationAmount);
    expect((await visit.get("/billing")).text).toContain("Your plan was changed.");

    const later = await visit.get(
      `/billing/subscriptions/${w.subscriptionId}/change?priceId=${w.litePriceId}`,
    );
    expect(later.text).toContain("at the end of your current billing period. Nothing is charged today.");
    expect(
      (await visit.post(`/billing/subscriptions/${w.subscriptionId}/change`, { priceId: w.litePriceId }))
        .status,
    ).toBe(303);
    expect((await subscription(w)).priceId).toBe(w.plusPriceId);
    expect((await visit.get("/billing")).text).toContain(
      "Your plan will change at the end of the current billing period.",
    );
  });

  it("replaces the card through an add_payment_method checkout that updates the subscription", async () => {
    const w = await portalWorld(ctx, { externalId: "card-changer" });
    const visit = await signedIn(ctx, w);
    const started = await visit.post("/billing/payment-method");
    expect(started.status).toBe(303);
    const sessionId = /\/checkout\/([^/?]+)$/.exec(started.headers.get("location") ?? "")?.[1] ?? "";
    const session = (await ok(ctx.api("GET", `/api/v1/checkout-sessions/${sessionId}`, { key: w.key })))
      .checkoutSession;
    expect(session).toMatchObject({
      type: "add_payment_method",
      customerId: w.customerId,
      automaticallyUpdateSubscriptions: true,
      successUrl: "http://glade.test/billing?notice=card_saved",
    });
    const paid = await submitCheckoutForm(ctx, sessionId, { cardNumber: "5555 5555 5555 4444" });
    expect(paid.status).toBe(303);
    const sub = await subscription(w);
    const method = (
      await ok(ctx.api("GET", `/api/v1/payment-methods/${sub.defaultPaymentMethodId}`, { key: w.key }))
    ).paymentMethod;
    expect(method.paymentMethodData).toMatchObject({ brand: "mastercard", last4: "4444" });
    expect(method.default).toBe(true);
    const page = await visit.get("/billing?notice=card_saved");
    expect(page.text).toContain("Your new card was saved");
    expect(page.text).toMatch(/Mastercard ending in 4444.*Default/s);
  });

  it("shows a decline of the upgrade charge and changes nothing", async () => {
    const w = await portalWorld(ctx, { externalId: "declined" });
    const visit = await signedIn(ctx, w);
    // The card on file now fails when charged (the sandbox's charge-time decline card).
    const started = await visit.post("/billing/payment-method");
    const sessionId = /\/checkout\/([^/?]+)$/.exec(started.headers.get("location") ?? "")?.[1] ?? "";
    expect((await submitCheckoutForm(ctx, sessionId, { cardNumber: CARDS.failOnCharge })).status).toBe(303);
    const change = await visit.post(`/billing/subscriptions/${w.subscriptionId}/change`, {
      priceId: w.plusPriceId,
    });
    expect(change.status).toBe(303);
    expect((await subscription(w)).priceId).toBe(w.f.monthlyPriceId);
    const page = await visit.get("/billing");
    expect(page.text).toMatch(/class="error[^"]*" role="alert">[^<]*declined/i);
  });
});
