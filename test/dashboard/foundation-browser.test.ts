import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { type BrowserContext, browserContext } from "../support/browser.js";
import { DASHBOARD_PASSWORD, dashboardUser, signInLink } from "../support/index.js";

const b: BrowserContext = await browserContext();
const { ctx } = b;

const shoot = (page: Page, name: string) => b.shootWidths(page, `dashboard-${name}`);

describe("dashboard sign-in and keys in Chromium", () => {
  it("a new owner chooses a password through the link, signs in with the keyboard, makes and revokes a key", async () => {
    const m = await ctx.merchant("Browser Org");
    const owner = await dashboardUser(ctx, m.organizationId, "owner");
    const page = await b.newPage();
    await page.goto(`${b.baseUrl}/dashboard/link/${await signInLink(ctx, owner.id)}`);
    await shoot(page, "set-password");
    await page.getByLabel("New password").fill("short");
    await page.getByRole("button", { name: "Save and sign in" }).click();
    expect(await page.locator("#password-error").textContent()).toContain("at least 12");
    await page.getByLabel("New password").fill("a long new password here");
    await page.getByRole("button", { name: "Save and sign in" }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Overview");
    await shoot(page, "overview");

    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(`${b.baseUrl}/dashboard/sign-in?signed-out`);
    await shoot(page, "sign-in");
    // Keyboard only: type, Tab, type, Enter.
    await page.getByLabel("Email").focus();
    await page.keyboard.type(owner.email);
    await page.keyboard.press("Tab");
    await page.keyboard.type("a long new password here");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${b.baseUrl}/dashboard`);

    await page.getByRole("link", { name: "API keys" }).click();
    await page.getByLabel("Name of a new test key").fill("Browser key");
    await page.getByRole("button", { name: "Create test key" }).click();
    const secret = (await page.locator("#new-secret").textContent()) ?? "";
    expect(secret).toMatch(/^sk_test_/);
    await shoot(page, "api-key-created");
    await page.goto(`${b.baseUrl}/dashboard/developers/api-keys`);
    expect(await page.locator("#new-secret").count()).toBe(0);
    await page.getByRole("button", { name: "Revoke Browser key" }).click();
    await page
      .getByText(/^Revoked /)
      .first()
      .waitFor();
    expect((await ctx.api("GET", "/api/v1/customers", { key: secret })).status).toBe(401);
    await page.getByRole("link", { name: "Audit log" }).click();
    expect(await page.getByRole("link", { name: "api_key.revoked" }).count()).toBe(1);
    await shoot(page, "audit-log");
    await page.getByRole("link", { name: "api_key.revoked" }).click();
    await shoot(page, "audit-entry");
  });

  it("marks a wrong password next to the form and keeps the email", async () => {
    const m = await ctx.merchant();
    const user = await dashboardUser(ctx, m.organizationId, "viewer");
    const page = await b.newPage({ javaScriptEnabled: false });
    await page.goto(`${b.baseUrl}/dashboard/sign-in`);
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(`${DASHBOARD_PASSWORD}x`);
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(await page.getByRole("alert").textContent()).toContain("do not match");
    expect(await page.getByLabel("Email").inputValue()).toBe(user.email);
    await shoot(page, "sign-in-error");
  });
});
