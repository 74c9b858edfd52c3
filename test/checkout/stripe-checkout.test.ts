import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { reconcilePendingSessions } from "../../src/checkout/index.js";
import { paymentMethods, payments } from "../../src/db/schema/index.js";
import {
  catalogFixture,
  createCustomer,
  createSession,
  eventCount,
  ok,
  sessionRow,
  URLS,
} from "../support/index.js";
import { askForIntent, payWithStripe, serveGladeWithStripe } from "../support/stripe.js";

const world = await serveGladeWithStripe();
const { ctx, fake } = world;

async function stripeMerchant() {
  const f = await catalogFixture(ctx);
  await world.connect(f.merchant);
  return f;
}

async function newSession(
  f: Awaited<ReturnType<typeof stripeMerchant>>,
  fields: Record<string, unknown> = {},
) {
  const body = await ok(
    createSession(ctx, f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
      ...fields,
    }),
    "session",
  );
  return body.checkoutSession.id as string;
}

const paymentsOf = (sessionId: string) =>
  ctx.deps.db.select().from(payments).where(eq(payments.checkoutSessionId, sessionId));

describe("the hosted page in Stripe mode", () => {
  it("mounts Stripe's Payment Element, loads Stripe.js from its origin only, and has no card fields of Glade's", async () => {
    const f = await stripeMerchant();
    const id = await newSession(f);
    const page = await ctx.api("GET", `/checkout/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="payment-element"');
    expect(page.text).toContain(`data-publishable-key="${fake.publishableKey}"`);
    expect(page.text).toContain('data-amount="1999"');
    expect(page.text).toContain(`<script src="${fake.stripeJsUrl}" defer>`);
    expect(page.text).toContain("/checkout/assets/stripe-checkout.js");
    expect(page.text).not.toContain('name="cardNumber"');
    const csp = page.headers.get("content-security-policy") ?? "";
    const origin = new URL(fake.apiUrl).origin;
    expect(csp).toContain(`script-src 'self' ${origin}`);
    expect(csp).toContain(`frame-src ${origin}`);
    expect(csp).toContain(`connect-src 'self' ${origin}`);
  });

  it("keeps the sandbox page (and its strict policy) for a test-mode merchant without a connection", async () => {
    const f = await catalogFixture(ctx);
    const id = await newSession(f);
    const page = await ctx.api("GET", `/checkout/${id}`);
    expect(page.text).toContain('name="cardNumber"');
    expect(page.text).not.toContain("stripe");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self';");
    // The Stripe endpoint is refused there without using up an attempt.
    expect((await askForIntent(ctx, id)).status).toBe(402);
    expect((await sessionRow(ctx, id)).attempt).toBe(0);
  });
});

describe("paying through Stripe", () => {
  it("creates the intent for the stored amount, stores its id before handing out the secret, and settles on return", async () => {
    const f = await stripeMerchant();
    const id = await newSession(f, { quantity: 2 });
    const asked = await askForIntent(ctx, id);
    expect(asked.status).toBe(200);
    expect(asked.body.intentKind).toBe("payment");
    expect(asked.body.returnUrl).toBe(`${world.baseUrl}/checkout/${id}/return`);
    const intentId = String(asked.body.clientSecret).split("_secret_")[0] ?? "";
    const row = await sessionRow(ctx, id);
    expect(row).toMatchObject({
      status: "pending",
      processor: "stripe",
      processorIntentId: intentId,
      attempt: 1,
    });
    expect(JSON.stringify(row)).not.toContain(asked.body.clientSecret);
    const intent = fake.intent(intentId);
    expect(intent).toMatchObject({
      amount: 3998,
      currency: "usd",
      metadata: { checkoutSessionId: id, attempt: "1" },
    });
    const create = fake.requests().find((r) => r.method === "POST" && r.path === "/v1/payment_intents");
    expect(create?.idempotencyKey).toBe(`${id}:1`);

    fake.confirm(intentId, "pm_card_visa");
    const returned = await ctx.api("GET", `/checkout/${id}/return`);
    expect(returned.status).toBe(303);
    expect(returned.headers.get("location")).toBe(URLS.successUrl.replace("{CHECKOUT_SESSION_ID}", id));
    const settled = await sessionRow(ctx, id);
    expect(settled.status).toBe("succeeded");
    const recorded = await paymentsOf(id);
    expect(recorded.map((p) => [p.status, p.amount, p.processor, p.processorIntentId])).toEqual([
      ["succeeded", 3998, "stripe", intentId],
    ]);
    // Coming back again (a reload) changes nothing.
    expect((await ctx.api("GET", `/checkout/${id}/return`)).status).toBe(303);
    expect(await paymentsOf(id)).toHaveLength(1);
  });

  it("a decline reopens the session with the reason, cancels the intent at Stripe, and the next card pays", async () => {
    const f = await stripeMerchant();
    const id = await newSession(f);
    const first = await payWithStripe(world, id, "pm_card_chargeDeclined");
    expect(first.returned?.headers.get("location")).toBe(`/checkout/${id}`);
    const reopened = await sessionRow(ctx, id);
    expect(reopened).toMatchObject({ status: "open", lastError: "Your card was declined." });
    expect(fake.intent(first.intentId)?.status).toBe("canceled");
    expect((await ctx.api("GET", `/checkout/${id}`)).text).toContain("Your card was declined.");

    const second = await payWithStripe(world, id, "pm_card_visa");
    expect(second.intentId).not.toBe(first.intentId);
    expect((await sessionRow(ctx, id)).status).toBe("succeeded");
    const recorded = await paymentsOf(id);
    expect(recorded.map((p) => [p.status, p.processorIntentId]).sort()).toEqual(
      [
        ["failed", first.intentId],
        ["succeeded", second.intentId],
      ].sort(),
    );
  });

  it("passes a 3-D Secure challenge, and a failed one reopens the session", async () => {
    const f = await stripeMerchant();
    const passed = await newSession(f);
    await payWithStripe(world, passed, "pm_card_authenticationRequired", { authenticate: "approve" });
    expect((await sessionRow(ctx, passed)).status).toBe("succeeded");

    const failed = await newSession(f);
    await payWithStripe(world, failed, "pm_card_authenticationRequired", { authenticate: "deny" });
    expect((await sessionRow(ctx, failed)).status).toBe("open");
    expect(await paymentsOf(failed)).toHaveLength(1);
  });

  it("a trial saves the card with a SetupIntent on the buyer's Stripe customer, and renewals can charge it", async () => {
    const f = await stripeMerchant();
    await createCustomer(ctx, f.merchant.testKey, "stripe-trial", { name: "Trial Buyer" });
    const id = await newSession(f, {
      anonymous: false,
      customerExternalId: "stripe-trial",
      priceId: f.trialPriceId,
    });
    const asked = await askForIntent(ctx, id);
    expect(asked.body.intentKind).toBe("setup");
    const intentId = String(asked.body.clientSecret).split("_secret_")[0] ?? "";
    expect(intentId).toMatch(/^seti_/);
    fake.confirm(intentId, "pm_card_visa");
    expect((await ctx.api("GET", `/checkout/${id}/return`)).status).toBe(303);
    const session = await sessionRow(ctx, id);
    expect(session.status).toBe("succeeded");
    const [card] = await ctx.deps.db
      .select()
      .from(paymentMethods)
      .where(eq(paymentMethods.id, session.paymentMethodId ?? ""));
    expect(card).toMatchObject({ processor: "stripe", last4: "4242", brand: "visa" });
    expect(card?.processorCustomerId).toBe(fake.intent(intentId)?.customer);
    // One Stripe customer for this Glade customer, however many intents.
    const second = await newSession(f, { anonymous: false, customerExternalId: "stripe-trial" });
    const again = await askForIntent(ctx, second);
    const secondIntent = fake.intent(String(again.body.clientSecret).split("_secret_")[0] ?? "");
    expect(secondIntent?.customer).toBe(card?.processorCustomerId);
  });

  it("a free order completes without Stripe", async () => {
    const f = await stripeMerchant();
    const id = await newSession(f, { priceId: f.freePriceId });
    const before = fake.requests().length;
    const asked = await askForIntent(ctx, id);
    expect(asked.body.redirect).toBe(URLS.successUrl.replace("{CHECKOUT_SESSION_ID}", id));
    expect(fake.requests().length).toBe(before);
  });
});

describe("settling without the return", () => {
  it("the webhook settles a payment the customer never came back from, and the late return changes nothing", async () => {
    const f = await catalogFixture(ctx);
    await world.connect(f.merchant, { autoWebhooks: true });
    const id = await newSession(f);
    await payWithStripe(world, id, "pm_card_visa", { returnToGlade: false });
    await fake.deliveriesSettled();
    expect((await sessionRow(ctx, id)).status).toBe("succeeded");
    expect((await ctx.api("GET", `/checkout/${id}/return`)).status).toBe(303);
    expect(await paymentsOf(id)).toHaveLength(1);
    expect(await eventCount(ctx, f.merchant.organizationId, "checkout_session.succeeded", id)).toBe(1);
  });

  it("the reconciler settles a confirmed attempt, and reopens one whose intent was never confirmed", async () => {
    const f = await stripeMerchant();
    const paid = await newSession(f);
    const { intentId } = await payWithStripe(world, paid, "pm_card_visa", { returnToGlade: false });
    const abandoned = await newSession(f);
    const left = String((await askForIntent(ctx, abandoned)).body.clientSecret).split("_secret_")[0] ?? "";
    await reconcilePendingSessions(ctx.deps, { staleMs: 0 });
    expect((await sessionRow(ctx, paid)).status).toBe("succeeded");
    expect((await paymentsOf(paid)).map((p) => p.processorIntentId)).toEqual([intentId]);
    expect((await sessionRow(ctx, abandoned)).status).toBe("open");
    // The abandoned intent can never be confirmed now: the page that holds its secret would fail.
    expect(fake.intent(left)?.status).toBe("canceled");
  });

  it("the return, the webhook and the reconciler arriving together fulfil once", async () => {
    const f = await stripeMerchant();
    for (let round = 0; round < 5; round++) {
      const id = await newSession(f);
      const { intentId } = await payWithStripe(world, id, "pm_card_visa", { returnToGlade: false });
      const succeeded = fake
        .events()
        .filter(
          (e) => e.type === "payment_intent.succeeded" && (e.data.object as { id: string }).id === intentId,
        );
      expect(succeeded).toHaveLength(1);
      const [returned, delivered] = await Promise.all([
        ctx.api("GET", `/checkout/${id}/return`),
        fake.deliver(succeeded[0]?.id ?? ""),
        reconcilePendingSessions(ctx.deps, { staleMs: 0 }),
        ctx.api("GET", `/checkout/${id}/return`),
      ]);
      expect(returned.status).toBe(303);
      expect(delivered.status).toBe(200);
      expect((await paymentsOf(id)).map((p) => p.status)).toEqual(["succeeded"]);
      expect(await eventCount(ctx, f.merchant.organizationId, "checkout_session.succeeded", id)).toBe(1);
    }
  });
});
