import { eq } from "drizzle-orm";
import { checkoutSessions } from "../../src/db/schema/index.js";
import { type ApiClient, type ApiResult, ok } from "./api.js";
import type { TestContext } from "./app.js";
import type { CatalogFixture } from "./catalog.js";

/** Customers, checkout sessions and the hosted page's form, driven through the public API. */

export const URLS = {
  successUrl: "https://merchant.example/thanks?session={CHECKOUT_SESSION_ID}",
  cancelUrl: "https://merchant.example/cart",
};

/** Numbers the sandbox processor answers in a known way; spaced as a buyer types them. */
export const CARDS = {
  ok: "4242 4242 4242 4242",
  decline: "4000 0000 0000 0002",
  challenge: "4000 0025 0000 3155",
  badLuhn: "4242 4242 4242 4241",
  failOnCharge: "4000 0000 0000 0341",
};

/** `fields` may override the made-up email and name, or add any other customer field. */
export async function createCustomer(
  ctx: ApiClient,
  key: string,
  externalId: string,
  fields: Record<string, unknown> = {},
) {
  const body = {
    customer: { externalId, email: `${externalId}@example.com`, name: `Customer ${externalId}`, ...fields },
  };
  return (await ok(ctx.api("POST", "/api/v1/customers", { key, body }), "customer")).data.customer as {
    id: string;
    externalId: string;
    email: string;
    name: string;
    [field: string]: any;
  };
}

/** The raw answer, for tests about what the create call says; `openSession` when the session is the setup. */
export async function createSession(
  ctx: ApiClient,
  key: string,
  checkoutSession: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<ApiResult> {
  return ctx.api("POST", "/api/v1/checkout-sessions", {
    key,
    body: { checkoutSession: { ...URLS, ...checkoutSession } },
    ...(headers ? { headers } : {}),
  });
}

export async function openSession(
  ctx: ApiClient,
  key: string,
  checkoutSession: Record<string, unknown>,
): Promise<{ checkoutSession: { id: string } & Record<string, any>; url: string }> {
  return ok(createSession(ctx, key, checkoutSession), "checkout session");
}

/** The id of a fresh anonymous product session (the one-time price unless `fields` says otherwise). */
export async function anonymousSession(
  ctx: ApiClient,
  f: CatalogFixture,
  fields: Record<string, unknown> = {},
): Promise<string> {
  const { checkoutSession } = await openSession(ctx, f.merchant.testKey, {
    type: "product",
    anonymous: true,
    priceId: f.oneTimePriceId,
    ...fields,
  });
  return checkoutSession.id;
}

/** Submits the hosted page's form exactly as a browser would (urlencoded POST). */
export async function submitCheckoutForm(ctx: ApiClient, sessionId: string, fields: Record<string, string>) {
  const form = new URLSearchParams({
    email: "buyer@example.com",
    name: "Ada Buyer",
    country: "US",
    cardExpiry: "12 / 34",
    cardCvc: "123",
    ...fields,
  });
  return ctx.api("POST", `/checkout/${sessionId}/confirm`, {
    rawBody: form.toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

/** Pays an open session through the hosted page's form, as the buyer's browser would. */
export async function payCheckout(ctx: ApiClient, sessionId: string, card = CARDS.ok) {
  const res = await submitCheckoutForm(ctx, sessionId, { cardNumber: card });
  if (res.status !== 303)
    throw new Error(`paying ${sessionId}: expected 303, got ${res.status}: ${res.text}`);
}

/** The session as stored, for what the API does not show (attempt, claim, processor intent). */
export async function sessionRow(ctx: Pick<TestContext, "deps">, id: string) {
  const [row] = await ctx.deps.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, id));
  if (!row) throw new Error(`session ${id} missing`);
  return row;
}

/**
 * Where a hosted form's 303 leads, fetched as a browser would: with the one-time cookie the redirect set
 * (a failed submit's problems and what was typed).
 */
export async function followFormRedirect(ctx: ApiClient, res: ApiResult): Promise<ApiResult> {
  const location = res.headers.get("location");
  if (res.status !== 303 || !location) throw new Error(`expected a 303, got ${res.status}: ${res.text}`);
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  return ctx.api("GET", location, cookie ? { headers: { cookie } } : {});
}
