import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readConnection } from "../../src/processors/index.js";
import {
  connectBody,
  connectionContext,
  fakeStripeAccount,
  keyIdOf,
  newEncryptionKey,
  ownDatabase,
} from "./connection-fixtures.js";

const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const databaseUrl = await ownDatabase();
const stripe = await fakeStripeAccount("test");
const encryptionKey = newEncryptionKey();
const ctx = await connectionContext(databaseUrl, { stripeApiUrl: stripe.apiUrl, encryptionKey });
const PUBLIC_URL = "https://pay.example";

type Run = { code: number | null; stdout: string; stderr: string };

/**
 * `glade …` as an operator runs it, against this file's database and the fake Stripe, logging everything
 * (LOG_LEVEL=trace) so that a secret reaching any log line would show in the output.
 */
function glade(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const base: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    GLADE_ENCRYPTION_KEY: encryptionKey,
    GLADE_STRIPE_API_URL: stripe.apiUrl,
    GLADE_PUBLIC_URL: PUBLIC_URL,
    LOG_LEVEL: "trace",
    STRIPE_SECRET_KEY: undefined,
    STRIPE_PUBLISHABLE_KEY: undefined,
    STRIPE_WEBHOOK_SECRET: undefined,
  };
  const merged = Object.fromEntries(
    Object.entries({ ...base, ...env }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
      env: merged,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function expectNoSecret(run: Run, body: { secretKey: string; webhookSecret: string }) {
  for (const secret of [body.secretKey, body.webhookSecret]) {
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
  }
}

describe("glade processors and glade secrets", () => {
  it("connects from the environment, prints the webhook URL and never a secret", async () => {
    const m = await ctx.merchant();
    const body = connectBody(stripe);
    const run = await glade(
      ["processors", "connect", "stripe", "--org", m.organizationId, "--mode", "test"],
      {
        STRIPE_SECRET_KEY: body.secretKey,
        STRIPE_PUBLISHABLE_KEY: body.publishableKey,
        STRIPE_WEBHOOK_SECRET: body.webhookSecret,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Stripe connected for ${m.organizationId} in test mode`);
    expect(run.stdout).toContain(`${PUBLIC_URL}/processors/stripe/webhook/${m.organizationId}/test`);
    expect(run.stdout).toContain(`sk_test_…${body.secretKey.slice(-4)}`);
    expectNoSecret(run, body);
    const tenant = { organizationId: m.organizationId, livemode: false };
    expect(await readConnection(ctx.deps, tenant)).toMatchObject(body);

    // From flags, the keys are replaced; `show` prints the connection, never its secrets.
    const replacement = connectBody(stripe);
    const flags = ["--secret-key", replacement.secretKey, "--publishable-key", replacement.publishableKey];
    const replaced = await glade([
      ...["processors", "connect", "stripe", "--org", m.organizationId, "--mode", "test"],
      ...[...flags, "--webhook-secret", replacement.webhookSecret],
    ]);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).toContain("Stripe keys replaced");
    expectNoSecret(replaced, replacement);
    expect(await readConnection(ctx.deps, tenant)).toMatchObject(replacement);

    const shown = await glade(["processors", "show", "--org", m.organizationId, "--mode", "test"]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).processorConnection).toMatchObject({
      organizationId: m.organizationId,
      livemode: false,
      accountId: stripe.accountId,
      webhookUrl: `${PUBLIC_URL}/processors/stripe/webhook/${m.organizationId}/test`,
    });
    expectNoSecret(shown, replacement);
  }, 240_000);

  it("refuses, without echoing a secret: another mode's keys, missing keys, an unknown organization", async () => {
    const m = await ctx.merchant();
    const body = connectBody(stripe);
    const env = {
      STRIPE_SECRET_KEY: body.secretKey,
      STRIPE_PUBLISHABLE_KEY: body.publishableKey,
      STRIPE_WEBHOOK_SECRET: body.webhookSecret,
    };
    const live = await glade(
      ["processors", "connect", "stripe", "--org", m.organizationId, "--mode", "live"],
      env,
    );
    expect(live.code).toBe(1);
    expect(live.stderr).toContain("a live-mode API key connects live-mode Stripe keys only");
    expectNoSecret(live, body);

    const missing = await glade(
      ["processors", "connect", "stripe", "--org", m.organizationId, "--mode", "test"],
      {
        ...env,
        STRIPE_WEBHOOK_SECRET: undefined,
      },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      "or STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET",
    );
    expectNoSecret(missing, body);

    const unknown = await glade(
      ["processors", "connect", "stripe", "--org", "org_nobody", "--mode", "test"],
      env,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("organization org_nobody not found");
    expect(await readConnection(ctx.deps, { organizationId: m.organizationId, livemode: true })).toBe(
      undefined,
    );
  }, 240_000);

  it("rotates the sealing key, refuses to run without it, and disconnects", async () => {
    const m = await ctx.merchant();
    await ctx.api("POST", "/api/v1/processors/stripe", { key: m.testKey, body: connectBody(stripe) });
    const newKey = newEncryptionKey();

    const lost = await glade(["processors", "show", "--org", m.organizationId, "--mode", "test"], {
      GLADE_ENCRYPTION_KEY: newKey,
    });
    expect(lost.code).toBe(1);
    expect(lost.stderr).toContain(
      `GLADE_ENCRYPTION_KEY does not hold encryption key ${keyIdOf(encryptionKey)}`,
    );

    const rotated = await glade(["secrets", "rotate"], {
      GLADE_ENCRYPTION_KEY: `${newKey},${encryptionKey}`,
    });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(
      new RegExp(`Re-sealed [1-9]\\d* processor connection\\(s\\) under encryption key ${keyIdOf(newKey)}`),
    );

    const disconnected = await glade(
      ["processors", "disconnect", "stripe", "--org", m.organizationId, "--mode", "test"],
      {
        GLADE_ENCRYPTION_KEY: newKey,
      },
    );
    expect(disconnected.code, disconnected.stderr).toBe(0);
    expect(disconnected.stdout).toContain("new test-mode sessions use the sandbox");
    const gone = await glade(["processors", "show", "--org", m.organizationId, "--mode", "test"], {
      GLADE_ENCRYPTION_KEY: newKey,
    });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`No Stripe connection for ${m.organizationId} in test mode`);
  }, 240_000);
});
