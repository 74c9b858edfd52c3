import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { findUserByEmail } from "../../src/dashboard/index.js";
import { form, testContext } from "../support/index.js";

const run = promisify(execFile);
const ctx = await testContext();

function glade(args: string[]) {
  return run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    env: {
      ...process.env,
      DATABASE_URL: inject("databaseUrl"),
      LOG_LEVEL: "silent",
      GLADE_PUBLIC_URL: "http://glade.test",
    },
  });
}

const linkPath = (stdout: string) =>
  new URL(/(http:\/\/glade\.test\/dashboard\/link\/\S+)/.exec(stdout)?.[1] ?? "http://x/").pathname;

describe("glade users", () => {
  it("creates a user with a role and a one-time link to choose a password; reset-password gives a new one", async () => {
    const m = await ctx.merchant("CLI Users Org");
    const created = await glade([
      "users",
      "create",
      "--email",
      "Ops@Example.com",
      "--org",
      m.organizationId,
      "--role",
      "admin",
    ]);
    expect(created.stdout).toContain(`ops@example.com is admin of ${m.organizationId}.`);
    const set = await ctx.api("POST", linkPath(created.stdout), form({ password: "first long password" }));
    expect(set.status).toBe(303);
    const signIn = await ctx.api(
      "POST",
      "/dashboard/sign-in",
      form({ email: "ops@example.com", password: "first long password" }),
    );
    expect(signIn.status).toBe(303);

    const reset = await glade(["users", "reset-password", "--email", "ops@example.com"]);
    expect(reset.stdout).toContain("Reset link for ops@example.com");
    expect(
      (await ctx.api("POST", linkPath(reset.stdout), form({ password: "second long password" }))).status,
    ).toBe(303);
    const old = await ctx.api(
      "POST",
      "/dashboard/sign-in",
      form({ email: "ops@example.com", password: "first long password" }),
    );
    expect(old.status).toBe(400);
    // Only a hang guard: each test is a few CLI runs, each a Node start-up.
  }, 300_000);

  it("refuses a bad role, a missing organization and an unknown user, creating nobody", async () => {
    await expect(
      glade(["users", "create", "--email", "x@example.com", "--org", "org_x", "--role", "god"]),
    ).rejects.toMatchObject({ code: 2 });
    await expect(
      glade(["users", "create", "--email", "x@example.com", "--org", "org_missing", "--role", "viewer"]),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("not found"),
    });
    await expect(glade(["users", "reset-password", "--email", "ghost@example.com"])).rejects.toMatchObject({
      code: 1,
    });
    expect(await findUserByEmail(ctx.deps.db, "x@example.com")).toBeUndefined();
    // Only a hang guard: each test is a few CLI runs, each a Node start-up.
  }, 300_000);
});
