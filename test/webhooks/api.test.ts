import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { webhookDeliveries } from "../../src/db/schema/index.js";
import { runDeliveryBatch } from "../../src/webhooks/index.js";
import { emitTestEvents, startReceiver, type TestMerchant, testContext } from "../support/index.js";

const ctx = await testContext();

const createWebhook = (m: TestMerchant, webhook: Record<string, unknown>, key = m.testKey) =>
  ctx.api("POST", "/api/v1/webhooks", { key, body: { webhook } });
const testTenant = (m: TestMerchant) => ({ organizationId: m.organizationId, livemode: false });

describe("webhook endpoints API", () => {
  it("creates an endpoint with its own whsec_ secret and reads it back", async () => {
    const m = await ctx.merchant();
    const res = await createWebhook(m, {
      url: "https://example.com/hooks",
      eventTypes: ["payment.succeeded", "invoice.paid", "payment.succeeded"],
      description: "billing",
    });
    expect(res.status).toBe(201);
    const webhook = res.body.webhook;
    expect(webhook).toMatchObject({
      url: "https://example.com/hooks",
      eventTypes: ["payment.succeeded", "invoice.paid"],
      description: "billing",
      active: true,
      livemode: false,
      organizationId: m.organizationId,
    });
    expect(webhook.id).toMatch(/^webhook_/);
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(webhook.secret.slice(6), "base64")).toHaveLength(24);
    expect(typeof webhook.createdAt).toBe("number");

    const other = await createWebhook(m, { url: "http://127.0.0.1:9/x" });
    expect(other.body.webhook.eventTypes).toBeNull();
    expect(other.body.webhook.secret).not.toBe(webhook.secret);

    const got = await ctx.api("GET", `/api/v1/webhooks/${webhook.id}`, { key: m.testKey });
    expect(got.status).toBe(200);
    expect(got.body.webhook).toEqual(webhook);

    const list = await ctx.api("GET", "/api/v1/webhooks?limit=1", { key: m.testKey });
    expect(list.body).toMatchObject({ total: 2, hasMore: true });
    expect(list.body.data.map((w: any) => w.id)).toEqual([other.body.webhook.id]);
    const next = await ctx.api("GET", `/api/v1/webhooks?limit=1&cursor=${list.body.nextCursor}`, {
      key: m.testKey,
    });
    expect(next.body.data.map((w: any) => w.id)).toEqual([webhook.id]);
    expect(next.body.hasMore).toBe(false);
  });

  it("rejects bad input with 400 BAD_REQUEST", async () => {
    const m = await ctx.merchant();
    const bad: unknown[] = [
      { webhook: { url: "/relative" } },
      { webhook: { url: "ftp://example.com/x" } },
      { webhook: { url: "javascript:alert(1)" } },
      { webhook: { url: `https://example.com/${"a".repeat(2100)}` } },
      { webhook: {} },
      { webhook: { url: "https://example.com", eventTypes: ["payment.exploded"] } },
      { webhook: { url: "https://example.com", eventTypes: [] } },
      { webhook: { url: "https://example.com", active: "yes" } },
      { webhook: { url: "https://example.com", secret: "whsec_mine" } },
      { webhook: { url: "https://example.com/a\u0000b" } },
      { webhook: { url: "https://example.com/a\nb" } },
      { webhook: { url: "https://example.com", description: "nul\u0000here" } },
      { url: "https://example.com" },
    ];
    for (const body of bad) {
      const res = await ctx.api("POST", "/api/v1/webhooks", { key: m.testKey, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe("BAD_REQUEST");
    }
    const malformed = await ctx.api("POST", "/api/v1/webhooks", { key: m.testKey, rawBody: "{nope" });
    expect(malformed.status).toBe(400);
    const list = await ctx.api("GET", "/api/v1/webhooks", { key: m.testKey });
    expect(list.body.total).toBe(0);
    expect((await ctx.api("GET", "/api/v1/webhooks?limit=0", { key: m.testKey })).status).toBe(400);
    expect((await ctx.api("GET", "/api/v1/webhooks?cursor=garbage", { key: m.testKey })).status).toBe(400);
    expect((await ctx.api("GET", "/api/v1/webhooks")).status).toBe(401);
    // Ids that Glade could never have issued (a NUL byte would make Postgres throw) are refused up front.
    for (const path of [
      "/api/v1/webhooks/%00",
      "/api/v1/events/a%00b",
      "/api/v1/webhooks/a%20b/deliveries",
    ]) {
      const res = await ctx.api("GET", path, { key: m.testKey });
      expect(res.status, path).toBe(400);
      expect(res.body.code).toBe("BAD_REQUEST");
    }
  });

  it("updates url, filter, description and active; null filter means every type", async () => {
    const m = await ctx.merchant();
    const { webhook } = (await createWebhook(m, { url: "https://a.example/x", eventTypes: ["invoice.paid"] }))
      .body;
    const put = (body: unknown) => ctx.api("PUT", `/api/v1/webhooks/${webhook.id}`, { key: m.testKey, body });
    const res = await put({ webhook: { url: "https://b.example/y", description: "new", active: false } });
    expect(res.status).toBe(200);
    expect(res.body.webhook).toMatchObject({
      url: "https://b.example/y",
      description: "new",
      active: false,
      eventTypes: ["invoice.paid"],
      secret: webhook.secret,
    });
    expect(res.body.webhook.updatedAt).toBeGreaterThanOrEqual(webhook.updatedAt);
    expect((await put({ webhook: { eventTypes: null } })).body.webhook.eventTypes).toBeNull();
    expect((await put({ webhook: { url: "mailto:x@y.z" } })).status).toBe(400);
    expect((await put({ webhook: { eventTypes: ["nope"] } })).status).toBe(400);
    expect((await put({ url: "https://c.example" })).status).toBe(400);
    const missing = await ctx.api("PUT", "/api/v1/webhooks/webhook_missing", {
      key: m.testKey,
      body: { webhook: { active: true } },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("NOT_FOUND");
  });

  it("isolates endpoints by organization and by mode", async () => {
    const m = await ctx.merchant();
    const stranger = await ctx.merchant();
    const { webhook } = (await createWebhook(m, { url: "https://a.example/x" })).body;
    const live = (await createWebhook(m, { url: "https://live.example/x" }, m.liveKey)).body.webhook;
    expect(live.livemode).toBe(true);
    for (const key of [stranger.testKey, stranger.liveKey, m.liveKey]) {
      const paths = [
        ["GET", `/api/v1/webhooks/${webhook.id}`],
        ["PUT", `/api/v1/webhooks/${webhook.id}`],
        ["DELETE", `/api/v1/webhooks/${webhook.id}`],
        ["POST", `/api/v1/webhooks/${webhook.id}/rotate-secret`],
        ["GET", `/api/v1/webhooks/${webhook.id}/deliveries`],
      ] as const;
      for (const [method, path] of paths) {
        const body = method === "PUT" ? { webhook: { active: false } } : undefined;
        const res = await ctx.api(method, path, { key, body });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.code).toBe("NOT_FOUND");
      }
    }
    const strangers = await ctx.api("GET", "/api/v1/webhooks", { key: stranger.testKey });
    expect(strangers.body.total).toBe(0);
    const liveList = await ctx.api("GET", "/api/v1/webhooks", { key: m.liveKey });
    expect(liveList.body.data.map((w: any) => w.id)).toEqual([live.id]);
    const still = await ctx.api("GET", `/api/v1/webhooks/${webhook.id}`, { key: m.testKey });
    expect(still.body.webhook).toMatchObject({ active: true, secret: webhook.secret });
  });

  it("delete deactivates, cancels queued deliveries with a reason, and keeps the history", async () => {
    const m = await ctx.merchant();
    const r = await startReceiver();
    try {
      const { webhook } = (await createWebhook(m, { url: r.url })).body;
      const [sent] = await emitTestEvents(ctx.deps.db, testTenant(m), 1);
      await runDeliveryBatch(ctx.deps, { organizationId: m.organizationId });
      const [queued] = await emitTestEvents(ctx.deps.db, testTenant(m), 1);
      const res = await ctx.api("DELETE", `/api/v1/webhooks/${webhook.id}`, { key: m.testKey });
      expect(res.status).toBe(200);
      expect(res.body.webhook).toMatchObject({ id: webhook.id, active: false });
      expect(
        (await ctx.api("GET", `/api/v1/webhooks/${webhook.id}`, { key: m.testKey })).body.webhook.active,
      ).toBe(false);
      const log = await ctx.api("GET", `/api/v1/webhooks/${webhook.id}/deliveries`, { key: m.testKey });
      const byEvent = new Map(log.body.data.map((d: any) => [d.eventId, d]));
      expect(byEvent.get(sent)).toMatchObject({ status: "delivered", failureReason: null });
      expect(byEvent.get(queued)).toMatchObject({
        status: "failed",
        attemptCount: 0,
        failureReason: expect.stringContaining("deleted"),
      });
      // Nothing more goes out, and later events are not queued for it.
      await emitTestEvents(ctx.deps.db, testTenant(m), 1);
      expect((await runDeliveryBatch(ctx.deps, { organizationId: m.organizationId })).claimed).toBe(0);
      expect(r.received.map((x) => x.id)).toEqual([sent]);
      const [row] = await ctx.deps.db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.eventId, queued!));
      expect(row?.status).toBe("failed");
    } finally {
      await r.close();
    }
  });
});

describe("events API", () => {
  it("a real API change commits its event with the full object, and the webhook receives it signed", async () => {
    const m = await ctx.merchant();
    const r = await startReceiver();
    try {
      const { webhook } = (await createWebhook(m, { url: r.url, eventTypes: ["customer.created"] })).body;
      const created = await ctx.api("POST", "/api/v1/customers", {
        key: m.testKey,
        body: { customer: { externalId: "user_hooks_1", email: "hooks@example.com", name: "Hook Fan" } },
      });
      expect(created.status).toBeLessThan(300);
      const customer = created.body.data.customer;
      const events = await ctx.api("GET", "/api/v1/events?type=customer.created", { key: m.testKey });
      expect(events.body.total).toBe(1);
      const event = events.body.data[0];
      expect(event).toMatchObject({ type: "customer.created", object: "customer", livemode: false });
      expect(event.data).toEqual(customer);
      await runDeliveryBatch(ctx.deps, { organizationId: m.organizationId });
      expect(r.received).toHaveLength(1);
      const verified = new Webhook(webhook.secret).verify(r.received[0]!.body, r.received[0]!.headers as any);
      expect(verified).toEqual(event);
      // A rejected change (duplicate externalId) rolls back and announces nothing.
      const dup = await ctx.api("POST", "/api/v1/customers", {
        key: m.testKey,
        body: { customer: { externalId: "user_hooks_1", email: "again@example.com", name: "Again" } },
      });
      expect(dup.status).toBeGreaterThanOrEqual(400);
      expect((await ctx.api("GET", "/api/v1/events", { key: m.testKey })).body.total).toBe(1);
    } finally {
      await r.close();
    }
  });

  it("lists events newest first with cursor pagination and a type filter, and retrieves one", async () => {
    const m = await ctx.merchant();
    const payments = await emitTestEvents(ctx.deps.db, testTenant(m), 3, "payment.succeeded");
    const [customer] = await emitTestEvents(ctx.deps.db, testTenant(m), 1, "customer.created");
    const page1 = await ctx.api("GET", "/api/v1/events?limit=2", { key: m.testKey });
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ total: 4, hasMore: true });
    expect(page1.body.data.map((e: any) => e.id)).toEqual([customer, payments[2]]);
    const page2 = await ctx.api("GET", `/api/v1/events?limit=2&cursor=${page1.body.nextCursor}`, {
      key: m.testKey,
    });
    expect(page2.body.data.map((e: any) => e.id)).toEqual([payments[1], payments[0]]);
    expect(page2.body).toMatchObject({ hasMore: false, currentCursor: page1.body.nextCursor });

    const filtered = await ctx.api("GET", "/api/v1/events?type=customer.created", { key: m.testKey });
    expect(filtered.body).toMatchObject({ total: 1 });
    expect(filtered.body.data[0]).toMatchObject({
      id: customer,
      type: "customer.created",
      object: "customer",
      livemode: false,
      organizationId: m.organizationId,
    });
    expect((await ctx.api("GET", "/api/v1/events?type=bogus", { key: m.testKey })).status).toBe(400);

    const one = await ctx.api("GET", `/api/v1/events/${payments[0]}`, { key: m.testKey });
    expect(one.status).toBe(200);
    expect(one.body.event).toMatchObject({ id: payments[0], type: "payment.succeeded", object: "payment" });
    expect(one.body.event.data).toMatchObject({ amount: 1000, currency: "USD" });
    expect(typeof one.body.event.createdAt).toBe("number");
  });

  it("isolates events by organization and by mode", async () => {
    const m = await ctx.merchant();
    const stranger = await ctx.merchant();
    const [testEvent] = await emitTestEvents(ctx.deps.db, testTenant(m), 1);
    const [liveEvent] = await emitTestEvents(
      ctx.deps.db,
      { organizationId: m.organizationId, livemode: true },
      1,
    );
    for (const key of [stranger.testKey, m.liveKey]) {
      const res = await ctx.api("GET", `/api/v1/events/${testEvent}`, { key });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("NOT_FOUND");
      expect((await ctx.api("POST", `/api/v1/events/${testEvent}/redeliver`, { key })).status).toBe(404);
    }
    expect((await ctx.api("GET", "/api/v1/events", { key: stranger.testKey })).body.total).toBe(0);
    const live = await ctx.api("GET", "/api/v1/events", { key: m.liveKey });
    expect(live.body.data.map((e: any) => e.id)).toEqual([liveEvent]);
    const test = await ctx.api("GET", "/api/v1/events", { key: m.testKey });
    expect(test.body.data.map((e: any) => e.id)).toEqual([testEvent]);
  });

  it("redelivers an already delivered event and keeps the earlier attempts in the log", async () => {
    const m = await ctx.merchant();
    const r = await startReceiver();
    try {
      const { webhook } = (await createWebhook(m, { url: r.url })).body;
      const [eventId] = await emitTestEvents(ctx.deps.db, testTenant(m), 1);
      await runDeliveryBatch(ctx.deps, { organizationId: m.organizationId });
      const res = await ctx.api("POST", `/api/v1/events/${eventId}/redeliver`, {
        key: m.testKey,
        body: { webhookId: webhook.id },
      });
      expect(res.status).toBe(200);
      expect(res.body.deliveries).toHaveLength(1);
      expect(res.body.deliveries[0]).toMatchObject({
        eventId,
        webhookId: webhook.id,
        status: "pending",
        attemptCount: 0,
        deliveredAt: null,
      });
      expect(res.body.deliveries[0].attempts).toHaveLength(1);
      await runDeliveryBatch(ctx.deps, { organizationId: m.organizationId });
      expect(r.received.map((x) => x.id)).toEqual([eventId, eventId]);
      const log = await ctx.api("GET", `/api/v1/webhooks/${webhook.id}/deliveries?eventId=${eventId}`, {
        key: m.testKey,
      });
      expect(log.body.data).toHaveLength(1);
      expect(log.body.data[0]).toMatchObject({ status: "delivered", attemptCount: 1 });
      expect(log.body.data[0].attempts.map((a: any) => a.statusCode)).toEqual([200, 200]);
    } finally {
      await r.close();
    }
  });

  it("redelivers to endpoints created after the event, and refuses what cannot be sent", async () => {
    const m = await ctx.merchant();
    const stranger = await ctx.merchant();
    const [eventId] = await emitTestEvents(ctx.deps.db, testTenant(m), 1, "invoice.paid");
    const redeliver = (body?: unknown) =>
      ctx.api("POST", `/api/v1/events/${eventId}/redeliver`, { key: m.testKey, body });
    const none = await redeliver();
    expect(none.status).toBe(422);
    expect(none.body.code).toBe("UNPROCESSABLE_CONTENT");

    const all = (await createWebhook(m, { url: "https://all.example/x" })).body.webhook;
    const other = (
      await createWebhook(m, { url: "https://other.example/x", eventTypes: ["customer.created"] })
    ).body.webhook;
    const paused = (await createWebhook(m, { url: "https://paused.example/x", active: false })).body.webhook;
    const foreign = (await createWebhook(stranger, { url: "https://foreign.example/x" })).body.webhook;

    const res = await redeliver();
    expect(res.status).toBe(200);
    expect(res.body.deliveries.map((d: any) => d.webhookId)).toEqual([all.id]);
    expect((await redeliver({ webhookId: other.id })).status).toBe(422);
    expect((await redeliver({ webhookId: paused.id })).status).toBe(422);
    const stolen = await redeliver({ webhookId: foreign.id });
    expect(stolen.status).toBe(404);
    expect((await redeliver({ webhookId: 42 })).status).toBe(400);
    expect((await redeliver({ webhookId: all.id, extra: true })).status).toBe(400);
    const unknown = await ctx.api("POST", "/api/v1/events/evt_missing/redeliver", { key: m.testKey });
    expect(unknown.status).toBe(404);

    const log = await ctx.api("GET", `/api/v1/webhooks/${all.id}/deliveries`, { key: m.testKey });
    expect(log.body.data.map((d: any) => [d.eventId, d.eventType, d.status])).toEqual([
      [eventId, "invoice.paid", "pending"],
    ]);
    const foreignLog = await ctx.api("GET", `/api/v1/webhooks/${foreign.id}/deliveries`, {
      key: stranger.testKey,
    });
    expect(foreignLog.body.total).toBe(0);
  });

  it("pages and filters an endpoint's delivery log", async () => {
    const m = await ctx.merchant();
    const r = await startReceiver((req) =>
      JSON.parse(req.body).data.amount % 2 === 0 ? { status: 200 } : { status: 500 },
    );
    try {
      const { webhook } = (await createWebhook(m, { url: r.url })).body;
      const ids = await emitTestEvents(ctx.deps.db, testTenant(m), 5);
      await runDeliveryBatch(ctx.deps, { organizationId: m.organizationId });
      const path = `/api/v1/webhooks/${webhook.id}/deliveries`;
      const first = await ctx.api("GET", `${path}?limit=3`, { key: m.testKey });
      expect(first.body).toMatchObject({ total: 5, hasMore: true });
      expect(first.body.data.map((d: any) => d.eventId)).toEqual([ids[4], ids[3], ids[2]]);
      const rest = await ctx.api("GET", `${path}?limit=3&cursor=${first.body.nextCursor}`, {
        key: m.testKey,
      });
      expect(rest.body.data.map((d: any) => d.eventId)).toEqual([ids[1], ids[0]]);
      const pending = await ctx.api("GET", `${path}?status=pending`, { key: m.testKey });
      expect(pending.body.total).toBe(2);
      for (const d of pending.body.data) {
        expect(d).toMatchObject({ attemptCount: 1, deliveredAt: null, failureReason: null });
        expect(d.nextAttemptAt).toBeGreaterThan(d.lastAttemptAt);
        expect(d.attempts[0]).toMatchObject({ statusCode: 500, error: null });
        expect(typeof d.attempts[0].durationMs).toBe("number");
      }
      const delivered = await ctx.api("GET", `${path}?status=delivered`, { key: m.testKey });
      expect(delivered.body.total).toBe(3);
      expect((await ctx.api("GET", `${path}?status=lost`, { key: m.testKey })).status).toBe(400);
    } finally {
      await r.close();
    }
  });
});
