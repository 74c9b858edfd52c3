import { and, asc, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { auditLog, memberships } from "../../src/db/schema/index.js";
import { getOrganization } from "../../src/organizations/index.js";
import { type BrowserContext, browserContext } from "../support/browser.js";
import { DASHBOARD_PASSWORD, dashboardUser } from "../support/index.js";

const b: BrowserContext = await browserContext();
const { ctx } = b;

/** Everything the settings pages could change: compared before and after refused posts. */
async function state(organizationId: string) {
  const org = await getOrganization(ctx.deps.db, organizationId);
  const members = await ctx.deps.db
    .select({ userId: memberships.userId, role: memberships.role })
    .from(memberships)
    .where(eq(memberships.organizationId, organizationId))
    .orderBy(asc(memberships.userId));
  const audits = await ctx.deps.db.select().from(auditLog).where(eq(auditLog.organizationId, organizationId));
  return { org: { ...org, updatedAt: undefined }, members, audits: audits.length };
}

async function membershipId(organizationId: string, userId: string) {
  const [row] = await ctx.deps.db
    .select()
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.userId, userId)));
  return row?.id ?? "";
}

async function signIn(page: Page, email: string, password = DASHBOARD_PASSWORD) {
  await page.goto(`${b.baseUrl}/dashboard/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${b.baseUrl}/dashboard`);
}

const shoot = (page: Page, name: string) => b.shootWidths(page, name);

/**
 * Posts a form the page does not offer, as a member could by hand: built in the page with the session's own
 * token (from the sign-out form), so only the role can refuse it. Answers the response's status.
 */
async function forge(page: Page, action: string, fields: Record<string, string>): Promise<number> {
  await page.goto(`${b.baseUrl}/dashboard/settings`);
  const csrf =
    (await page.locator('form[action="/dashboard/sign-out"] input[name=csrf]').getAttribute("value")) ?? "";
  const answer = page.waitForResponse(
    (r) => r.url() === `${b.baseUrl}${action}` && r.request().method() === "POST",
  );
  const shown = page.waitForURL(`${b.baseUrl}${action}`);
  await page.evaluate(
    ({ action, values }) => {
      const form = document.createElement("form");
      form.method = "post";
      form.action = action;
      for (const [name, value] of Object.entries(values)) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.append(input);
      }
      document.body.append(form);
      form.submit();
    },
    { action, values: { csrf, ...fields } },
  );
  await shown;
  return (await answer).status();
}

describe("dashboard settings in Chromium", () => {
  it("owner edits settings and invites a viewer, who sets a password and cannot change anything", async () => {
    const m = await ctx.merchant("Browser Settings Org");
    const owner = await dashboardUser(ctx, m.organizationId, "owner");
    const admin = await dashboardUser(ctx, m.organizationId, "admin");
    const ownerPage = await b.newPage();
    await ownerPage.setViewportSize({ width: 1280, height: 900 });
    await signIn(ownerPage, owner.email);

    await ownerPage.getByRole("link", { name: "Settings", exact: true }).click();
    await ownerPage.waitForURL(`${b.baseUrl}/dashboard/settings`);
    expect(await ownerPage.locator("#processor-status").textContent()).toContain("Stripe is not connected");
    await shoot(ownerPage, "settings-general");

    await ownerPage.getByLabel("Business name").fill("Glade Roasters");
    await ownerPage.getByLabel("Support email").fill("help@roasters.example");
    await ownerPage.getByLabel(/^Address/).fill("1 Bean Street\nLondon E1 6AN");
    await ownerPage.getByRole("button", { name: "Save business details" }).click();
    await ownerPage.getByRole("status").filter({ hasText: "Business details saved." }).waitFor();
    expect((await getOrganization(ctx.deps.db, m.organizationId))?.addressLines).toEqual([
      "1 Bean Street",
      "London E1 6AN",
    ]);

    await ownerPage.getByLabel(/^Allowed redirect domains/).fill("https://shop.example.com/");
    await ownerPage.getByRole("button", { name: "Save redirect domains" }).click();
    await ownerPage.locator("#settings-domains-error").waitFor();
    expect(await ownerPage.getByLabel(/^Allowed redirect domains/).getAttribute("aria-invalid")).toBe("true");
    await shoot(ownerPage, "settings-domains-error");
    await ownerPage.getByLabel(/^Allowed redirect domains/).fill("shop.example.com");
    await ownerPage.getByRole("button", { name: "Save redirect domains" }).click();
    await ownerPage.getByRole("status").filter({ hasText: "Redirect domains saved." }).waitFor();

    // Invite with the keyboard: the email, Tab to the role, Enter submits.
    await ownerPage.getByRole("link", { name: "Team", exact: true }).click();
    await ownerPage.waitForURL(`${b.baseUrl}/dashboard/settings/team`);
    await shoot(ownerPage, "settings-team");
    const viewerEmail = `viewer-${Date.now()}@example.com`;
    await ownerPage.getByLabel("Email of the person to invite").fill(viewerEmail);
    await ownerPage.getByLabel("Role", { exact: true }).selectOption("viewer");
    await ownerPage.getByLabel("Email of the person to invite").press("Enter");
    const link = (await ownerPage.locator("#invite-link").textContent()) ?? "";
    expect(await ownerPage.getByText("Send this link to them").count()).toBe(1);
    expect(link).toMatch(/^http:\/\/.+\/dashboard\/link\/[\w-]+$/);
    await shoot(ownerPage, "settings-team-invited");

    // The viewer opens the link in their own browser, chooses a password, signs out and in again.
    const viewerPage = await b.newPage();
    await viewerPage.setViewportSize({ width: 1280, height: 900 });
    await viewerPage.goto(link);
    await viewerPage.getByLabel("New password").fill("the viewer's long password");
    await viewerPage.getByRole("button", { name: "Save and sign in" }).click();
    await viewerPage.waitForURL(`${b.baseUrl}/dashboard`);
    await viewerPage.getByRole("button", { name: "Sign out", exact: true }).click();
    await viewerPage.waitForURL(/\/dashboard\/sign-in\?signed-out/);
    await signIn(viewerPage, viewerEmail, "the viewer's long password");

    await viewerPage.goto(`${b.baseUrl}/dashboard/settings`);
    expect(await viewerPage.getByText("can view these settings but not change them").count()).toBe(1);
    expect(await viewerPage.locator("main form").count()).toBe(0);
    await shoot(viewerPage, "settings-general-viewer");
    await viewerPage.goto(`${b.baseUrl}/dashboard/settings/team`);
    expect(await viewerPage.locator("main form").count()).toBe(0);
    await shoot(viewerPage, "settings-team-viewer");

    const members = await ctx.deps.db
      .select()
      .from(memberships)
      .where(eq(memberships.organizationId, m.organizationId));
    const invitee = members.find((x) => x.role === "viewer");
    expect(members).toHaveLength(3);
    const adminMembership = await membershipId(m.organizationId, admin.id);
    const ownerMembership = await membershipId(m.organizationId, owner.id);
    const before = await state(m.organizationId);
    const forms: [string, Record<string, string>][] = [
      ["/dashboard/settings/profile", { name: "Hijacked", supportEmail: "", addressLines: "" }],
      ["/dashboard/settings/redirect-domains", { domains: "evil.example" }],
      ["/dashboard/settings/team/invite", { email: "friend@evil.example", role: "owner" }],
      [`/dashboard/settings/team/${adminMembership}/role`, { role: "viewer" }],
      [`/dashboard/settings/team/${ownerMembership}/remove`, {}],
    ];
    for (const [action, fields] of forms) {
      expect(await forge(viewerPage, action, fields), action).toBe(403);
      expect(await viewerPage.getByRole("heading", { level: 1 }).textContent()).toBe("Nothing was changed");
    }
    expect(await state(m.organizationId)).toEqual(before);

    // An admin sees the team without controls and cannot change a role either.
    const adminPage = await b.newPage();
    await adminPage.setViewportSize({ width: 1280, height: 900 });
    await signIn(adminPage, admin.email);
    await adminPage.goto(`${b.baseUrl}/dashboard/settings/team`);
    expect(await adminPage.getByRole("button", { name: /Change role/ }).count()).toBe(0);
    await shoot(adminPage, "settings-team-admin");
    const viewerMembership = invitee?.id ?? "";
    expect(
      await forge(adminPage, `/dashboard/settings/team/${viewerMembership}/role`, { role: "owner" }),
    ).toBe(403);
    expect(
      await forge(adminPage, `/dashboard/settings/team/${ownerMembership}/role`, { role: "viewer" }),
    ).toBe(403);
    expect(await state(m.organizationId)).toEqual(before);

    // The owner can: the viewer becomes an admin, then the last owner's demotion is refused next to the row.
    await ownerPage.goto(`${b.baseUrl}/dashboard/settings/team`);
    await ownerPage.getByLabel(`Role of ${viewerEmail}`, { exact: true }).selectOption("admin");
    await ownerPage.getByRole("button", { name: `Change role of ${viewerEmail}` }).click();
    await ownerPage.getByRole("status").filter({ hasText: "Role changed." }).waitFor();
    expect((await state(m.organizationId)).members).toContainEqual({
      userId: invitee?.userId,
      role: "admin",
    });
    await ownerPage.getByLabel(`Role of ${owner.email}`, { exact: true }).selectOption("viewer");
    await ownerPage.getByRole("button", { name: `Change role of ${owner.email}` }).click();
    await ownerPage.locator(`#member-${ownerMembership}-error`).waitFor();
    await shoot(ownerPage, "settings-team-last-owner");
    await ownerPage.getByRole("button", { name: `Remove ${admin.email}` }).click();
    await ownerPage.getByRole("status").filter({ hasText: "Member removed." }).waitFor();
    expect((await state(m.organizationId)).members.map((x) => x.userId)).not.toContain(admin.id);
  }, 120_000);
});
