import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createCustomer,
  ok,
  openSession,
  payCheckout,
  portalLink,
  portalWorld,
  signedIn,
  testContext,
  visitPortal,
} from "../support/index.js";

const ctx = await testContext();

/**
 * Alice is signed in. Bob is another customer of the same merchant, Carol a customer of another merchant.
 * Every id of theirs, in every URL and form of the portal, must be refused as if it did not exist, and
 * change nothing.
 */
const alice = await portalWorld(ctx, { externalId: "alice" });
const carol = await portalWorld(ctx, { externalId: "carol" });
await createCustomer(ctx, alice.key, "bob");
const bobSession = await openSession(ctx, alice.key, {
  type: "product",
  customerExternalId: "bob",
  priceId: alice.f.monthlyPriceId,
});
await payCheckout(ctx, bobSession.checkoutSession.id);
const bobBilling = await ok(ctx.api("GET", "/api/v1/customers/bob/billing", { key: alice.key }));
const bob = { subscriptionId: bobBilling.subscriptions[0].id, invoiceId: bobBilling.invoices[0].invoice.id };

const state = async () => {
  const read = async (key: string, id: string) =>
    (await ok(ctx.api("GET", `/api/v1/subscriptions/${id}`, { key }))).subscription;
  const subs = await Promise.all([
    read(alice.key, alice.subscriptionId),
    read(alice.key, bob.subscriptionId),
    read(carol.key, carol.subscriptionId),
  ]);
  return subs.map(
    (s) => `${s.id} ${s.status} ${s.priceId} ${s.cancelScheduledAt} ${s.defaultPaymentMethodId}`,
  );
};

describe("billing portal isolation", () => {
  it("refuses other customers' and other merchants' ids in every URL and form", async () => {
    const visit = await signedIn(ctx, alice);
    const before = await state();
    const foreignSubs = [bob.subscriptionId, carol.subscriptionId, "sub_doesnotexist0000000000"];
    const foreignInvoices = [bob.invoiceId, carol.invoiceId, "inv_doesnotexist0000000000"];
    for (const id of foreignSubs) {
      for (const verb of ["cancel", "uncancel"]) {
        const res = await visit.post(`/billing/subscriptions/${id}/${verb}`);
        expect(res.status, `${verb} ${id}`).toBe(404);
      }
      expect(
        (await visit.post(`/billing/subscriptions/${id}/change`, { priceId: alice.plusPriceId })).status,
      ).toBe(404);
      expect((await visit.get(`/billing/subscriptions/${id}/change`)).status).toBe(404);
      expect(
        (await visit.get(`/billing/subscriptions/${id}/change?priceId=${alice.plusPriceId}`)).status,
      ).toBe(404);
    }
    for (const id of foreignInvoices) {
      for (const kind of ["invoice", "receipt"]) {
        const res = await visit.get(`/billing/invoices/${id}/${kind}.pdf`);
        expect(res.status, `${kind} ${id}`).toBe(404);
        expect(res.headers.get("content-type")).not.toContain("pdf");
      }
    }
    // Alice's own subscription, moved to prices that are no plan of hers: another merchant's, a one-time one.
    for (const priceId of [carol.plusPriceId, alice.f.oneTimePriceId, "price_nope"]) {
      const res = await visit.post(`/billing/subscriptions/${alice.subscriptionId}/change`, { priceId });
      expect(res.status, priceId).toBe(404);
      expect(
        (await visit.get(`/billing/subscriptions/${alice.subscriptionId}/change?priceId=${priceId}`)).status,
      ).toBe(404);
    }
    expect(await state()).toEqual(before);
    const page = await visit.get("/billing");
    expect(page.text).not.toContain(bob.subscriptionId);
    expect(page.text).not.toContain(bob.invoiceId);
    expect(page.text).not.toContain("bob@example.com");
    expect(page.text).not.toContain(carol.subscriptionId);
  });

  it("refuses a form without this session's token, or posted from another site, and changes nothing", async () => {
    const visit = await signedIn(ctx, alice);
    const other = await visitPortal(ctx, (await portalLink(ctx, carol.key, carol.externalId)).url);
    const before = await state();
    const path = `/billing/subscriptions/${alice.subscriptionId}/cancel`;
    const post = (body: string, headers: Record<string, string> = {}) =>
      ctx.api("POST", path, {
        rawBody: body,
        headers: { cookie: visit.cookie, "content-type": "application/x-www-form-urlencoded", ...headers },
      });
    expect((await post("")).status).toBe(403);
    expect((await post("csrf=")).status).toBe(403);
    expect((await post(`csrf=${visit.csrf}x`)).status).toBe(403);
    expect((await post(`csrf=${other.csrf}`)).status).toBe(403);
    expect((await post(`csrf=${visit.csrf}`, { origin: "https://evil.example" })).status).toBe(403);
    // A JSON body is not a form: no token is read from it.
    const json = await ctx.api("POST", path, {
      body: { csrf: visit.csrf },
      headers: { cookie: visit.cookie },
    });
    expect(json.status).toBe(403);
    // Without the cookie, the token alone signs nobody in.
    const bare = await ctx.api("POST", path, {
      rawBody: `csrf=${visit.csrf}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(bare.status).toBe(401);
    expect(await state()).toEqual(before);
    // Carol's cookie with Alice's subscription: not hers.
    expect((await other.post(path)).status).toBe(404);
    expect(await state()).toEqual(before);
  });

  it("a portal cookie does not reach the API, and an API key does not reach the portal", async () => {
    const visit = await signedIn(ctx, alice);
    const api = await ctx.api("GET", `/api/v1/subscriptions/${alice.subscriptionId}`, {
      headers: { cookie: visit.cookie },
    });
    expect(api.status).toBe(401);
    const page = await ctx.api("GET", "/billing", { key: alice.key });
    expect(page.status).toBe(401);
  });
});

describe("billing portal forms under fuzzing", () => {
  it("answers any posted form on any portal path with a refusal or a redirect, never a 5xx", async () => {
    const visit = await signedIn(ctx, alice);
    const before = await state();
    const ids = [
      alice.subscriptionId,
      bob.subscriptionId,
      carol.subscriptionId,
      "",
      "x".repeat(300),
      "%00",
      "../..",
    ];
    const paths = [
      ...ids.flatMap((id) =>
        ["cancel", "uncancel", "change"].map(
          (verb) => `/billing/subscriptions/${encodeURIComponent(id)}/${verb}`,
        ),
      ),
      "/billing/payment-method",
      "/billing/sign-out",
      "/billing/enter/abc",
      "/billing",
    ];
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(alice.plusPriceId, carol.plusPriceId, "constructor", "__proto__"),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.dictionary(fc.constantFrom("csrf", "priceId", "constructor", "__proto__", "x"), text, {
          maxKeys: 4,
        }),
        fc.boolean(),
        fc.constantFrom(
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=zz",
          "text/plain",
          "application/json",
        ),
        async (path, fields, withToken, type) => {
          // Sign-out and the card checkout are real actions with the real token: keep this session alive.
          const safe =
            withToken &&
            !path.endsWith("/sign-out") &&
            !path.endsWith("/payment-method") &&
            !path.endsWith("/cancel");
          const body = new URLSearchParams({ ...fields, ...(safe ? { csrf: visit.csrf } : {}) }).toString();
          const res = await ctx.api("POST", path, {
            rawBody: body,
            headers: { cookie: visit.cookie, "content-type": type },
          });
          expect(res.status, `${path} ${body}`).toBeLessThan(500);
          expect([200, 303, 400, 401, 403, 404, 405]).toContain(res.status);
        },
      ),
      { numRuns: 150 },
    );
    // Only a valid priceId with the token on Alice's own change form may have moved her plan; nothing else did.
    const after = await state();
    expect(after.slice(1)).toEqual(before.slice(1));
  });
});
