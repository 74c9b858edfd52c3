import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { getOrganization } from "../../src/organizations/index.js";
import { ok, portalWorld, testContext } from "../support/index.js";

const run = promisify(execFile);
const ctx = await testContext();

function glade(args: string[]) {
  return run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    env: { ...process.env, DATABASE_URL: inject("databaseUrl"), LOG_LEVEL: "silent" },
  });
}

describe("glade org profile", () => {
  it("sets the seller's name, address and support email that documents print", async () => {
    const w = await portalWorld(ctx, { externalId: "profile-buyer" });
    const orgId = w.f.merchant.organizationId;
    const { stdout } = await glade([
      "org",
      "profile",
      "--org",
      orgId,
      "--name",
      "Acme Anvils Ltd",
      "--address-line",
      "1 Foundry Lane",
      "--address-line",
      "Bristol BS1 4DJ",
      "--support-email",
      "billing@acme.test",
    ]);
    expect(stdout).toContain("Acme Anvils Ltd\n1 Foundry Lane\nBristol BS1 4DJ\nsupport: billing@acme.test");
    const org = await getOrganization(ctx.deps.db, orgId);
    expect(org).toMatchObject({
      name: "Acme Anvils Ltd",
      addressLines: ["1 Foundry Lane", "Bristol BS1 4DJ"],
      supportEmail: "billing@acme.test",
    });
    // Documents read the organization fresh (not the 5 s cache), so the change shows at once.
    const invoice = (await ok(ctx.api("GET", `/api/v1/invoices/${w.invoiceId}`, { key: w.key }))).invoice;
    const res = await ctx.app.request(new URL(invoice.pdfURL).pathname);
    const pdf = Buffer.from(await res.arrayBuffer());
    const text = execFileSync("pdftotext", ["-layout", "-", "-"], { input: pdf, encoding: "utf8" });
    expect(text).toContain("Acme Anvils Ltd");
    expect(text).toContain("1 Foundry Lane");
    expect(text).toContain("Questions? Contact billing@acme.test.");
    // Only a hang guard: each test is a few CLI runs, each a Node start-up.
  }, 300_000);

  it("refuses a bad email and an unknown organization without changing anything", async () => {
    const m = await ctx.merchant("Unchanged Org");
    await expect(
      glade(["org", "profile", "--org", m.organizationId, "--support-email", "nope"]),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("not an email address"),
    });
    await expect(glade(["org", "profile", "--org", "org_missing", "--name", "X"])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("not found"),
    });
    expect(await getOrganization(ctx.deps.db, m.organizationId)).toMatchObject({
      name: "Unchanged Org",
      supportEmail: null,
      addressLines: [],
    });
    // Only a hang guard: each test is a few CLI runs, each a Node start-up.
  }, 300_000);
});
