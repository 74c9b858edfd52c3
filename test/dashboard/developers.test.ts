import { describe, expect, it } from "vitest";
import { listAuditEntries } from "../../src/audit/index.js";
import {
  catalogFixture,
  dashboardUser,
  ok,
  openSession,
  signInDashboard,
  testContext,
} from "../support/index.js";

const ctx = await testContext();

const audit = async (organizationId: string, livemode = false) =>
  (await listAuditEntries(ctx.deps.db, { organizationId, livemode }, { limit: 50 })).entries;

describe("dashboard API keys", () => {
  it("creates a key whose secret is shown once and works, then revokes it; both audited", async () => {
    const m = await ctx.merchant("Keys Org");
    const admin = await dashboardUser(ctx, m.organizationId, "admin");
    const visit = await signInDashboard(ctx, admin.email);
    const created = await visit.post("/dashboard/developers/api-keys", { name: "Server key" });
    expect(created.status).toBe(201);
    expect(created.headers.get("cache-control")).toContain("no-store");
    const secret = /id="new-secret">(sk_test_[0-9A-Za-z]+)</.exec(created.text)?.[1] ?? "";
    expect(secret).toMatch(/^sk_test_/);
    expect((await ctx.api("GET", "/api/v1/customers", { key: secret })).status).toBe(200);
    const list = await visit.get("/dashboard/developers/api-keys");
    expect(list.text).toContain("Server key");
    expect(list.text).not.toContain(secret);

    const keyId =
      /action="\/dashboard\/developers\/api-keys\/(apikey_[0-9A-Za-z]+)\/revoke"[\s\S]*?Revoke Server key/.exec(
        list.text,
      )?.[1] ?? "";
    expect(keyId).toMatch(/^apikey_/);
    expect((await visit.post(`/dashboard/developers/api-keys/${keyId}/revoke`)).status).toBe(303);
    expect((await ctx.api("GET", "/api/v1/customers", { key: secret })).status).toBe(401);

    const entries = await audit(m.organizationId);
    const revoked = entries.find((e) => e.action === "api_key.revoked");
    expect(revoked).toMatchObject({ actorType: "user", actorLabel: admin.email, objectId: keyId });
    expect(revoked?.before).toMatchObject({ id: keyId, revokedAt: null });
    expect(revoked?.after).toMatchObject({ revokedAt: expect.any(String) });
    expect(entries.find((e) => e.action === "api_key.created")?.objectId).toBe(keyId);
    expect(JSON.stringify(entries)).not.toContain(secret);
  });

  it("shows the other mode's keys only after switching, and a live key from the live view", async () => {
    const m = await ctx.merchant("Modes Org");
    const owner = await dashboardUser(ctx, m.organizationId, "owner");
    const visit = await signInDashboard(ctx, owner.email);
    expect((await visit.get("/dashboard/developers/api-keys")).text).toContain("Test keys");
    const switched = await visit.post("/dashboard/view", {
      livemode: "true",
      back: "/dashboard/developers/api-keys",
    });
    expect(switched.headers.get("location")).toBe("/dashboard/developers/api-keys");
    const live = await visit.post("/dashboard/developers/api-keys", { name: "Live server" });
    expect(/id="new-secret">(sk_live_[0-9A-Za-z]+)</.test(live.text)).toBe(true);
    expect((await visit.get("/dashboard")).text).not.toContain("You are viewing test data.");
    expect(
      (await visit.post("/dashboard/view", { livemode: "false", back: "https://evil.example/" })).headers.get(
        "location",
      ),
    ).toBe("/dashboard");
  });

  it("lets a viewer look but change nothing, and refuses forms without the token", async () => {
    const m = await ctx.merchant();
    const viewer = await dashboardUser(ctx, m.organizationId, "viewer");
    const visit = await signInDashboard(ctx, viewer.email);
    const page = await visit.get("/dashboard/developers/api-keys");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Your role can view keys but not create or revoke them.");
    const tried = await visit.post("/dashboard/developers/api-keys", { name: "Sneaky" });
    expect(tried.status).toBe(403);
    expect((await visit.get("/dashboard/audit-log")).status).toBe(403);
    const admin = await dashboardUser(ctx, m.organizationId, "admin");
    const adminVisit = await signInDashboard(ctx, admin.email);
    const noToken = await ctx.api("POST", "/dashboard/developers/api-keys", {
      rawBody: "name=x",
      headers: { cookie: adminVisit.cookie, "content-type": "application/x-www-form-urlencoded" },
    });
    expect(noToken.status).toBe(403);
    const crossSite = await adminVisit.post(
      "/dashboard/developers/api-keys",
      { name: "x" },
      { origin: "https://evil.example" },
    );
    expect(crossSite.status).toBe(403);
    expect((await adminVisit.get("/dashboard/developers/api-keys")).text).not.toContain("Sneaky");
    expect((await audit(m.organizationId)).filter((e) => e.action === "api_key.created")).toEqual([]);
  });

  it("never reaches another organization's keys, audit entries or view", async () => {
    const a = await ctx.merchant("Org A");
    const b = await ctx.merchant("Org B");
    const aOwner = await dashboardUser(ctx, a.organizationId, "owner");
    const bOwner = await dashboardUser(ctx, b.organizationId, "owner");
    const aVisit = await signInDashboard(ctx, aOwner.email);
    const bVisit = await signInDashboard(ctx, bOwner.email);
    const made = await aVisit.post("/dashboard/developers/api-keys", { name: "A key" });
    const aSecret = /id="new-secret">(sk_test_[0-9A-Za-z]+)</.exec(made.text)?.[1] ?? "";
    const aKeyId =
      /api-keys\/(apikey_[0-9A-Za-z]+)\/revoke/.exec(
        (await aVisit.get("/dashboard/developers/api-keys")).text,
      )?.[1] ?? "";
    expect((await bVisit.post(`/dashboard/developers/api-keys/${aKeyId}/revoke`)).status).toBe(404);
    expect((await ctx.api("GET", "/api/v1/customers", { key: aSecret })).status).toBe(200);
    const aEntry = (await audit(a.organizationId))[0]?.id ?? "";
    expect((await bVisit.get(`/dashboard/audit-log/${aEntry}`)).status).toBe(404);
    expect((await bVisit.get(`/dashboard/audit-log?cursor=${aEntry}`)).status).toBe(400);
    expect((await bVisit.post("/dashboard/view", { organizationId: a.organizationId })).status).toBe(404);
    expect((await bVisit.get("/dashboard")).text).toContain("Org B");
    expect((await bVisit.get("/dashboard/developers/api-keys")).text).not.toContain("A key");
  });

  it("records every change made with an API key, and no read", async () => {
    const m = await ctx.merchant("API Audit Org");
    const pm = await ok(
      ctx.api("POST", "/api/v1/pricing-models", {
        key: m.testKey,
        body: { pricingModel: { name: "Main", isDefault: true } },
      }),
    );
    await ok(ctx.api("GET", "/api/v1/pricing-models", { key: m.testKey }));
    await ok(
      ctx.api("PUT", `/api/v1/pricing-models/${pm.pricingModel.id}`, {
        key: m.testKey,
        body: { pricingModel: { name: "Renamed" } },
      }),
    );
    expect((await ctx.api("POST", "/api/v1/pricing-models", { key: m.testKey, body: {} })).status).toBe(400);
    const entries = await audit(m.organizationId);
    expect(entries.map((e) => `${e.actorType} ${e.action} ${e.objectId}`).sort()).toEqual(
      [
        `api_key POST /api/v1/pricing-models null`,
        `api_key PUT /api/v1/pricing-models/:id ${pm.pricingModel.id}`,
      ].sort(),
    );
    // A buyer's checkout opened through the merchant's server is customer traffic, not a merchant change.
    const f = await catalogFixture(ctx);
    const before = (await audit(f.merchant.organizationId)).length;
    await openSession(ctx, f.merchant.testKey, {
      type: "product",
      anonymous: true,
      priceId: f.oneTimePriceId,
    });
    expect((await audit(f.merchant.organizationId)).length).toBe(before);
    const owner = await dashboardUser(ctx, m.organizationId, "owner");
    const page = await (await signInDashboard(ctx, owner.email)).get("/dashboard/audit-log");
    expect(page.text).toContain("PUT /api/v1/pricing-models/:id");
  });
});
