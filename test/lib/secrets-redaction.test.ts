import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const LOGGER = fileURLToPath(new URL("../../src/lib/logger.ts", import.meta.url));

/**
 * What Glade's own logger writes to stdout (a child process: pino writes to file descriptor 1 directly,
 * past anything a test could intercept in process).
 */
function logLines(script: string): Record<string, unknown>[] {
  const run = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      `import { createLogger } from ${JSON.stringify(LOGGER)};\nconst logger = createLogger("trace");\n${script}`,
    ],
    { encoding: "utf8" },
  );
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("processor secrets in logs", () => {
  it("redacts secretKey and webhookSecret at the top of a log object and one level down", () => {
    const secretKey = "sk_live_redactme0123456789";
    const webhookSecret = "whsec_redactme0123456789";
    const lines = logLines(`
      logger.info({ secretKey: "${secretKey}", webhookSecret: "${webhookSecret}" }, "top");
      logger.warn({ body: { secretKey: "${secretKey}", webhookSecret: "${webhookSecret}", publishableKey: "pk_live_shown" } }, "nested");
      logger.error({ connection: { id: "pconn_1", secretKey: "${secretKey}", webhookSecret: "${webhookSecret}" } }, "connection");
    `);
    expect(lines.map((line) => line.msg)).toEqual(["top", "nested", "connection"]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain(secretKey);
    expect(text).not.toContain(webhookSecret);
    expect(lines[0]).toMatchObject({ secretKey: "[redacted]", webhookSecret: "[redacted]" });
    expect(lines[1]?.body).toEqual({
      secretKey: "[redacted]",
      webhookSecret: "[redacted]",
      publishableKey: "pk_live_shown",
    });
    expect(lines[2]?.connection).toMatchObject({ id: "pconn_1", secretKey: "[redacted]" });
  });
});
