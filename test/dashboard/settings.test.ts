import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ensureUser, setMembership } from "../../src/dashboard/index.js";
import { auditLog, memberships } from "../../src/db/schema/index.js";
import { getOrganization } from "../../src/organizations/index.js";
import {
  connectBody,
  connectionContext,
  fakeStripeAccount,
  newEncryptionKey,
  ownDatabase,
} from "../processors/connection-fixtures.js";
import {
  type DashboardVisit,
  dashboardUser,
  signInDashboard,
  type TestContext,
  testContext,
} from "../support/index.js";

/**
 * Real time plus `offset`: each sign-in moves the clock past the sign-in throttle's window (every in-process
 * request comes from the same "unknown" client), well inside the sessions' twelve hours.
 */
const clock = { offset: 0 };
const ctx = await testContext({ now: () => new Date(Date.now() + clock.offset) });

function signIn(email: string) {
  clock.offset += 11 * 60 * 1000;
  return signInDashboard(ctx, email);
}

async function audits(c: TestContext, organizationId: string) {
  return c.deps.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.organizationId, organizationId))
    .orderBy(asc(auditLog.createdAt), asc(auditLog.id));
}

/** Everything a settings form could change in the organization: compared before and after a refused post. */
async function state(organizationId: string) {
  const org = await getOrganization(ctx.deps.db, organizationId);
  const members = await ctx.deps.db
    .select({ userId: memberships.userId, role: memberships.role })
    .from(memberships)
    .where(eq(memberships.organizationId, organizationId))
    .orderBy(asc(memberships.userId));
  return {
    name: org?.name,
    addressLines: org?.addressLines,
    supportEmail: org?.supportEmail,
    domains: org?.allowedRedirectDomains,
    members,
    audits: (await audits(ctx, organizationId)).length,
  };
}

async function membershipId(organizationId: string, userId: string): Promise<string> {
  const [row] = await ctx.deps.db
    .select()
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.userId, userId)));
  if (!row) throw new Error("no membership");
  return row.id;
}

/** An organization with an owner, an admin and a viewer, each signed in. */
async function team(name = "Settings Org") {
  const m = await ctx.merchant(name);
  const owner = await dashboardUser(ctx, m.organizationId, "owner");
  const admin = await dashboardUser(ctx, m.organizationId, "admin");
  const viewer = await dashboardUser(ctx, m.organizationId, "viewer");
  return {
    orgId: m.organizationId,
    owner,
    admin,
    viewer,
    asOwner: await signIn(owner.email),
    asAdmin: await signIn(admin.email),
    asViewer: await signIn(viewer.email),
    adminMembership: await membershipId(m.organizationId, admin.id),
    viewerMembership: await membershipId(m.organizationId, viewer.id),
    ownerMembership: await membershipId(m.organizationId, owner.id),
  };
}

/** Every form of the area with valid values. */
function everyForm(t: {
  adminMembership: string;
  viewerMembership: string;
}): [string, Record<string, string>][] {
  return [
    [
      "/dashboard/settings/profile",
      { name: "Changed", supportEmail: "x@example.com", addressLines: "1 Road" },
    ],
    ["/dashboard/settings/redirect-domains", { domains: "changed.example.com" }],
    ["/dashboard/settings/team/invite", { email: `new-${Date.now()}@example.com`, role: "admin" }],
    [`/dashboard/settings/team/${t.adminMembership}/role`, { role: "viewer" }],
    [`/dashboard/settings/team/${t.viewerMembership}/remove`, {}],
  ];
}

describe("dashboard settings: business details and redirect domains", () => {
  it("saves the business details with an audit entry holding before and after", async () => {
    const t = await team("Old Name");
    const res = await t.asAdmin.post("/dashboard/settings/profile", {
      name: "  Glade Coffee Ltd ",
      supportEmail: "help@coffee.example",
      addressLines: "1 Bean Street\r\n\r\nLondon E1 6AN\r\n",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard/settings?saved=profile");
    const org = await getOrganization(ctx.deps.db, t.orgId);
    expect(org?.name).toBe("Glade Coffee Ltd");
    expect(org?.addressLines).toEqual(["1 Bean Street", "London E1 6AN"]);
    expect(org?.supportEmail).toBe("help@coffee.example");
    const page = await t.asAdmin.get("/dashboard/settings?saved=profile");
    expect(page.text).toContain("Business details saved.");
    expect(page.text).toContain('value="Glade Coffee Ltd"');
    const [entry] = (await audits(ctx, t.orgId)).filter((a) => a.action === "organization.profile_updated");
    expect(entry?.actorId).toBe(t.admin.id);
    expect(entry?.before).toEqual({
      name: "Old Name",
      addressLines: [],
      supportEmail: null,
      brandColor: null,
      logoUrl: null,
    });
    expect(entry?.after).toEqual({
      name: "Glade Coffee Ltd",
      addressLines: ["1 Bean Street", "London E1 6AN"],
      supportEmail: "help@coffee.example",
      brandColor: null,
      logoUrl: null,
    });
    // An empty support email clears it.
    await t.asOwner.post("/dashboard/settings/profile", { name: "Glade Coffee Ltd", supportEmail: "" });
    expect((await getOrganization(ctx.deps.db, t.orgId))?.supportEmail).toBeNull();
  });

  it("shows each problem next to its field and changes nothing", async () => {
    const t = await team();
    const before = await state(t.orgId);
    const res = await t.asOwner.post("/dashboard/settings/profile", {
      name: " ",
      supportEmail: "not an email",
      addressLines: "1\n2\n3\n4\n5\n6\n7",
    });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(
      /id="settings-name"[^>]*aria-invalid="true"[^>]*aria-describedby="settings-name-error"/,
    );
    expect(res.text).toContain('id="settings-name-error"');
    expect(res.text).toContain('id="settings-support-email-error"');
    expect(res.text).toContain('id="settings-address-error"');
    expect(res.text).toContain('value="not an email"');
    const domains = await t.asOwner.post("/dashboard/settings/redirect-domains", {
      domains: "shop.example.com\nhttps://evil.example/path",
    });
    expect(domains.status).toBe(400);
    expect(domains.text).toContain('id="settings-domains-error"');
    expect(domains.text).toContain("without https://");
    expect(domains.text).toContain("https://evil.example/path</textarea>");
    expect(await state(t.orgId)).toEqual(before);
  });

  it("saves redirect domains (lower-cased, without repeats), audited", async () => {
    const t = await team();
    const m = { organizationId: t.orgId };
    const res = await t.asAdmin.post("/dashboard/settings/redirect-domains", {
      domains: "Shop.Example.com, shop.example.com\napp.example.org",
    });
    expect(res.status).toBe(303);
    expect((await getOrganization(ctx.deps.db, m.organizationId))?.allowedRedirectDomains).toEqual([
      "shop.example.com",
      "app.example.org",
    ]);
    const [entry] = (await audits(ctx, t.orgId)).filter(
      (a) => a.action === "organization.redirect_domains_updated",
    );
    expect(entry?.before).toEqual({ allowedRedirectDomains: [] });
    expect(entry?.after).toEqual({ allowedRedirectDomains: ["shop.example.com", "app.example.org"] });
    expect((await t.asAdmin.get("/dashboard/settings?saved=domains")).text).toContain(
      "Redirect domains saved.",
    );
    // An empty list allows any host again.
    expect((await t.asAdmin.post("/dashboard/settings/redirect-domains", { domains: "" })).status).toBe(303);
    expect((await getOrganization(ctx.deps.db, m.organizationId))?.allowedRedirectDomains).toEqual([]);
  });

  it("shows a viewer the settings without forms", async () => {
    const t = await team();
    const page = await t.asViewer.get("/dashboard/settings");
    expect(page.status).toBe(200);
    expect(page.text).toContain("can view these settings but not change them");
    expect(page.text).not.toContain('action="/dashboard/settings/profile"');
    expect(page.text).not.toContain('action="/dashboard/settings/redirect-domains"');
    const teamPage = await t.asViewer.get("/dashboard/settings/team");
    expect(teamPage.text).not.toContain("/dashboard/settings/team/invite");
    expect(teamPage.text).toContain(t.owner.email);
  });
});

describe("dashboard settings: refusals change nothing", () => {
  it("answers 403 to a viewer on every form", async () => {
    const t = await team();
    const before = await state(t.orgId);
    for (const [path, fields] of everyForm(t)) {
      const res = await t.asViewer.post(path, fields);
      expect(res.status, path).toBe(403);
      expect(res.text).toContain("Nothing was changed");
    }
    expect(await state(t.orgId)).toEqual(before);
  });

  it("answers 403 to an admin on every team form", async () => {
    const t = await team();
    const before = await state(t.orgId);
    for (const [path, fields] of everyForm(t).slice(2)) {
      const res = await t.asAdmin.post(path, fields);
      expect(res.status, path).toBe(403);
    }
    expect(await state(t.orgId)).toEqual(before);
    expect((await t.asAdmin.get("/dashboard/settings/team")).text).not.toContain("Change role");
  });

  it("answers 403 without the form token, with a wrong one, or from another site", async () => {
    const t = await team();
    const before = await state(t.orgId);
    for (const [path, fields] of everyForm(t)) {
      const missing = await ctx.api("POST", path, {
        rawBody: new URLSearchParams(fields).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: t.asOwner.cookie },
      });
      expect(missing.status, path).toBe(403);
      expect((await t.asOwner.post(path, { ...fields, csrf: "wrong" })).status, path).toBe(403);
      expect((await t.asOwner.post(path, fields, { origin: "https://evil.example" })).status, path).toBe(403);
    }
    expect(await state(t.orgId)).toEqual(before);
  });

  it("answers 404 to a member id of another organization, in either mode, and changes nothing", async () => {
    const t = await team();
    const other = await team("Other Org");
    const mine = await state(t.orgId);
    const theirs = await state(other.orgId);
    const tryAll = async (visit: DashboardVisit) => {
      for (const id of [other.adminMembership, other.ownerMembership, "membership_nope"]) {
        expect((await visit.post(`/dashboard/settings/team/${id}/role`, { role: "viewer" })).status).toBe(
          404,
        );
        expect((await visit.post(`/dashboard/settings/team/${id}/remove`)).status).toBe(404);
      }
    };
    await tryAll(t.asOwner);
    expect(
      (await t.asOwner.post("/dashboard/view", { livemode: "true", back: "/dashboard/settings" })).status,
    ).toBe(303);
    expect((await t.asOwner.get("/dashboard/settings")).text).toContain("Live data");
    await tryAll(t.asOwner);
    expect((await t.asOwner.get(`/dashboard/settings/team?cursor=${other.adminMembership}`)).status).toBe(
      400,
    );
    expect(await state(t.orgId)).toEqual(mine);
    expect(await state(other.orgId)).toEqual(theirs);
  });
});

describe("dashboard settings: team", () => {
  it("invites a new member with a one-time link shown once, audited", async () => {
    const t = await team();
    const email = `Invitee-${Date.now()}@Example.com`;
    const res = await t.asOwner.post("/dashboard/settings/team/invite", { email, role: "viewer" });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.text).toContain("Send this link to them");
    const url = /id="invite-link">([^<]+)</.exec(res.text)?.[1] ?? "";
    expect(url).toMatch(/\/dashboard\/link\/[\w-]+$/);
    const token = url.split("/").at(-1) ?? "";
    const later = await t.asOwner.get("/dashboard/settings/team");
    expect(later.text).not.toContain(token);
    expect(later.text).toContain(email.toLowerCase());
    expect(later.text).toContain("No password yet");
    expect((await ctx.api("GET", `/dashboard/link/${token}`)).status).toBe(200);
    const entry = (await audits(ctx, t.orgId)).find((a) => a.action === "membership.created");
    expect(entry?.after).toMatchObject({ email: email.toLowerCase(), role: "viewer" });
    // Inviting a member again is an error next to the email field, and changes nothing.
    const before = await state(t.orgId);
    const again = await t.asOwner.post("/dashboard/settings/team/invite", { email, role: "admin" });
    expect(again.status).toBe(400);
    expect(again.text).toContain('id="team-email-error"');
    expect(again.text).toContain("already a member");
    expect(await state(t.orgId)).toEqual(before);
  });

  it("adds an existing account without a link (a link would reset its password)", async () => {
    const t = await team();
    const other = await team("Elsewhere");
    const res = await t.asOwner.post("/dashboard/settings/team/invite", {
      email: other.admin.email,
      role: "admin",
    });
    expect(res.status).toBe(201);
    expect(res.text).not.toContain('id="invite-link"');
    expect(res.text).toContain("already has a Glade account");
    expect((await state(t.orgId)).members).toContainEqual({ userId: other.admin.id, role: "admin" });
  });

  it("refuses a bad email or role next to the field", async () => {
    const t = await team();
    const before = await state(t.orgId);
    const res = await t.asOwner.post("/dashboard/settings/team/invite", { email: "nope", role: "superuser" });
    expect(res.status).toBe(400);
    expect(res.text).toContain('id="team-email-error"');
    expect(res.text).toContain('id="team-role-error"');
    expect(res.text).toContain('value="nope"');
    expect(await state(t.orgId)).toEqual(before);
  });

  it("changes a role with before and after in the audit log", async () => {
    const t = await team();
    const res = await t.asOwner.post(`/dashboard/settings/team/${t.adminMembership}/role`, {
      role: "viewer",
    });
    expect(res.status).toBe(303);
    expect((await state(t.orgId)).members).toContainEqual({ userId: t.admin.id, role: "viewer" });
    const entry = (await audits(ctx, t.orgId)).find((a) => a.action === "membership.role_changed");
    expect(entry?.objectId).toBe(t.adminMembership);
    expect(entry?.before).toMatchObject({ userId: t.admin.id, role: "admin" });
    expect(entry?.after).toMatchObject({ userId: t.admin.id, role: "viewer" });
    // The new role counts at the member's next request.
    expect((await t.asAdmin.post("/dashboard/settings/redirect-domains", { domains: "" })).status).toBe(403);
    const bad = await t.asOwner.post(`/dashboard/settings/team/${t.adminMembership}/role`, { role: "god" });
    expect(bad.status).toBe(400);
  });

  it("keeps the last owner: no demotion, no removal; a second owner makes both possible", async () => {
    const t = await team();
    const before = await state(t.orgId);
    const demote = await t.asOwner.post(`/dashboard/settings/team/${t.ownerMembership}/role`, {
      role: "admin",
    });
    expect(demote.status).toBe(409);
    expect(demote.text).toContain(`id="member-${t.ownerMembership}-error"`);
    expect(demote.text).toContain("at least one owner");
    expect((await t.asOwner.post(`/dashboard/settings/team/${t.ownerMembership}/remove`)).status).toBe(409);
    expect(await state(t.orgId)).toEqual(before);
    expect(
      (await t.asOwner.post(`/dashboard/settings/team/${t.adminMembership}/role`, { role: "owner" })).status,
    ).toBe(303);
    expect(
      (await t.asOwner.post(`/dashboard/settings/team/${t.ownerMembership}/role`, { role: "admin" })).status,
    ).toBe(303);
    // The first owner is an admin now and can no longer manage the team.
    expect((await t.asOwner.post(`/dashboard/settings/team/${t.viewerMembership}/remove`)).status).toBe(403);
  });

  it("keeps an owner when two owners demote each other at once", async () => {
    const t = await team();
    const second = await dashboardUser(ctx, t.orgId, "owner");
    const asSecond = await signIn(second.email);
    const secondMembership = await membershipId(t.orgId, second.id);
    const results = await Promise.all([
      t.asOwner.post(`/dashboard/settings/team/${secondMembership}/role`, { role: "viewer" }),
      asSecond.post(`/dashboard/settings/team/${t.ownerMembership}/role`, { role: "viewer" }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 409]);
    expect((await state(t.orgId)).members.filter((m) => m.role === "owner")).toHaveLength(1);
  });

  it("removes a member, whose session ends there at once, audited", async () => {
    const t = await team();
    expect((await t.asViewer.get("/dashboard/settings")).status).toBe(200);
    const res = await t.asOwner.post(`/dashboard/settings/team/${t.viewerMembership}/remove`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard/settings/team?done=removed");
    expect((await state(t.orgId)).members.map((m) => m.userId)).not.toContain(t.viewer.id);
    expect((await t.asViewer.get("/dashboard/settings")).status).toBe(303);
    const entry = (await audits(ctx, t.orgId)).find((a) => a.action === "membership.removed");
    expect(entry?.before).toMatchObject({ userId: t.viewer.id, role: "viewer" });
    expect(entry?.after).toBeNull();
    // A second remove of the same id finds nothing.
    expect((await t.asOwner.post(`/dashboard/settings/team/${t.viewerMembership}/remove`)).status).toBe(404);
  });

  it("pages a long team, newest first", async () => {
    const t = await team();
    const now = ctx.deps.now();
    for (let i = 0; i < 52; i++) {
      const user = await ensureUser(ctx.deps.db, { email: `bulk${i}-${t.orgId}@example.com` }, now);
      await setMembership(
        ctx.deps.db,
        { userId: user.id, organizationId: t.orgId, role: "viewer" },
        new Date(now.getTime() + i * 1000),
      );
    }
    const first = await t.asOwner.get("/dashboard/settings/team");
    expect(first.text.match(/<tr>/g)?.length).toBe(51);
    expect(first.text.indexOf(`bulk51-`)).toBeLessThan(first.text.indexOf(`bulk50-`));
    const next = /href="(\/dashboard\/settings\/team\?cursor=[^"]+)"/.exec(first.text)?.[1] ?? "";
    const second = await t.asOwner.get(next.replaceAll("&amp;", "&"));
    expect(second.status).toBe(200);
    expect(second.text).toContain(t.owner.email);
    expect(second.text).not.toContain("bulk51-");
  });
});

describe("dashboard settings: processor", () => {
  it("says Stripe is not connected and how to connect it", async () => {
    const t = await team();
    const page = await t.asViewer.get("/dashboard/settings");
    expect(page.text).toContain("Stripe is not connected");
    expect(page.text).toContain(`npx glade processors connect stripe --org ${t.orgId} --mode test`);
  });

  it("shows the connection of the current mode with the publishable key's start, never a secret", async () => {
    const databaseUrl = await ownDatabase();
    const stripe = await fakeStripeAccount("test");
    const own = await connectionContext(databaseUrl, {
      stripeApiUrl: stripe.apiUrl,
      encryptionKey: newEncryptionKey(),
    });
    const m = await own.merchant("Stripe Org");
    const body = connectBody(stripe);
    const connected = await own.api("POST", "/api/v1/processors/stripe", { key: m.testKey, body });
    expect(connected.status).toBeLessThan(300);
    const owner = await dashboardUser(own, m.organizationId, "owner");
    const visit = await signInDashboard(own, owner.email);
    const page = await visit.get("/dashboard/settings");
    expect(page.text).toContain("Stripe is connected");
    expect(page.text).toContain(`${body.publishableKey.slice(0, 12)}…`);
    expect(page.text).not.toContain(body.publishableKey);
    expect(page.text).not.toContain(body.secretKey);
    expect(page.text).not.toContain(connected.body.secretKeyHint);
    expect(page.text).not.toContain(body.webhookSecret);
    expect(page.text).toContain(`/processors/stripe/webhook/${m.organizationId}/test`);
    // Live mode has no connection of its own.
    await visit.post("/dashboard/view", { livemode: "true", back: "/dashboard/settings" });
    const live = await visit.get("/dashboard/settings");
    expect(live.text).toContain("Stripe is not connected");
    expect(live.text).toContain("--mode live");
  });
});
