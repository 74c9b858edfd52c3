import { describe, expect, it } from "vitest";
import { setAllowedRedirectDomains } from "../../src/organizations/index.js";
import { createCustomer, ok, portalLink, portalWorld, testContext, visitPortal } from "../support/index.js";

/** The app clock: links and sessions expire by it. */
const clock = { now: Date.parse("2031-03-04T10:00:00Z") };
const ctx = await testContext({ now: () => new Date(clock.now) });
const HOUR = 60 * 60 * 1000;

describe("billing portal links", () => {
  it("creates a one-hour link that signs the customer in once, with a scoped HttpOnly cookie", async () => {
    const w = await portalWorld(ctx);
    const link = await portalLink(ctx, w.key, w.externalId, { returnUrl: "https://shop.example/account" });
    expect(link).toMatchObject({ customerId: w.customerId, returnUrl: "https://shop.example/account" });
    expect(link.id).toMatch(/^bpl_/);
    expect(link.expiresAt).toBe(clock.now + HOUR);
    expect(link.url).toMatch(/^http:\/\/glade\.test\/billing\/enter\/[0-9A-Za-z]{43}$/);

    const visit = await visitPortal(ctx, link.url);
    const attributes = visit.setCookie.split(";").map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(["httponly", "samesite=lax", "path=/billing"]));
    // http in this test's public URL: a Secure cookie would never come back.
    expect(attributes).not.toContain("secure");
    const page = await visit.get("/billing");
    expect(page.status).toBe(200);
    expect(page.text).toContain(`portal-user@example.com`);
    expect(page.text).toContain('href="https://shop.example/account"');

    const again = await ctx.api("GET", new URL(link.url).pathname);
    expect(again.status).toBe(410);
    expect(again.text).toContain("This billing link was already used");
    expect(again.headers.get("set-cookie")).toBeNull();
  });

  it("refuses an expired link and a made-up one with a page, and ends the session after its hour", async () => {
    const w = await portalWorld(ctx, { externalId: "expiring" });
    const link = await portalLink(ctx, w.key, w.externalId, { expiresAt: clock.now + 5 * 60_000 });
    const unused = await portalLink(ctx, w.key, w.externalId);
    clock.now += 6 * 60_000;
    const expired = await ctx.api("GET", new URL(link.url).pathname);
    expect(expired.status).toBe(410);
    expect(expired.headers.get("content-type")).toContain("text/html");
    expect(expired.text).toContain("This billing link has expired");

    const madeUp = await ctx.api("GET", `/billing/enter/${"A".repeat(43)}`);
    expect(madeUp.status).toBe(404);
    expect(madeUp.text).toContain("This billing link is not valid");

    const visit = await visitPortal(ctx, unused.url);
    expect((await visit.get("/billing")).status).toBe(200);
    clock.now += HOUR + 1;
    const late = await visit.get("/billing");
    expect(late.status).toBe(401);
    expect(late.text).toContain("You are signed out of billing");
    expect(late.text).not.toContain("expiring@example.com");
  });

  it("signs out: the cookie is cleared and the old cookie no longer works", async () => {
    const w = await portalWorld(ctx, { externalId: "leaver" });
    const visit = await visitPortal(ctx, (await portalLink(ctx, w.key, w.externalId)).url);
    const out = await visit.post("/billing/sign-out");
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toMatch(/glade_portal=;.*Max-Age=0/i);
    expect((await visit.get("/billing")).status).toBe(401);
  });

  it("gives the billing view a fresh working link each time", async () => {
    const w = await portalWorld(ctx, { externalId: "viewer" });
    const read = async () =>
      (await ok(ctx.api("GET", `/api/v1/customers/${w.externalId}/billing`, { key: w.key })))
        .billingPortalUrl;
    const [first, second] = [await read(), await read()];
    expect(first).not.toBe(second);
    const visit = await visitPortal(ctx, second);
    expect((await visit.get("/billing")).text).toContain("viewer@example.com");
  });

  it("refuses bad requests with the Flowglad error shape and writes nothing", async () => {
    const w = await portalWorld(ctx, { externalId: "strict" });
    const post = (externalId: string, body: unknown) =>
      ctx.api("POST", `/api/v1/customers/${externalId}/billing-portal-sessions`, { key: w.key, body });
    const cases: [string, unknown, number][] = [
      ["strict", { returnUrl: "javascript:alert(1)" }, 400],
      ["strict", { returnUrl: "not a url" }, 400],
      ["strict", { expiresAt: clock.now + 10_000 }, 400],
      ["strict", { expiresAt: clock.now + 25 * HOUR }, 400],
      ["strict", { unknownField: true }, 400],
      ["nobody", {}, 404],
    ];
    for (const [externalId, body, status] of cases) {
      const res = await post(externalId, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(typeof res.body.code).toBe("string");
    }
    await setAllowedRedirectDomains(ctx.deps.db, w.f.merchant.organizationId, ["shop.example"], new Date());
    const offList = await post("strict", { returnUrl: "https://evil.example/" });
    expect(offList.status).toBe(400);
    expect(offList.body.message).toContain("allowed redirect domains");
    expect((await post("strict", { returnUrl: "https://www.shop.example/back" })).status).toBe(200);
  });

  it("links are per mode: a live key cannot reach a test-mode customer", async () => {
    const w = await portalWorld(ctx, { externalId: "test-only" });
    const res = await ctx.api("POST", `/api/v1/customers/${w.externalId}/billing-portal-sessions`, {
      key: w.f.merchant.liveKey,
      body: {},
    });
    expect(res.status).toBe(404);
    await createCustomer(ctx, w.f.merchant.liveKey, "test-only");
    const live = await portalLink(ctx, w.f.merchant.liveKey, "test-only");
    const page = await (await visitPortal(ctx, live.url)).get("/billing");
    // The live customer of the same external id has no subscription: the test-mode one is not shown.
    expect(page.text).toContain("You have no current subscriptions.");
    expect(page.text).not.toContain("Test mode");
  });
});

describe("billing portal behind https", () => {
  it("marks the cookie Secure when the public URL is https", async () => {
    const base = await testContext();
    const secure = await testContext({
      config: { ...base.deps.config, publicUrl: "https://billing.example" },
    });
    const w = await portalWorld(secure, { externalId: "tls-user" });
    const link = await portalLink(secure, w.key, w.externalId);
    expect(link.url.startsWith("https://billing.example/billing/enter/")).toBe(true);
    const entered = await secure.api("GET", new URL(link.url).pathname);
    expect(entered.status).toBe(303);
    const attributes = (entered.headers.get("set-cookie") ?? "")
      .split(";")
      .map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(
      expect.arrayContaining(["secure", "httponly", "samesite=lax", "path=/billing"]),
    );
  });
});
