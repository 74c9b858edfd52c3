import { asc, eq, inArray } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { AppDeps } from "../../src/context/index.js";
import { openDatabase } from "../../src/db/client.js";
import { webhookAttempts, webhookDeliveries } from "../../src/db/schema/index.js";
import {
  drainDeliveries,
  MAX_ATTEMPTS,
  RETRY_WINDOW_MS,
  type Resolver,
  runDeliveryBatch,
} from "../../src/webhooks/index.js";
import {
  createWebhook,
  emitTestEvents,
  type Receiver,
  startReceiver,
  testContext,
} from "../support/index.js";

const ctx = await testContext();
const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

/** A tenant with one endpoint, created through the API, plus a worker clock the test moves by hand. */
async function setup(url: string, webhook: Record<string, unknown> = {}) {
  const m = await ctx.merchant();
  const endpoint = await createWebhook(ctx, m.testKey, { url, ...webhook });
  // Real time plus an offset the test moves: events stamped "now" by emitEvent are due at once.
  let offset = 0;
  const deps: Pick<AppDeps, "db" | "now" | "logger" | "config"> = {
    ...ctx.deps,
    now: () => new Date(Date.now() + offset),
  };
  return {
    m,
    tenant: { organizationId: m.organizationId, livemode: false },
    webhook: endpoint,
    deps,
    advance: (ms: number) => {
      offset += ms;
    },
    setClock: (at: Date) => {
      offset = at.getTime() - Date.now();
    },
    run: (options: Parameters<typeof runDeliveryBatch>[1] = {}) =>
      runDeliveryBatch(deps, { organizationId: m.organizationId, ...options }),
  };
}

const deliveryOf = async (eventId: string) => {
  const [row] = await ctx.deps.db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.eventId, eventId));
  return row!;
};
const attemptsOf = (deliveryId: string) =>
  ctx.deps.db
    .select()
    .from(webhookAttempts)
    .where(eq(webhookAttempts.deliveryId, deliveryId))
    .orderBy(asc(webhookAttempts.attemptedAt));

describe("webhook delivery", () => {
  it("POSTs the event body signed per Standard Webhooks, verifiable with the standardwebhooks library", async () => {
    const r = await receiver();
    const s = await setup(r.url);
    const [eventId] = await emitTestEvents(ctx.deps.db, s.tenant, 1, "customer.created");
    expect(await s.run()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(r.received).toHaveLength(1);
    const got = r.received[0]!;
    const verified = new Webhook(s.webhook.secret).verify(
      got.body,
      got.headers as Record<string, string>,
    ) as any;
    expect(verified).toMatchObject({
      id: eventId,
      type: "customer.created",
      livemode: false,
      object: "customer",
    });
    expect(verified.organizationId).toBe(s.m.organizationId);
    expect(typeof verified.createdAt).toBe("number");
    expect(got.headers["webhook-id"]).toBe(eventId);
    expect(got.headers["content-type"]).toBe("application/json");
    // Svix-named headers carry the same signature, for Flowglad's verifyWebhook.
    expect(got.headers["svix-signature"]).toBe(got.headers["webhook-signature"]);
    expect(() =>
      new Webhook(s.webhook.secret).verify(got.body, {
        "webhook-id": String(got.headers["svix-id"]),
        "webhook-timestamp": String(got.headers["svix-timestamp"]),
        "webhook-signature": String(got.headers["svix-signature"]),
      }),
    ).not.toThrow();
    // The body is exactly the event the API returns.
    const api = await ctx.api("GET", `/api/v1/events/${eventId}`, { key: s.m.testKey });
    expect(JSON.parse(got.body)).toEqual(api.body.event);
    // A tampered body or another secret does not verify.
    expect(() =>
      new Webhook(s.webhook.secret).verify(got.body.replace("customer", "kustomer"), got.headers as any),
    ).toThrow();
    expect(() =>
      new Webhook(`whsec_${Buffer.from("x".repeat(24)).toString("base64")}`).verify(
        got.body,
        got.headers as any,
      ),
    ).toThrow();
    const delivery = await deliveryOf(eventId!);
    expect(delivery).toMatchObject({ status: "delivered", attemptCount: 1, lockedUntil: null });
    expect(delivery.deliveredAt).not.toBeNull();
    // Delivered means done: another round sends nothing.
    expect((await s.run()).claimed).toBe(0);
    expect(r.received).toHaveLength(1);
  });

  it("respects the endpoint's event-type filter, organization and mode", async () => {
    const r = await receiver();
    const s = await setup(r.url, { eventTypes: ["payment.succeeded"] });
    const [wanted] = await emitTestEvents(ctx.deps.db, s.tenant, 1, "payment.succeeded");
    await emitTestEvents(ctx.deps.db, s.tenant, 1, "customer.created");
    await emitTestEvents(ctx.deps.db, { ...s.tenant, livemode: true }, 1, "payment.succeeded");
    const other = await ctx.merchant();
    await emitTestEvents(ctx.deps.db, { organizationId: other.organizationId, livemode: false }, 1);
    await s.run();
    await runDeliveryBatch(s.deps, { organizationId: other.organizationId });
    expect(r.received.map((x) => x.id)).toEqual([wanted]);
  });

  it("retries a failing receiver with growing backoff and delivers once it answers 2xx", async () => {
    const r = await receiver((_req, n) => (n < 3 ? { status: 500, body: `boom ${n}` } : { status: 204 }));
    const s = await setup(r.url);
    const [eventId] = await emitTestEvents(ctx.deps.db, s.tenant, 1);
    const gaps: number[] = [];
    for (let i = 0; i < 3; i++) {
      expect(await s.run()).toMatchObject({ claimed: 1, retrying: 1 });
      const pending = await deliveryOf(eventId!);
      expect(pending).toMatchObject({ status: "pending", attemptCount: i + 1 });
      const wait = pending.nextAttemptAt.getTime() - s.deps.now().getTime();
      gaps.push(wait);
      // Not due yet: nothing is sent early.
      s.advance(wait - 2_000);
      expect((await s.run()).claimed).toBe(0);
      s.advance(2_000);
    }
    expect(await s.run()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(gaps[0]).toBeGreaterThanOrEqual(30_000);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!);
    expect(r.received).toHaveLength(4);
    for (const got of r.received) {
      expect(got.id).toBe(eventId);
      expect(() => new Webhook(s.webhook.secret).verify(got.body, got.headers as any)).not.toThrow();
    }
    const delivery = await deliveryOf(eventId!);
    expect(delivery).toMatchObject({ status: "delivered", attemptCount: 4 });
    const attempts = await attemptsOf(delivery.id);
    expect(attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 204]);
    expect(attempts.map((a) => a.responseSnippet)).toEqual(["boom 0", "boom 1", "boom 2", null]);
    const log = await ctx.api("GET", `/api/v1/webhooks/${s.webhook.id}/deliveries`, { key: s.m.testKey });
    expect(log.body.data[0]).toMatchObject({ status: "delivered", attemptCount: 4, nextAttemptAt: null });
    expect(log.body.data[0].attempts.map((a: any) => a.statusCode)).toEqual([500, 500, 500, 204]);
  });

  it("keeps retrying for at least 3 days, then marks the delivery failed", async () => {
    const r = await receiver(() => ({ status: 503, body: "down" }));
    const s = await setup(r.url);
    const [eventId] = await emitTestEvents(ctx.deps.db, s.tenant, 1);
    for (let round = 0; round < MAX_ATTEMPTS + 5; round++) {
      await s.run();
      const d = await deliveryOf(eventId!);
      if (d.status !== "pending") break;
      s.setClock(d.nextAttemptAt);
    }
    const delivery = await deliveryOf(eventId!);
    expect(delivery.status).toBe("failed");
    expect(delivery.attemptCount).toBe(MAX_ATTEMPTS);
    const attempts = await attemptsOf(delivery.id);
    expect(attempts).toHaveLength(MAX_ATTEMPTS);
    const span = attempts.at(-1)!.attemptedAt.getTime() - attempts[0]!.attemptedAt.getTime();
    expect(span).toBeGreaterThanOrEqual(RETRY_WINDOW_MS);
    // Consecutive gaps never exceed the 12 h cap plus jitter.
    for (let i = 1; i < attempts.length; i++) {
      const gap = attempts[i]!.attemptedAt.getTime() - attempts[i - 1]!.attemptedAt.getTime();
      expect(gap).toBeLessThanOrEqual(12 * 3600_000 * 1.2 + 1);
    }
    s.advance(30 * 24 * 3600_000);
    expect((await s.run()).claimed).toBe(0);
    expect(r.received).toHaveLength(MAX_ATTEMPTS);
    const log = await ctx.api("GET", `/api/v1/webhooks/${s.webhook.id}/deliveries`, { key: s.m.testKey });
    expect(log.body.data[0]).toMatchObject({ status: "failed", failureReason: "receiver answered HTTP 503" });
  });

  it("bounds each POST by the timeout, does not follow redirects, and truncates the response snippet", async () => {
    const r = await receiver((req) => {
      const n = Number(JSON.parse(req.body).data.amount) - 1000;
      if (n === 0) return "hang";
      if (n === 1) return { status: 302, headers: { location: "http://127.0.0.1:1/elsewhere" } };
      return { status: 400, body: "é".repeat(3000) };
    });
    const s = await setup(r.url);
    const [hung, redirected, verbose] = await emitTestEvents(ctx.deps.db, s.tenant, 3);
    const started = Date.now();
    expect(await s.run({ timeoutMs: 400 })).toMatchObject({ claimed: 3, retrying: 3 });
    expect(Date.now() - started).toBeLessThan(5_000);
    const [hungAttempt] = await attemptsOf((await deliveryOf(hung!)).id);
    expect(hungAttempt).toMatchObject({ statusCode: null, error: "timed out after 400 ms" });
    expect(hungAttempt!.durationMs).toBeGreaterThanOrEqual(350);
    const [redirectAttempt] = await attemptsOf((await deliveryOf(redirected!)).id);
    expect(redirectAttempt!.statusCode).toBe(302);
    expect(r.received).toHaveLength(3);
    const [verboseAttempt] = await attemptsOf((await deliveryOf(verbose!)).id);
    expect(verboseAttempt!.statusCode).toBe(400);
    expect(verboseAttempt!.responseSnippet).toBe("é".repeat(500));
  });

  it("records a connection failure as an attempt and retries it", async () => {
    const r = await receiver();
    const s = await setup(r.url);
    await r.close();
    receivers.splice(receivers.indexOf(r), 1);
    const [eventId] = await emitTestEvents(ctx.deps.db, s.tenant, 1);
    expect(await s.run({ timeoutMs: 2_000 })).toMatchObject({ claimed: 1, retrying: 1 });
    const [attempt] = await attemptsOf((await deliveryOf(eventId!)).id);
    expect(attempt!.statusCode).toBeNull();
    expect(attempt!.error).toMatch(/ECONNREFUSED|fetch failed/);
  });

  it("holds deliveries of a paused endpoint and sends them when it is reactivated", async () => {
    const r = await receiver();
    const s = await setup(r.url);
    const [queued] = await emitTestEvents(ctx.deps.db, s.tenant, 1);
    const paused = await ctx.api("PUT", `/api/v1/webhooks/${s.webhook.id}`, {
      key: s.m.testKey,
      body: { webhook: { active: false } },
    });
    expect(paused.body.webhook.active).toBe(false);
    // Events while paused are not queued for it at all.
    await emitTestEvents(ctx.deps.db, s.tenant, 1);
    expect((await s.run()).claimed).toBe(0);
    expect((await deliveryOf(queued!)).status).toBe("pending");
    await ctx.api("PUT", `/api/v1/webhooks/${s.webhook.id}`, {
      key: s.m.testKey,
      body: { webhook: { active: true } },
    });
    expect(await s.run()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(r.received.map((x) => x.id)).toEqual([queued]);
  });

  it("signs with the rotated secret after a rotation", async () => {
    const r = await receiver();
    const s = await setup(r.url);
    const rotated = await ctx.api("POST", `/api/v1/webhooks/${s.webhook.id}/rotate-secret`, {
      key: s.m.testKey,
    });
    expect(rotated.status).toBe(200);
    const secret = rotated.body.webhook.secret as string;
    expect(secret).not.toBe(s.webhook.secret);
    await emitTestEvents(ctx.deps.db, s.tenant, 1);
    await s.run();
    const got = r.received[0]!;
    expect(() => new Webhook(secret).verify(got.body, got.headers as any)).not.toThrow();
    expect(() => new Webhook(s.webhook.secret).verify(got.body, got.headers as any)).toThrow();
  });

  it("a redelivery started while an attempt is in flight wins over that attempt's result", async () => {
    let release: (() => void) | undefined;
    const r = await receiver(() => ({ status: 500 }));
    // A hostname, so the attempt goes through the resolver below, which holds it until released.
    const s = await setup(r.url.replace("127.0.0.1", "localhost"));
    const [eventId] = await emitTestEvents(ctx.deps.db, s.tenant, 1);
    const slowResolver: Resolver = async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return [{ address: "127.0.0.1", family: 4 }];
    };
    const inFlight = s.run({ resolve: slowResolver });
    await expect.poll(() => release !== undefined).toBe(true);
    const redo = await ctx.api("POST", `/api/v1/events/${eventId}/redeliver`, { key: s.m.testKey });
    expect(redo.status).toBe(200);
    release!();
    expect(await inFlight).toMatchObject({ claimed: 1, lost: 1 });
    const d = await deliveryOf(eventId!);
    expect(d).toMatchObject({ status: "pending", attemptCount: 0, lockedUntil: null });
    // The attempt that happened is still on record.
    expect(await attemptsOf(d.id)).toHaveLength(1);
  });
});

describe("concurrent workers", () => {
  it("a hanging receiver holds only its own slots: other deliveries keep flowing past it", async () => {
    const slow = await receiver(() => "hang");
    const fast = await receiver(() => ({ status: 200 }));
    const s = await setup(slow.url);
    await createWebhook(ctx, s.m.testKey, { url: fast.url, eventTypes: ["invoice.paid"] });
    await ctx.api("PUT", `/api/v1/webhooks/${s.webhook.id}`, {
      key: s.m.testKey,
      body: { webhook: { eventTypes: ["payment.succeeded"] } },
    });
    // The stuck ones are oldest, so they are claimed first.
    await emitTestEvents(ctx.deps.db, s.tenant, 3, "payment.succeeded");
    await emitTestEvents(ctx.deps.db, s.tenant, 30, "invoice.paid");
    const started = Date.now();
    const drained = drainDeliveries(s.deps, {
      organizationId: s.m.organizationId,
      batchSize: 4,
      // All three stuck ones in flight at once (the default would hold the third back for a seat of its
      // own endpoint): the one slot left is what the fast ones flow through.
      perEndpoint: 3,
      timeoutMs: 5_000,
    });
    await fast.waitFor(30, 10_000);
    // Had the batch waited for its slowest member, nothing fast would arrive before the 5 s timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
    await slow.close();
    expect(await drained).toMatchObject({ claimed: 33, delivered: 30, retrying: 3 });
    expect(slow.received).toHaveLength(3);
  });

  it("two workers on separate connections deliver every event exactly once", async () => {
    const r = await receiver(() => ({ status: 200 }));
    const s = await setup(r.url);
    const total = 200;
    const ids = await emitTestEvents(ctx.deps.db, s.tenant, total);
    const handles = await Promise.all(
      [1, 2].map(() => openDatabase({ databaseUrl: inject("databaseUrl"), dataDir: "", poolSize: 6 })),
    );
    try {
      const claimedBy = [0, 0];
      await Promise.all(
        handles.map(async (handle, i) => {
          const deps = { ...ctx.deps, db: handle.db, now: () => new Date() };
          for (;;) {
            const round = await runDeliveryBatch(deps, { organizationId: s.m.organizationId, batchSize: 8 });
            claimedBy[i]! += round.claimed;
            if (round.claimed === 0) return;
          }
        }),
      );
      const counts = new Map<string, number>();
      for (const got of r.received) counts.set(got.id, (counts.get(got.id) ?? 0) + 1);
      expect(r.received).toHaveLength(total);
      expect([...counts.keys()].sort()).toEqual([...ids].sort());
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      // Both really took part, so the claims did interleave.
      expect(claimedBy[0]).toBeGreaterThan(0);
      expect(claimedBy[1]).toBeGreaterThan(0);
      expect(claimedBy[0]! + claimedBy[1]!).toBe(total);
      const rows = await ctx.deps.db
        .select({ status: webhookDeliveries.status, attemptCount: webhookDeliveries.attemptCount })
        .from(webhookDeliveries)
        .where(inArray(webhookDeliveries.eventId, ids));
      expect(rows.every((row) => row.status === "delivered" && row.attemptCount === 1)).toBe(true);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });
});
