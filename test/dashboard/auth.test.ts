import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { recordAudit } from "../../src/audit/index.js";
import { dashboardSessions } from "../../src/db/schema/index.js";
import {
  DASHBOARD_PASSWORD,
  dashboardUser,
  form,
  signInDashboard,
  signInLink,
  testContext,
} from "../support/index.js";

const clock = { now: Date.parse("2031-05-01T09:00:00Z") };
const ctx = await testContext({ now: () => new Date(clock.now) });

describe("dashboard sign-in", () => {
  it("signs in with a password into a database session with a scoped HttpOnly cookie", async () => {
    const m = await ctx.merchant("Sign-in Org");
    const user = await dashboardUser(ctx, m.organizationId, "owner");
    const res = await ctx.api(
      "POST",
      "/dashboard/sign-in",
      form({ email: user.email.toUpperCase(), password: DASHBOARD_PASSWORD }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard");
    const attributes = (res.headers.get("set-cookie") ?? "").split(";").map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(["httponly", "samesite=lax", "path=/dashboard"]));
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const page = await ctx.api("GET", "/dashboard", { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Sign-in Org");
    expect(page.text).toContain("You are viewing test data.");
    const secret = cookie.split("=")[1] ?? "";
    const stored = await ctx.deps.db
      .select()
      .from(dashboardSessions)
      .where(eq(dashboardSessions.userId, user.id));
    expect(stored).toHaveLength(1);
    expect(stored[0]?.tokenHash).not.toBe(secret);
    expect((await ctx.api("GET", "/dashboard")).status).toBe(303);
  });

  it("says the same for a wrong password and an unknown email, and shows field errors", async () => {
    const m = await ctx.merchant();
    const user = await dashboardUser(ctx, m.organizationId, "admin");
    const wrong = await ctx.api(
      "POST",
      "/dashboard/sign-in",
      form({ email: user.email, password: "not the password" }),
    );
    const unknown = await ctx.api(
      "POST",
      "/dashboard/sign-in",
      form({ email: "nobody@example.com", password: "whatever it is" }),
    );
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(400);
    expect(wrong.text).toContain("That email and password do not match an account.");
    expect(unknown.text).toContain("That email and password do not match an account.");
    const empty = await ctx.api("POST", "/dashboard/sign-in", form({ email: "not-an-email", password: "" }));
    expect(empty.status).toBe(400);
    expect(empty.text).toMatch(/id="email"[^>]*aria-invalid="true"[^>]*aria-describedby="email-error"/);
    expect(empty.text).toContain('id="email-error"');
    expect(empty.text).toContain('id="password-error"');
  });

  it("locks an account after five wrong passwords, for every client, until the lock ends", async () => {
    const m = await ctx.merchant();
    const user = await dashboardUser(ctx, m.organizationId, "owner");
    for (let i = 0; i < 4; i++) {
      expect(
        (await ctx.api("POST", "/dashboard/sign-in", form({ email: user.email, password: `guess ${i}` })))
          .status,
      ).toBe(400);
    }
    expect(
      (await ctx.api("POST", "/dashboard/sign-in", form({ email: user.email, password: "guess 5" }))).status,
    ).toBe(429);
    // The right password does not get in while the lock holds.
    const locked = await ctx.api(
      "POST",
      "/dashboard/sign-in",
      form({ email: user.email, password: DASHBOARD_PASSWORD }),
    );
    expect(locked.status).toBe(429);
    expect(locked.text).toContain("Too many wrong passwords for this account.");
    clock.now += 16 * 60 * 1000;
    expect(
      (await ctx.api("POST", "/dashboard/sign-in", form({ email: user.email, password: DASHBOARD_PASSWORD })))
        .status,
    ).toBe(303);
  });

  it("throttles one client's tries whatever the accounts", async () => {
    const isolated = await testContext({ now: () => new Date(clock.now) }, {});
    let status = 0;
    let tries = 0;
    while (status !== 429 && tries < 100) {
      tries++;
      status = (
        await isolated.api(
          "POST",
          "/dashboard/sign-in",
          form({ email: `spray${tries}@example.com`, password: "password123456" }),
        )
      ).status;
    }
    expect(status).toBe(429);
    expect(tries).toBe(21);
  });

  it("sets a password through a one-time link, which ends the account's other sessions", async () => {
    const m = await ctx.merchant();
    const user = await dashboardUser(ctx, m.organizationId, "owner");
    const other = await signInDashboard(ctx, user.email);
    const token = await signInLink(ctx, user.id);
    const shown = await ctx.api("GET", `/dashboard/link/${token}`);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(user.email);
    const short = await ctx.api("POST", `/dashboard/link/${token}`, form({ password: "short" }));
    expect(short.status).toBe(400);
    expect(short.text).toContain('id="password-error"');
    const set = await ctx.api(
      "POST",
      `/dashboard/link/${token}`,
      form({ password: "a brand new long password" }),
    );
    expect(set.status).toBe(303);
    expect((await other.get("/dashboard")).status).toBe(303);
    expect((await ctx.api("GET", `/dashboard/link/${token}`)).status).toBe(404);
    expect(
      (await ctx.api("POST", `/dashboard/link/${token}`, form({ password: "another long password" }))).status,
    ).toBe(404);
    await signInDashboard(ctx, user.email, "a brand new long password");
  });

  it("signs out here, or everywhere", async () => {
    const m = await ctx.merchant();
    const user = await dashboardUser(ctx, m.organizationId, "viewer");
    const a = await signInDashboard(ctx, user.email);
    const b = await signInDashboard(ctx, user.email);
    expect((await a.post("/dashboard/sign-out")).status).toBe(303);
    expect((await a.get("/dashboard")).status).toBe(303);
    expect((await b.get("/dashboard")).status).toBe(200);
    const c = await signInDashboard(ctx, user.email);
    expect((await c.post("/dashboard/sign-out-everywhere")).status).toBe(303);
    expect((await b.get("/dashboard")).status).toBe(303);
  });

  it("ends a session after its twelve hours", async () => {
    const m = await ctx.merchant();
    const user = await dashboardUser(ctx, m.organizationId, "owner");
    const visit = await signInDashboard(ctx, user.email);
    clock.now += 12 * 60 * 60 * 1000 + 1;
    expect((await visit.get("/dashboard")).status).toBe(303);
  });

  it("keeps the audit log append-only in the database itself", async () => {
    const m = await ctx.merchant();
    await recordAudit(
      ctx.deps.db,
      { organizationId: m.organizationId, livemode: false },
      { actor: { type: "cli", id: "test", label: "test" }, action: "test.entry" },
      new Date(),
    );
    const refused = async (statement: ReturnType<typeof sql>) => {
      const err = await ctx.deps.db.execute(statement).then(
        () => undefined,
        (e: Error & { cause?: Error }) => e,
      );
      return `${err?.message} ${err?.cause?.message}`;
    };
    expect(await refused(sql`truncate audit_log`)).toContain("append-only");
    expect(await refused(sql`update audit_log set action = 'x'`)).toContain("append-only");
    expect(await refused(sql`delete from audit_log`)).toContain("append-only");
  });
});
