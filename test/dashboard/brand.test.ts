import { describe, expect, it } from "vitest";
import { getOrganization } from "../../src/organizations/index.js";
import {
  anonymousSession,
  catalogFixture,
  dashboardUser,
  signInDashboard,
  testContext,
} from "../support/index.js";

const ctx = await testContext();

describe("brand colour and logo on the hosted checkout", () => {
  it("saves them in Settings and shows them on the checkout page, with readable button text", async () => {
    const f = await catalogFixture(ctx);
    const owner = await dashboardUser(ctx, f.merchant.organizationId, "owner");
    const visit = await signInDashboard(ctx, owner.email);
    const bad = await visit.post("/dashboard/settings/profile", {
      name: "Test Merchant",
      brandColor: "red; background:url(x)",
      logoUrl: "http://insecure.example/logo.png",
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="settings-brand-color"');
    expect(bad.text).toMatch(/settings-brand-color-error[^>]*>[^<]*six hex digits/);
    expect(bad.text).toMatch(/settings-logo-error[^>]*>[^<]*https:\/\//);
    expect((await getOrganization(ctx.deps.db, f.merchant.organizationId))?.brandColor).toBeNull();

    const saved = await visit.post("/dashboard/settings/profile", {
      name: "Test Merchant",
      brandColor: "#0B6E4F",
      logoUrl: "https://cdn.example/logo.png",
    });
    expect(saved.status).toBe(303);
    const org = await getOrganization(ctx.deps.db, f.merchant.organizationId);
    expect(org).toMatchObject({ brandColor: "#0b6e4f", logoUrl: "https://cdn.example/logo.png" });

    const page = await ctx.api("GET", `/checkout/${await anonymousSession(ctx, f)}`);
    const href = `/checkout/brand/${f.merchant.organizationId}/0b6e4f.css`;
    expect(page.text).toContain(`<link rel="stylesheet" href="${href}">`);
    expect(page.text).toContain('<img class="logo" src="https://cdn.example/logo.png" alt=""');
    expect(page.headers.get("content-security-policy")).toMatch(/img-src 'self' https:/);
    const css = await ctx.api("GET", href);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toContain("text/css");
    // A dark green carries white text (contrast above 4.5:1).
    expect(css.text).toContain("background:#0b6e4f;color:#ffffff");
    // Only the organization's current colour is served; anything else is a 404.
    expect((await ctx.api("GET", `/checkout/brand/${f.merchant.organizationId}/ff0000.css`)).status).toBe(
      404,
    );
    expect((await ctx.api("GET", `/checkout/brand/org_nobody/0b6e4f.css`)).status).toBe(404);
  });

  it("puts dark text on a light colour, and an organization without a brand links no stylesheet", async () => {
    const f = await catalogFixture(ctx);
    const plain = await ctx.api("GET", `/checkout/${await anonymousSession(ctx, f)}`);
    expect(plain.text).not.toContain("/checkout/brand/");
    expect(plain.text).not.toContain('class="logo"');
    const owner = await dashboardUser(ctx, f.merchant.organizationId, "admin");
    const visit = await signInDashboard(ctx, owner.email);
    expect(
      (await visit.post("/dashboard/settings/profile", { name: "Light", brandColor: "#ffd23f" })).status,
    ).toBe(303);
    const css = await ctx.api("GET", `/checkout/brand/${f.merchant.organizationId}/ffd23f.css`);
    expect(css.text).toContain("background:#ffd23f;color:#1b1f24");
  });
});
