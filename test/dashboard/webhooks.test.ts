import { afterEach, describe, expect, it } from "vitest";
import { listAuditEntries } from "../../src/audit/index.js";
import { runDeliveryBatch } from "../../src/webhooks/index.js";
import {
  createWebhook,
  dashboardUser,
  emitTestEvents,
  ok,
  type Receiver,
  signInDashboard,
  startReceiver,
  testContext,
} from "../support/index.js";

const ctx = await testContext();
const PATH = "/dashboard/developers/webhooks";
const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver() {
  const r = await startReceiver((_req, n) => ({ status: 200, body: `thanks ${n + 1}` }));
  receivers.push(r);
  return r;
}

/** An organization with an endpoint (test mode, made through the API) and a signed-in dashboard user. */
async function world(role: "owner" | "admin" | "viewer" = "admin", url = "https://example.com/hooks") {
  const m = await ctx.merchant("Webhooks Org");
  const user = await dashboardUser(ctx, m.organizationId, role);
  const visit = await signInDashboard(ctx, user.email);
  const webhook = await createWebhook(ctx, m.testKey, { url, eventTypes: ["customer.created"] });
  const tenant = { organizationId: m.organizationId, livemode: false };
  return { m, user, visit, webhook, tenant };
}

const auditOf = async (organizationId: string, livemode = false) =>
  (await listAuditEntries(ctx.deps.db, { organizationId, livemode }, { limit: 100 })).entries.filter(
    (e) => e.actorType === "user",
  );

const endpointOf = async (key: string, id: string) =>
  (await ok(ctx.api("GET", `/api/v1/webhooks/${id}`, { key }))).webhook;

const deliveriesOf = async (key: string, id: string) =>
  (await ok(ctx.api("GET", `/api/v1/webhooks/${id}/deliveries`, { key }))).data;

const deliver = (organizationId: string) => runDeliveryBatch(ctx.deps, { organizationId });

describe("dashboard webhooks", () => {
  it("lists the mode's endpoints and adds one with the chosen event types, audited", async () => {
    const w = await world();
    const live = await createWebhook(ctx, w.m.liveKey, { url: "https://live.example.com/hooks" });
    const page = await w.visit.get(PATH);
    expect(page.status).toBe(200);
    expect(page.text).toContain("https://example.com/hooks");
    expect(page.text).not.toContain("https://live.example.com/hooks");
    expect(page.text).not.toContain(w.webhook.secret);
    expect(page.text).toContain('name="type.payment.succeeded"');

    const created = await w.visit.post(PATH, {
      url: "https://shop.example.com/glade",
      description: "Shop",
      "type.payment.succeeded": "on",
      "type.invoice.paid": "on",
    });
    expect(created.status).toBe(303);
    const location = created.headers.get("location") ?? "";
    expect(location).toMatch(/^\/dashboard\/developers\/webhooks\/[\w]+\?notice=created$/);
    const id = location.split("/").pop()?.split("?")[0] ?? "";
    const stored = await endpointOf(w.m.testKey, id);
    expect(stored).toMatchObject({
      url: "https://shop.example.com/glade",
      description: "Shop",
      eventTypes: ["payment.succeeded", "invoice.paid"],
      active: true,
      livemode: false,
    });
    const shown = await w.visit.get(location);
    expect(shown.text).toContain("Endpoint added.");
    const [entry] = await auditOf(w.m.organizationId);
    expect(entry).toMatchObject({ action: "webhook.created", objectId: id });
    expect(JSON.stringify(entry)).not.toContain(stored.secret);

    const all = await w.visit.post(PATH, { url: "http://127.0.0.1:9/any", all_types: "on" });
    expect(all.status).toBe(303);
    const allId = (all.headers.get("location") ?? "").split("/").pop()?.split("?")[0] ?? "";
    expect((await endpointOf(w.m.testKey, allId)).eventTypes).toBeNull();
    expect((await endpointOf(w.m.liveKey, live.id)).url).toBe("https://live.example.com/hooks");
  });

  it("shows the error next to each bad field and adds nothing", async () => {
    const w = await world();
    const bad = await w.visit.post(PATH, { url: "ftp://example.com", description: "kept" });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="new-url"[^>]*aria-invalid="true"[^>]*aria-describedby="new-url-error"/);
    expect(bad.text).toContain('id="new-url-error"');
    expect(bad.text).toContain('id="new-types-error"');
    expect(bad.text).toContain('value="kept"');
    const list = (await ok(ctx.api("GET", "/api/v1/webhooks", { key: w.m.testKey }))).data;
    expect(list).toHaveLength(1);
    expect(await auditOf(w.m.organizationId)).toHaveLength(0);
  });

  it("edits the URL, event types and enabled, audited with before and after", async () => {
    const w = await world();
    const res = await w.visit.post(`${PATH}/${w.webhook.id}`, {
      url: "https://example.com/new",
      description: "",
      "type.customer.created": "on",
      "type.customer.updated": "on",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${PATH}/${w.webhook.id}?notice=saved`);
    const after = await endpointOf(w.m.testKey, w.webhook.id);
    expect(after).toMatchObject({
      url: "https://example.com/new",
      eventTypes: ["customer.created", "customer.updated"],
      active: false,
      secret: w.webhook.secret,
    });
    const [entry] = await auditOf(w.m.organizationId);
    expect(entry).toMatchObject({
      action: "webhook.updated",
      objectId: w.webhook.id,
      before: { url: "https://example.com/hooks", active: true, eventTypes: ["customer.created"] },
      after: { url: "https://example.com/new", active: false },
    });
    const page = await w.visit.get(`${PATH}/${w.webhook.id}?notice=saved`);
    expect(page.text).toContain("Changes saved.");
    expect(page.text).toContain("Disabled");
    const bad = await w.visit.post(`${PATH}/${w.webhook.id}`, { url: "not a url", all_types: "on" });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="edit-url-error"');
    expect((await endpointOf(w.m.testKey, w.webhook.id)).url).toBe("https://example.com/new");
  });

  it("reveals the secret in the POST's answer only, audited without it", async () => {
    const w = await world();
    const page = await w.visit.get(`${PATH}/${w.webhook.id}`);
    expect(page.text).not.toContain(w.webhook.secret);
    const shown = await w.visit.post(`${PATH}/${w.webhook.id}/secret`);
    expect(shown.status).toBe(200);
    expect(shown.headers.get("cache-control")).toBe("no-store");
    expect(shown.text).toContain(w.webhook.secret);
    const [entry] = await auditOf(w.m.organizationId);
    expect(entry).toMatchObject({ action: "webhook.secret_revealed", objectId: w.webhook.id });
    expect(JSON.stringify(entry)).not.toContain(w.webhook.secret);
    expect(JSON.stringify(entry)).not.toContain("whsec_");
  });

  it("rotates the secret, audited without it", async () => {
    const w = await world();
    const res = await w.visit.post(`${PATH}/${w.webhook.id}/rotate`);
    expect(res.status).toBe(303);
    const after = await endpointOf(w.m.testKey, w.webhook.id);
    expect(after.secret).toMatch(/^whsec_/);
    expect(after.secret).not.toBe(w.webhook.secret);
    const [entry] = await auditOf(w.m.organizationId);
    expect(entry).toMatchObject({ action: "webhook.secret_rotated", objectId: w.webhook.id });
    expect(JSON.stringify(entry)).not.toContain("whsec_");
    expect((await w.visit.post(`${PATH}/${w.webhook.id}/secret`)).text).toContain(after.secret);
  });

  it("shows each delivery with its response and payload, and redelivers it, audited", async () => {
    const r = await receiver();
    const w = await world("admin", r.url);
    const customer = await ok(
      ctx.api("POST", "/api/v1/customers", {
        key: w.m.testKey,
        body: { customer: { externalId: "dash-hook-1", email: "hook@example.com", name: "Hook" } },
      }),
      "customer",
    );
    const pending = await w.visit.get(`${PATH}/${w.webhook.id}`);
    expect(pending.text).toContain("customer.created");
    expect(pending.text).toContain("Pending");
    expect(await deliver(w.m.organizationId)).toMatchObject({ delivered: 1 });
    const page = await w.visit.get(`${PATH}/${w.webhook.id}`);
    expect(page.text).toContain("Delivered");
    expect(page.text).toContain("HTTP 200");
    expect(page.text).toContain("thanks 1");
    expect(page.text).toContain("1 attempt");
    expect(page.text).toContain(customer.data.customer.id);
    const [delivery] = await deliveriesOf(w.m.testKey, w.webhook.id);

    const res = await w.visit.post(`${PATH}/${w.webhook.id}/redeliver`, { eventId: delivery.eventId });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${PATH}/${w.webhook.id}?notice=redelivered`);
    const [entry] = await auditOf(w.m.organizationId);
    expect(entry).toMatchObject({
      action: "event.redelivered",
      objectType: "event",
      objectId: delivery.eventId,
      after: { webhookId: w.webhook.id },
    });
    expect(await deliver(w.m.organizationId)).toMatchObject({ delivered: 1 });
    expect(r.received).toHaveLength(2);
    const again = await w.visit.get(`${PATH}/${w.webhook.id}`);
    expect(again.text).toContain("2 attempts");
    expect(again.text).toContain("thanks 2");
  });

  it("deletes an endpoint after a second click: nothing more is sent, queued deliveries are cancelled, the log stays", async () => {
    const w = await world();
    const [sent, queued] = await emitTestEvents(ctx.deps.db, w.tenant, 2, "customer.created");
    const page = await w.visit.get(`${PATH}/${w.webhook.id}`);
    // The button sits inside a closed <details>: a first click opens it and says what will happen.
    expect(page.text).toMatch(/<details class="webhooks-delete"><summary>Delete endpoint…<\/summary>/);
    expect(page.text).toContain("cancels its queued deliveries");
    const res = await w.visit.post(`${PATH}/${w.webhook.id}/delete`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${PATH}/${w.webhook.id}?notice=deleted`);
    const after = await w.visit.get(res.headers.get("location") ?? "");
    expect(after.text).toContain("Endpoint deleted");
    expect(after.text).toContain("Disabled");
    expect(after.text).not.toContain("Delete endpoint…");
    expect(after.text).toContain("customer.created");
    expect((await endpointOf(w.m.testKey, w.webhook.id)).active).toBe(false);
    const deliveries = await deliveriesOf(w.m.testKey, w.webhook.id);
    expect(deliveries.map((d: { eventId: string }) => d.eventId).sort()).toEqual([sent, queued].sort());
    expect(deliveries.every((d: { status: string }) => d.status === "failed")).toBe(true);
    expect(await deliver(w.m.organizationId)).toMatchObject({ delivered: 0 });
    const [entry] = await auditOf(w.m.organizationId);
    expect(entry).toMatchObject({
      action: "webhook.deleted",
      objectId: w.webhook.id,
      before: { active: true },
      after: { active: false },
    });
    expect(JSON.stringify(entry)).not.toContain("whsec_");
  });

  it("says why a paused endpoint cannot redeliver, and changes nothing", async () => {
    const w = await world();
    const [eventId] = await emitTestEvents(ctx.deps.db, w.tenant, 1, "customer.created");
    await ok(
      ctx.api("PUT", `/api/v1/webhooks/${w.webhook.id}`, {
        key: w.m.testKey,
        body: { webhook: { active: false } },
      }),
    );
    const res = await w.visit.post(`${PATH}/${w.webhook.id}/redeliver`, { eventId: eventId ?? "" });
    expect(res.status).toBe(400);
    expect(res.text).toContain("is not active");
    expect(await auditOf(w.m.organizationId)).toHaveLength(0);
  });

  it("pages the delivery log, the endpoints and the events by cursor, newest first", async () => {
    const w = await world();
    const ids = await emitTestEvents(ctx.deps.db, w.tenant, 27, "customer.created");
    const first = await w.visit.get(`${PATH}/${w.webhook.id}`);
    expect(first.text).toContain(`/dashboard/developers/events/${ids[26]}`);
    expect(first.text).not.toContain(`/dashboard/developers/events/${ids[6]}"`);
    const cursor = /href="[^"]*\?cursor=([^"]+)">Older/.exec(first.text)?.[1] ?? "";
    expect(cursor).not.toBe("");
    const second = await w.visit.get(`${PATH}/${w.webhook.id}?cursor=${cursor}`);
    expect(second.text).toContain(`/dashboard/developers/events/${ids[6]}"`);
    expect(second.text).toContain(`/dashboard/developers/events/${ids[0]}"`);
    expect(second.text).not.toContain(`/dashboard/developers/events/${ids[7]}"`);
    expect(second.text).not.toContain(">Older");

    const events = await w.visit.get("/dashboard/developers/events");
    expect(events.text).toContain(`/dashboard/developers/events/${ids[26]}"`);
    expect(events.text).not.toContain(`/dashboard/developers/events/${ids[1]}"`);
    const eventsCursor = /href="[^"]*\?cursor=([^"]+)">Older/.exec(events.text)?.[1] ?? "";
    const older = await w.visit.get(`/dashboard/developers/events?cursor=${eventsCursor}`);
    expect(older.text).toContain(`/dashboard/developers/events/${ids[1]}"`);

    for (let i = 0; i < 25; i++) await createWebhook(ctx, w.m.testKey, { url: `https://example.com/h${i}` });
    const endpoints = await w.visit.get(PATH);
    expect(endpoints.text).toContain("https://example.com/h24");
    expect(endpoints.text).not.toContain("https://example.com/hooks");
    const endpointsCursor = /href="[^"]*\?cursor=([^"]+)">Older/.exec(endpoints.text)?.[1] ?? "";
    expect((await w.visit.get(`${PATH}?cursor=${endpointsCursor}`)).text).toContain(
      "https://example.com/hooks",
    );

    expect((await w.visit.get(`${PATH}?cursor=nonsense`)).status).toBe(400);
    expect((await w.visit.get(`${PATH}/${w.webhook.id}?cursor=nonsense`)).status).toBe(400);
    expect((await w.visit.get("/dashboard/developers/events?cursor=nonsense")).status).toBe(400);
  });

  it("lists events with their object and shows one's payload, with the API docs linked", async () => {
    const w = await world();
    const customer = await ok(
      ctx.api("POST", "/api/v1/customers", {
        key: w.m.testKey,
        body: { customer: { externalId: "dash-ev-1", email: "ev@example.com", name: "Ev <b>" } },
      }),
      "customer",
    );
    const list = await w.visit.get("/dashboard/developers/events");
    expect(list.status).toBe(200);
    expect(list.text).toContain('href="/api/docs"');
    expect(list.text).toContain("customer.created");
    expect(list.text).toContain(customer.data.customer.id);
    const eventId = /href="\/dashboard\/developers\/events\/(evt_[^"]+)"/.exec(list.text)?.[1] ?? "";
    const detail = await w.visit.get(`/dashboard/developers/events/${eventId}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain("&quot;externalId&quot;: &quot;dash-ev-1&quot;");
    expect(detail.text).toContain("Ev &lt;b&gt;");
    expect(detail.text).not.toContain("Ev <b>");
    const empty = await world();
    expect((await empty.visit.get("/dashboard/developers/events")).text).toContain("No test events yet.");
  });

  it("lets a viewer look but change nothing (403)", async () => {
    const w = await world("viewer");
    const [eventId] = await emitTestEvents(ctx.deps.db, w.tenant, 1, "customer.created");
    const page = await w.visit.get(`${PATH}/${w.webhook.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("customer.created");
    expect(page.text).not.toContain("Reveal secret");
    expect(page.text).not.toContain(">Redeliver<");
    expect((await w.visit.get(PATH)).text).not.toContain("Add endpoint");
    const before = await endpointOf(w.m.testKey, w.webhook.id);
    const [delivery] = await deliveriesOf(w.m.testKey, w.webhook.id);
    const posts: [string, Record<string, string>][] = [
      [PATH, { url: "https://evil.example.com", all_types: "on" }],
      [`${PATH}/${w.webhook.id}`, { url: "https://evil.example.com", all_types: "on" }],
      [`${PATH}/${w.webhook.id}/secret`, {}],
      [`${PATH}/${w.webhook.id}/rotate`, {}],
      [`${PATH}/${w.webhook.id}/redeliver`, { eventId: eventId ?? "" }],
      [`${PATH}/${w.webhook.id}/delete`, {}],
    ];
    for (const [path, fields] of posts) {
      const res = await w.visit.post(path, fields);
      expect(res.status, path).toBe(403);
      expect(res.text).not.toContain(before.secret);
    }
    expect(await endpointOf(w.m.testKey, w.webhook.id)).toEqual(before);
    expect(await deliveriesOf(w.m.testKey, w.webhook.id)).toEqual([delivery]);
    expect((await ok(ctx.api("GET", "/api/v1/webhooks", { key: w.m.testKey }))).data).toHaveLength(1);
    expect(await auditOf(w.m.organizationId)).toHaveLength(0);
  });

  it("refuses every form without the session's token (403) and changes nothing", async () => {
    const w = await world("owner");
    const [eventId] = await emitTestEvents(ctx.deps.db, w.tenant, 1, "customer.created");
    const before = await endpointOf(w.m.testKey, w.webhook.id);
    const [delivery] = await deliveriesOf(w.m.testKey, w.webhook.id);
    const posts: [string, Record<string, string>][] = [
      [PATH, { url: "https://evil.example.com", all_types: "on" }],
      [`${PATH}/${w.webhook.id}`, { url: "https://evil.example.com", all_types: "on" }],
      [`${PATH}/${w.webhook.id}/secret`, {}],
      [`${PATH}/${w.webhook.id}/rotate`, {}],
      [`${PATH}/${w.webhook.id}/redeliver`, { eventId: eventId ?? "" }],
      [`${PATH}/${w.webhook.id}/delete`, {}],
    ];
    for (const [path, fields] of posts) {
      const wrong = await w.visit.post(path, { ...fields, csrf: "not-the-token" });
      expect(wrong.status, path).toBe(403);
      expect(wrong.text).not.toContain(before.secret);
      const missing = await ctx.api("POST", path, {
        rawBody: new URLSearchParams(fields).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: w.visit.cookie },
      });
      expect(missing.status, path).toBe(403);
      const crossSite = await w.visit.post(path, fields, { origin: "https://evil.example.com" });
      expect(crossSite.status, path).toBe(403);
    }
    expect(await endpointOf(w.m.testKey, w.webhook.id)).toEqual(before);
    expect(await deliveriesOf(w.m.testKey, w.webhook.id)).toEqual([delivery]);
    expect(await auditOf(w.m.organizationId)).toHaveLength(0);
  });

  it("answers 404 for another organization's or the other mode's ids and changes nothing", async () => {
    const w = await world("owner");
    const [ownEvent] = await emitTestEvents(ctx.deps.db, w.tenant, 1, "customer.created");
    const other = await world("owner");
    const [otherEvent] = await emitTestEvents(ctx.deps.db, other.tenant, 1, "customer.created");
    const live = await createWebhook(ctx, w.m.liveKey, { url: "https://live.example.com/hooks" });
    const [liveEvent] = await emitTestEvents(
      ctx.deps.db,
      { organizationId: w.m.organizationId, livemode: true },
      1,
      "customer.created",
    );
    const snapshot = async () => ({
      other: await endpointOf(other.m.testKey, other.webhook.id),
      live: await endpointOf(w.m.liveKey, live.id),
      own: await endpointOf(w.m.testKey, w.webhook.id),
      otherDeliveries: await deliveriesOf(other.m.testKey, other.webhook.id),
      ownDeliveries: await deliveriesOf(w.m.testKey, w.webhook.id),
      liveDeliveries: await deliveriesOf(w.m.liveKey, live.id),
    });
    const before = await snapshot();
    for (const id of [other.webhook.id, live.id, "whk_missing"]) {
      expect((await w.visit.get(`${PATH}/${id}`)).status, id).toBe(404);
      for (const [path, fields] of [
        [`${PATH}/${id}`, { url: "https://evil.example.com", all_types: "on" }],
        [`${PATH}/${id}/secret`, {}],
        [`${PATH}/${id}/rotate`, {}],
        [`${PATH}/${id}/redeliver`, { eventId: ownEvent ?? "" }],
        [`${PATH}/${id}/delete`, {}],
      ] as const) {
        const res = await w.visit.post(path, fields);
        expect(res.status, path).toBe(404);
        expect(res.text).not.toContain("whsec_");
      }
    }
    for (const eventId of [otherEvent ?? "", liveEvent ?? ""]) {
      expect((await w.visit.get(`/dashboard/developers/events/${eventId}`)).status).toBe(404);
      const res = await w.visit.post(`${PATH}/${w.webhook.id}/redeliver`, { eventId });
      expect(res.status).toBe(404);
    }
    expect((await w.visit.get(PATH)).text).not.toContain(other.webhook.id);
    expect((await w.visit.get("/dashboard/developers/events")).text).not.toContain(otherEvent);
    expect((await w.visit.get("/dashboard/developers/events")).text).not.toContain(liveEvent);
    expect(await snapshot()).toEqual(before);
    expect(await auditOf(w.m.organizationId)).toHaveLength(0);
    expect(await auditOf(w.m.organizationId, true)).toHaveLength(0);
    expect(await auditOf(other.m.organizationId)).toHaveLength(0);
  });
});
