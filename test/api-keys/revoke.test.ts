import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, describe, expect, inject, it } from "vitest";
import { lockDataDir } from "../../src/db/data-dir-lock.js";
import { createApiKey, revokeApiKey } from "../../src/organizations/index.js";
import { freePort, killHard, type ServerChild, startServerChild, testContext } from "../support/index.js";

const ctx = await testContext();
const REPO = join(import.meta.dirname, "../..");

/** `glade <args>` as an operator runs it: exit code and everything it printed. */
function glade(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: REPO,
      env: { ...process.env, LOG_LEVEL: "silent", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    proc.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    proc.once("exit", (code) => resolve({ code, out }));
  });
}

async function extraKey(organizationId: string, livemode = false, name = "Extra") {
  return createApiKey(ctx.deps.db, { organizationId, livemode, name }, ctx.deps.now());
}

describe("API keys through the API", () => {
  it("lists the calling mode's keys, revoked ones included, never a secret or its hash", async () => {
    const m = await ctx.merchant("Key lister");
    const extra = await extraKey(m.organizationId, false, "Second");
    await revokeApiKey(ctx.deps.db, extra.key.id, ctx.deps.now());
    const res = await ctx.api("GET", "/api/v1/api-keys", { key: m.testKey });
    expect(res.status).toBe(200);
    const keys = res.body.data as {
      id: string;
      livemode: boolean;
      revokedAt: number | null;
      keyPrefix: string;
    }[];
    expect(keys.length).toBe(2);
    expect(keys.every((k) => k.livemode === false)).toBe(true);
    expect(keys.find((k) => k.id === extra.key.id)?.revokedAt).toEqual(expect.any(Number));
    expect(keys.find((k) => k.id === extra.key.id)?.keyPrefix).toBe(extra.secret.slice(0, 12));
    expect(res.text).not.toContain(m.testKey);
    expect(res.text).not.toContain(extra.secret);
    expect(res.text).not.toMatch(/keyHash|key_hash/);
  });

  it("revokes a key at once; twice keeps the first time; another organization's or mode's key is not found", async () => {
    const m = await ctx.merchant("Key revoker");
    const other = await ctx.merchant("Someone else");
    const extra = await extraKey(m.organizationId);
    // Used once, so this process's lookup cache holds it.
    expect((await ctx.api("GET", "/api/v1/customers", { key: extra.secret })).status).toBe(200);
    const first = await ctx.api("POST", `/api/v1/api-keys/${extra.key.id}/revoke`, { key: m.testKey });
    expect(first.status).toBe(200);
    expect(first.body.apiKey).toMatchObject({ id: extra.key.id, revokedAt: expect.any(Number) });
    expect((await ctx.api("GET", "/api/v1/customers", { key: extra.secret })).status).toBe(401);
    const again = await ctx.api("POST", `/api/v1/api-keys/${extra.key.id}/revoke`, { key: m.testKey });
    expect(again.body.apiKey.revokedAt).toBe(first.body.apiKey.revokedAt);

    const theirs = await extraKey(other.organizationId);
    const live = await extraKey(m.organizationId, true);
    for (const id of [theirs.key.id, live.key.id, "apikey_nothing"]) {
      const res = await ctx.api("POST", `/api/v1/api-keys/${id}/revoke`, { key: m.testKey });
      expect(res.status, id).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
    }
    expect((await ctx.api("GET", "/api/v1/customers", { key: theirs.secret })).status).toBe(200);
    expect((await ctx.api("GET", "/api/v1/customers", { key: live.secret })).status).toBe(200);
  });

  it("lets a key revoke itself, after which it is refused", async () => {
    const m = await ctx.merchant("Self revoker");
    const own = await extraKey(m.organizationId);
    const res = await ctx.api("POST", `/api/v1/api-keys/${own.key.id}/revoke`, { key: own.secret });
    expect(res.status).toBe(200);
    expect((await ctx.api("GET", "/api/v1/api-keys", { key: own.secret })).status).toBe(401);
  });
});

describe("a revocation reaches every process", () => {
  let child: ServerChild | undefined;
  afterAll(async () => {
    if (child) await killHard(child);
  });

  it("another Glade process refuses the key as soon as the revocation commits, not after its cache expires", async () => {
    const m = await ctx.merchant("Two processes");
    const extra = await extraKey(m.organizationId);
    child = await startServerChild(inject("databaseUrl"), await freePort());
    const get = () =>
      fetch(`${child?.base}/api/v1/customers`, { headers: { authorization: extra.secret } }).then(
        (r) => r.status,
      );
    // The other process has looked the key up and cached it as valid (for 5 s).
    expect(await get()).toBe(200);
    const cachedAt = performance.now();
    await revokeApiKey(ctx.deps.db, extra.key.id, ctx.deps.now());
    await expect.poll(get).toBe(401);
    // Refused well before its cached lookup (made just before cachedAt, kept 5 s) would have expired: the
    // notification dropped it. Without it, the first 401 comes a few ms short of 5 s after cachedAt.
    expect(performance.now() - cachedAt).toBeLessThan(2_500);
  });
});

describe("glade keys revoke", () => {
  it("revokes the organization's key, says so, and refuses an unknown or another organization's id", async () => {
    const m = await ctx.merchant("CLI revoker");
    const other = await ctx.merchant("CLI other");
    const extra = await extraKey(m.organizationId);
    const env = { DATABASE_URL: inject("databaseUrl") };
    const theirs = await extraKey(other.organizationId);
    const refused = await glade(["keys", "revoke", "--org", m.organizationId, "--id", theirs.key.id], env);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(`no API key ${theirs.key.id} in organization ${m.organizationId}`);
    expect((await glade(["keys", "revoke", "--org", m.organizationId], env)).code).toBe(2);

    const done = await glade(["keys", "revoke", "--org", m.organizationId, "--id", extra.key.id], env);
    expect(done.code).toBe(0);
    expect(done.out).toContain(`${extra.key.id} (${extra.secret.slice(0, 12)}…) revoked`);
    expect(done.out).not.toContain(extra.secret);
    expect((await ctx.api("GET", "/api/v1/customers", { key: extra.secret })).status).toBe(401);
    expect((await ctx.api("GET", "/api/v1/customers", { key: theirs.secret })).status).toBe(200);
    const twice = await glade(["keys", "revoke", "--org", m.organizationId, "--id", extra.key.id], env);
    expect(twice.out).toContain("was already revoked");
  }, 240_000);
});

describe("the embedded database's directory", () => {
  it("is refused to a second process while one holds it, and taken over from a process that died", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "glade-lock-"));
    try {
      const release = lockDataDir(dataDir);
      const second = await glade(["migrate"], { GLADE_DATA_DIR: dataDir, DATABASE_URL: "" });
      expect(second.code).not.toBe(0);
      expect(second.out).toContain(`in use by another Glade process (pid ${process.pid})`);
      release();
      // A lock left by a process that is gone: a finished child's pid.
      const gone = spawn(process.execPath, ["-e", ""]);
      await new Promise((resolve) => gone.once("exit", resolve));
      writeFileSync(join(dataDir, "glade.pid"), String(gone.pid));
      const after = await glade(["migrate"], { GLADE_DATA_DIR: dataDir, DATABASE_URL: "" });
      expect(after.out).toContain("migrations applied");
      expect(after.code).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
