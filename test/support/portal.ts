import { type ApiClient, type ApiResult, ok } from "./api.js";
import type { TestContext } from "./app.js";
import { type CatalogFixture, catalogFixture, createPrice } from "./catalog.js";
import { createCustomer, openSession, payCheckout } from "./checkout.js";

/** A paying customer with a monthly subscription bought through checkout, and plans to move to. */
export type PortalWorld = {
  f: CatalogFixture;
  key: string;
  externalId: string;
  customerId: string;
  subscriptionId: string;
  invoiceId: string;
  /** Monthly, dearer than the plan bought ($29.00): an upgrade. */
  plusPriceId: string;
  /** Monthly, cheaper ($5.00): a downgrade. */
  litePriceId: string;
};

export async function portalWorld(
  ctx: TestContext,
  options: { externalId?: string; customer?: Record<string, unknown> } = {},
): Promise<PortalWorld> {
  const f = await catalogFixture(ctx);
  const key = f.merchant.testKey;
  const externalId = options.externalId ?? "portal-user";
  const monthly = (unitPrice: number, slug: string) =>
    createPrice(ctx, f.merchant, {
      productId: f.productId,
      currency: "USD",
      type: "subscription",
      unitPrice,
      intervalUnit: "month",
      intervalCount: 1,
      slug,
      name: slug === "pro-plus" ? "Plus" : "Lite",
    });
  const [plus, lite, customer] = await Promise.all([
    monthly(2900, "pro-plus"),
    monthly(500, "pro-lite"),
    createCustomer(ctx, key, externalId, options.customer ?? {}),
  ]);
  const session = await openSession(ctx, key, {
    type: "product",
    customerExternalId: externalId,
    priceId: f.monthlyPriceId,
  });
  await payCheckout(ctx, session.checkoutSession.id);
  const billing = await ok(ctx.api("GET", `/api/v1/customers/${externalId}/billing`, { key }), "billing");
  return {
    f,
    key,
    externalId,
    customerId: customer.id,
    subscriptionId: billing.subscriptions[0].id,
    invoiceId: billing.invoices[0].invoice.id,
    plusPriceId: plus.id,
    litePriceId: lite.id,
  };
}

export async function portalLink(
  ctx: ApiClient,
  key: string,
  externalId: string,
  body: Record<string, unknown> = {},
): Promise<{ id: string; url: string; expiresAt: number; returnUrl: string | null }> {
  return (
    await ok(
      ctx.api("POST", `/api/v1/customers/${encodeURIComponent(externalId)}/billing-portal-sessions`, {
        key,
        body,
      }),
      "portal link",
    )
  ).billingPortalSession;
}

/** A browser's visit to the portal, without a browser: the cookie the link set and the forms' token. */
export type PortalVisit = {
  cookie: string;
  csrf: string;
  setCookie: string;
  get: (path: string) => Promise<ApiResult>;
  post: (
    path: string,
    fields?: Record<string, string>,
    headers?: Record<string, string>,
  ) => Promise<ApiResult>;
};

export async function visitPortal(ctx: ApiClient, linkUrl: string): Promise<PortalVisit> {
  const entered = await ctx.api("GET", new URL(linkUrl).pathname);
  if (entered.status !== 303)
    throw new Error(`portal link: expected 303, got ${entered.status}: ${entered.text}`);
  const setCookie = entered.headers.get("set-cookie") ?? "";
  const cookie = setCookie.split(";")[0] ?? "";
  const get = (path: string) => ctx.api("GET", path, { headers: { cookie } });
  const page = await get("/billing");
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
  if (!csrf) throw new Error(`portal page has no form token: ${page.status} ${page.text.slice(0, 300)}`);
  return {
    cookie,
    csrf,
    setCookie,
    get,
    post: (path, fields = {}, headers = {}) =>
      ctx.api("POST", path, {
        rawBody: new URLSearchParams({ csrf, ...fields }).toString(),
        headers: { cookie, "content-type": "application/x-www-form-urlencoded", ...headers },
      }),
  };
}

/** A signed-in visit for the world's customer. */
export async function signedIn(ctx: ApiClient, w: PortalWorld): Promise<PortalVisit> {
  return visitPortal(ctx, (await portalLink(ctx, w.key, w.externalId)).url);
}
