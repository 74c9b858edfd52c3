import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { eq, inArray } from "drizzle-orm";
import postgres from "postgres";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, inject, it } from "vitest";
import { migrate, openDatabase } from "../../src/db/client.js";
import { webhookAttempts, webhookDeliveries } from "../../src/db/schema/index.js";
import { createOrganization } from "../../src/organizations/index.js";
import { createWebhookEndpoint, drainDeliveries } from "../../src/webhooks/index.js";
import {
  createWebhook,
  emitTestEvents,
  LOOPBACK_RECEIVERS,
  type Receiver,
  startReceiver,
  testContext,
} from "../support/index.js";

const ctx = await testContext();
const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const WORKER_SCRIPT = fileURLToPath(new URL("../support/webhooks-worker.ts", import.meta.url));

let child: ChildProcess | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  child = undefined;
  await receiver?.close();
  receiver = undefined;
});

/** The worker runs in its own OS process (node + tsx directly, so the pid is the worker itself). */
function startWorkerProcess(organizationId: string): Promise<ChildProcess> {
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", WORKER_SCRIPT, inject("databaseUrl"), organizationId],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child = proc;
  return new Promise((resolve, reject) => {
    let stderr = "";
    proc.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    proc.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) resolve(proc);
    });
    proc.once("exit", (code) => reject(new Error(`worker exited early (${code}): ${stderr}`)));
  });
}

function killed(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    proc.once("exit", () => resolve());
    proc.kill("SIGKILL");
  });
}

describe("crash safety", () => {
  it("a worker SIGKILLed mid-batch loses no event: a later worker delivers what it left in flight", async () => {
    const m = await ctx.merchant();
    // Even-numbered events are answered at once; odd ones hang, so the kill lands mid-batch.
    receiver = await startReceiver((req) => {
      const n = Number(JSON.parse(req.body).data.amount) - 1000;
      return n % 2 === 0 ? { status: 200, body: "ok" } : "hang";
    });
    const { secret } = await createWebhook(ctx, m.testKey, { url: receiver.url });
    const total = 20;
    const ids = await emitTestEvents(
      ctx.deps.db,
      { organizationId: m.organizationId, livemode: false },
      total,
    );
    const byEvent = async () =>
      ctx.deps.db.select().from(webhookDeliveries).where(inArray(webhookDeliveries.eventId, ids));

    const proc = await startWorkerProcess(m.organizationId);
    await receiver.waitFor(total);
    // The quick half is recorded as delivered; the slow half is claimed and still in flight.
    await expect
      .poll(async () => (await byEvent()).filter((d) => d.status === "delivered").length, { timeout: 60_000 })
      .toBe(total / 2);
    await killed(proc);

    const afterKill = await byEvent();
    const stranded = afterKill.filter((d) => d.status === "pending");
    expect(stranded).toHaveLength(total / 2);
    expect(stranded.every((d) => d.lockedUntil !== null && d.attemptCount === 0)).toBe(true);

    // Nobody can take them while the dead worker's claim lasts...
    receiver.setHandler(() => ({ status: 200, body: "ok" }));
    const early = await drainDeliveries(ctx.deps, { organizationId: m.organizationId });
    expect(early.claimed).toBe(0);
    // ...and once it has expired, the next worker delivers every one of them.
    const lockEnd = Math.max(...stranded.map((d) => d.lockedUntil!.getTime()));
    const later = { ...ctx.deps, now: () => new Date(lockEnd + 1_000) };
    const resumed = await drainDeliveries(later, { organizationId: m.organizationId });
    expect(resumed).toMatchObject({ claimed: total / 2, delivered: total / 2 });

    const final = await byEvent();
    expect(final.every((d) => d.status === "delivered")).toBe(true);
    const counts = new Map<string, number>();
    for (const got of receiver.received) {
      counts.set(got.id, (counts.get(got.id) ?? 0) + 1);
      expect(() => new Webhook(secret).verify(got.body, got.headers as Record<string, string>)).not.toThrow();
    }
    // Every event arrived at least once; the ones cut off by the kill arrived twice (at-least-once).
    for (const id of ids) expect(counts.get(id) ?? 0).toBeGreaterThanOrEqual(1);
    const strandedIds = new Set(stranded.map((d) => d.eventId));
    for (const id of ids) expect(counts.get(id)).toBe(strandedIds.has(id) ? 2 : 1);
    // The dead worker never recorded its in-flight attempts; the survivor recorded one each.
    const strandedAttempts = await ctx.deps.db
      .select()
      .from(webhookAttempts)
      .where(
        inArray(
          webhookAttempts.deliveryId,
          stranded.map((d) => d.id),
        ),
      );
    expect(strandedAttempts).toHaveLength(total / 2);
    expect(strandedAttempts.every((a) => a.statusCode === 200)).toBe(true);
  });

  it("a worker killed right after claiming (before any POST completes) leaves nothing behind", async () => {
    const m = await ctx.merchant();
    receiver = await startReceiver(() => "hang");
    await createWebhook(ctx, m.testKey, { url: receiver.url });
    const ids = await emitTestEvents(ctx.deps.db, { organizationId: m.organizationId, livemode: false }, 5);
    const proc = await startWorkerProcess(m.organizationId);
    await receiver.waitFor(1);
    await killed(proc);
    receiver.setHandler(() => ({ status: 200 }));
    const rows = await ctx.deps.db
      .select()
      .from(webhookDeliveries)
      .where(inArray(webhookDeliveries.eventId, ids));
    const lockEnd = Math.max(...rows.map((d) => d.lockedUntil?.getTime() ?? 0));
    const later = { ...ctx.deps, now: () => new Date(lockEnd + 1_000) };
    await drainDeliveries(later, { organizationId: m.organizationId });
    for (const id of ids) {
      const [d] = await ctx.deps.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, id));
      expect(d?.status).toBe("delivered");
    }
    const delivered = new Set(receiver.received.map((r) => r.id));
    expect([...delivered].sort()).toEqual([...ids].sort());
  });

  it("`glade worker` delivers from its own process and stops cleanly on SIGTERM", async () => {
    // Its own database: the CLI runs every background job for every tenant, which must not touch other suites.
    const admin = postgres(
      process.env.GLADE_TEST_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
      {
        max: 1,
        onnotice: () => {},
      },
    );
    const name = `glade_test_cli_worker_${Date.now()}_${randomBytes(3).toString("hex")}`;
    await admin.unsafe(`create database "${name}"`);
    const url = new URL(inject("databaseUrl"));
    url.pathname = `/${name}`;
    const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: "" });
    try {
      await migrate(handle);
      receiver = await startReceiver();
      const org = await createOrganization(handle.db, { name: "CLI" }, ctx.deps.now());
      const merchant = { organizationId: org.id, livemode: false, apiKeyId: "cli" };
      const endpoint = await handle.db.transaction((tx) =>
        createWebhookEndpoint(tx, merchant, { url: receiver!.url }, new Date(), ctx.deps.config),
      );
      const [eventId] = await emitTestEvents(handle.db, { organizationId: org.id, livemode: false }, 1);
      const proc = spawn(process.execPath, ["--import", "tsx", CLI, "worker"], {
        env: {
          ...process.env,
          DATABASE_URL: url.toString(),
          LOG_LEVEL: "silent",
          GLADE_WORKER: "on",
          GLADE_WEBHOOK_ALLOW_PRIVATE: LOOPBACK_RECEIVERS,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = proc;
      proc.stdout?.resume();
      proc.stderr?.resume();
      await receiver.waitFor(1, 20_000);
      const got = receiver.received[0]!;
      expect(got.id).toBe(eventId);
      expect(() =>
        new Webhook(endpoint.secret).verify(got.body, got.headers as Record<string, string>),
      ).not.toThrow();
      const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
      proc.kill("SIGTERM");
      expect(await exited).toBe(0);
      await expect
        .poll(async () => {
          const [d] = await handle.db
            .select()
            .from(webhookDeliveries)
            .where(eq(webhookDeliveries.eventId, eventId!));
          return d?.status;
        })
        .toBe("delivered");
    } finally {
      await handle.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  });
});
