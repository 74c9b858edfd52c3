import { afterAll } from "vitest";
import { type FakeStripe, startFakeStripe, type TestPaymentMethod } from "../fixtures/fake-stripe/index.js";
import { type ApiResult, ok, type TestMerchant } from "./api.js";
import { ownDatabase, type TestContext, testContext } from "./app.js";
import { listen } from "./server.js";

/** One fixed key for every test database: connections made by tests can be opened by the test's app. */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");

export type StripeWorld = {
  ctx: TestContext;
  baseUrl: string;
  fake: FakeStripe;
  mode: "test" | "live";
  /** Connects `merchant`'s account (in the world's mode) to the fake, and points the fake's webhooks at it. */
  connect(merchant: TestMerchant, options?: { autoWebhooks?: boolean }): Promise<void>;
  keyOf(merchant: TestMerchant): string;
  webhookSecret: string;
};

/**
 * Glade on a loopback port with its Stripe.js and Stripe API pointed at a fake Stripe account (test keys,
 * or live ones for `mode: "live"`), closed after the file.
 */
export async function serveGladeWithStripe(mode: "test" | "live" = "test"): Promise<StripeWorld> {
  const fake = await startFakeStripe(
    mode === "live"
      ? { secretKey: `sk_live_fake${Date.now()}`, publishableKey: `pk_live_fake${Date.now()}` }
      : {},
  );
  afterAll(() => fake.close());
  // A database of its own: it will hold sealed secrets, which a `glade start` on the shared test database
  // (without this key) would rightly refuse to start over.
  const databaseUrl = await ownDatabase();
  const base = await testContext({}, { databaseUrl });
  const config = {
    ...base.deps.config,
    encryptionKey: TEST_ENCRYPTION_KEY,
    stripeApiUrl: fake.apiUrl,
    stripeJsUrl: fake.stripeJsUrl,
  };
  const ctx = await testContext({ config }, { databaseUrl });
  const { url } = await listen(ctx.app.fetch);
  config.publicUrl = url;
  const webhookSecret = `whsec_fake${Date.now()}`;
  const keyOf = (merchant: TestMerchant) => (mode === "live" ? merchant.liveKey : merchant.testKey);
  return {
    ctx,
    baseUrl: url,
    fake,
    mode,
    webhookSecret,
    keyOf,
    async connect(merchant, options = {}) {
      await ok(
        ctx.api("POST", "/api/v1/processors/stripe", {
          key: keyOf(merchant),
          body: { secretKey: fake.secretKey, publishableKey: fake.publishableKey, webhookSecret },
        }),
        "connect stripe",
        201,
      );
      fake.setWebhook({
        url: `${url}/processors/stripe/webhook/${merchant.organizationId}/${mode}`,
        secret: webhookSecret,
        auto: options.autoWebhooks ?? false,
      });
    },
  };
}

/** The Stripe-mode page's pay button: asks Glade for the intent to confirm in the browser. */
export async function askForIntent(ctx: Pick<TestContext, "api">, sessionId: string): Promise<ApiResult> {
  const form = new URLSearchParams({ email: "buyer@example.com", name: "Ada Buyer", country: "US" });
  return ctx.api("POST", `/checkout/${sessionId}/intent`, {
    rawBody: form.toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
  });
}

/**
 * What the browser does on a Stripe-mode page: ask Glade for the intent, confirm it at Stripe with a test
 * card, and come back to Glade's return page. Answers the intent id and the return's answer.
 */
export async function payWithStripe(
  world: Pick<StripeWorld, "ctx" | "fake">,
  sessionId: string,
  card: TestPaymentMethod = "pm_card_visa",
  options: { authenticate?: "approve" | "deny"; returnToGlade?: boolean } = {},
): Promise<{ intentId: string; returned?: ApiResult }> {
  const asked = await ok(askForIntent(world.ctx, sessionId), "intent");
  const intentId = String(asked.clientSecret).split("_secret_")[0] ?? "";
  world.fake.confirm(intentId, card);
  if (options.authenticate) world.fake.authenticate(intentId, options.authenticate);
  if (options.returnToGlade === false) return { intentId };
  return { intentId, returned: await world.ctx.api("GET", `/checkout/${sessionId}/return`) };
}
