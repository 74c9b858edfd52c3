import { eq } from "drizzle-orm";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { AppDeps } from "../../src/context/index.js";
import { webhookDeliveries, webhookEndpoints } from "../../src/db/schema/index.js";
import { drainDeliveries, runDeliveryBatch } from "../../src/webhooks/index.js";
import {
  createMigratedDatabase,
  createWebhook,
  emitTestEvents,
  type Receiver,
  seedBacklog,
  startReceiver,
  testContext,
} from "../support/index.js";

/**
 * A database of its own: these drains claim across organizations (that is the point), so they must not
 * take the deliveries of other test files.
 */
const database = await createMigratedDatabase("glade_webhook_fair");
const ctx = await testContext({}, { databaseUrl: database.url });
afterAll(async () => {
  await ctx.handle.close();
  await database.drop();
});

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  // Whatever a test left due must not be claimed by the next one.
  await ctx.deps.db
    .update(webhookDeliveries)
    .set({ status: "failed" })
    .where(eq(webhookDeliveries.status, "pending"));
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

/** A merchant with one endpoint on `url`. */
async function endpointOn(url: string) {
  const m = await ctx.merchant();
  const webhook = await createWebhook(ctx, m.testKey, { url });
  return { m, webhook, tenant: { organizationId: m.organizationId, livemode: false } };
}

const endpointRow = async (id: string) => {
  const [row] = await ctx.deps.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  return row!;
};
const deliveriesOf = (endpointId: string) =>
  ctx.deps.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));

describe("fair claims across endpoints", () => {
  it("a healthy endpoint's delivery goes out in the first round, behind another merchant's 2,000 due", async () => {
    const failing = await receiver(() => ({ status: 503 }));
    const healthy = await receiver(() => ({ status: 200 }));
    const backlog = await endpointOn(failing.url);
    // All due an hour ago or later: older than anything the healthy merchant has.
    await seedBacklog(ctx.deps.db, {
      organizationId: backlog.m.organizationId,
      endpointId: backlog.webhook.id,
      count: 2_000,
      tag: "fair",
      dueBy: new Date(Date.now() - 60_000),
    });
    const other = await endpointOn(healthy.url);
    const [eventId] = await emitTestEvents(ctx.deps.db, other.tenant, 1);
    // Oldest-due-first took 2,000 / 8 = 250 rounds to reach it.
    const round = await runDeliveryBatch(ctx.deps, { batchSize: 8 });
    expect(round.claimed).toBeLessThanOrEqual(8);
    expect(healthy.received.map((r) => r.id)).toEqual([eventId]);
    // The backlog got its half of the round, no more.
    expect(failing.received.length).toBe(4);
  });

  it("in a drain, a hanging receiver holds at most half the slots; the others keep flowing", async () => {
    const hanging = await receiver(() => "hang");
    const healthy = await receiver(() => ({ status: 200 }));
    const backlog = await endpointOn(hanging.url);
    await seedBacklog(ctx.deps.db, {
      organizationId: backlog.m.organizationId,
      endpointId: backlog.webhook.id,
      count: 2_000,
      tag: "hang",
      dueBy: new Date(Date.now() - 60_000),
    });
    const other = await endpointOn(healthy.url);
    const drained = drainDeliveries(ctx.deps, { batchSize: 8, timeoutMs: 60_000 });
    // Let the drain fill what it may of the backlog's seats before the healthy merchant's events exist.
    await hanging.waitFor(4);
    const ids = await emitTestEvents(ctx.deps.db, other.tenant, 3);
    await healthy.waitFor(3);
    expect(healthy.received.map((r) => r.id).sort()).toEqual([...ids].sort());
    // 4 of 8 slots: the hanging endpoint never got more, however long its queue.
    expect(hanging.received).toHaveLength(4);
    await hanging.close();
    receivers.splice(receivers.indexOf(hanging), 1);
    expect(await drained).toMatchObject({ delivered: 3 });
  });
});

describe("circuit breaker", () => {
  it("opens after 5 failures in a row, holds the rest without spending their attempts, probes one at a time, closes on success", async () => {
    let up = false;
    const r = await receiver(() => (up ? { status: 200 } : { status: 503 }));
    const { webhook } = await endpointOn(r.url);
    const start = Date.now();
    await seedBacklog(ctx.deps.db, {
      organizationId: (await endpointRow(webhook.id)).organizationId,
      endpointId: webhook.id,
      count: 20,
      tag: "circuit",
      dueBy: new Date(start - 1_000),
    });
    let offset = 0;
    const deps: Pick<AppDeps, "db" | "now" | "logger" | "config"> = {
      ...ctx.deps,
      now: () => new Date(start + offset),
    };
    const round = () => runDeliveryBatch(deps, { batchSize: 5, random: () => 0 });

    expect(await round()).toMatchObject({ claimed: 5, retrying: 5 });
    const opened = await endpointRow(webhook.id);
    expect(opened.consecutiveFailures).toBe(5);
    expect(opened.circuitOpenUntil!.getTime()).toBeGreaterThanOrEqual(start + 30_000);

    // Open: nothing is claimed, not even the five whose own retry has come due.
    offset = 29_000;
    expect((await round()).claimed).toBe(0);
    offset = 45_000;
    const probe = await round();
    expect(probe).toMatchObject({ claimed: 1, retrying: 1 });
    const reopened = await endpointRow(webhook.id);
    expect(reopened.consecutiveFailures).toBe(6);
    // The failed probe doubles the wait: 60 s from the probe's end.
    expect(reopened.circuitOpenUntil!.getTime()).toBeGreaterThanOrEqual(start + 45_000 + 60_000);
    expect((await round()).claimed).toBe(0);
    expect(r.received).toHaveLength(6);

    // Held deliveries made no attempt: 14 still have their whole retry window.
    const held = (await deliveriesOf(webhook.id)).filter((d) => d.attemptCount === 0);
    expect(held).toHaveLength(14);
    expect(held.every((d) => d.status === "pending" && d.lastAttemptAt === null)).toBe(true);

    up = true;
    offset = 106_000;
    expect(await round()).toMatchObject({ claimed: 1, delivered: 1 });
    const closed = await endpointRow(webhook.id);
    expect(closed).toMatchObject({ consecutiveFailures: 0, circuitOpenUntil: null });
    // Closed: everything due flows again, five a round.
    let rounds = 0;
    while ((await round()).claimed > 0) rounds++;
    expect(rounds).toBe(4);
    const all = await deliveriesOf(webhook.id);
    expect(all.every((d) => d.status === "delivered")).toBe(true);
    // Each held one went out on its first attempt.
    expect(all.filter((d) => d.attemptCount === 1)).toHaveLength(14);
  });
});
