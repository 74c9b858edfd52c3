import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../src/db/schema/index.js";
import { EMPTY_ALLOW_LIST, parseAllowList } from "../../src/lib/address-policy.js";
import { newId } from "../../src/lib/ids.js";
import { type Resolver, runDeliveryBatch } from "../../src/webhooks/index.js";
import {
  dashboardUser,
  emitTestEvents,
  signInDashboard,
  type TestMerchant,
  testContext,
} from "../support/index.js";

// The shared test configuration allows loopback receivers; these apps refuse them, as a default server does.
const ctx = await testContext();
const strictConfig = { ...ctx.deps.config, webhookAllowPrivate: EMPTY_ALLOW_LIST };
const strict = await testContext({ config: strictConfig });
const everything = { ...ctx.deps.config, webhookAllowPrivate: parseAllowList(["*"], "test") };
const permissive = await testContext({ config: everything });

/** A plain listener counting what reaches it: the assertion is that nothing does. */
type Listener = { port: number; hits: string[]; close: () => Promise<void> };
const listeners: Listener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close()));
});

async function listen(host = "127.0.0.1", port = 0, answer = 200, location = ""): Promise<Listener> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.headers.host}${req.url}`);
    req.resume();
    res.writeHead(answer, location ? { location } : {}).end("internal service says hello");
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const listener = {
    port: (server.address() as AddressInfo).port,
    hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  listeners.push(listener);
  return listener;
}

const register = (app: typeof ctx, m: TestMerchant, url: string) =>
  app.api("POST", "/api/v1/webhooks", { key: m.testKey, body: { webhook: { url } } });

const tenantOf = (m: TestMerchant) => ({ organizationId: m.organizationId, livemode: false });

async function attemptsOfEvent(eventId: string) {
  const [delivery] = await ctx.deps.db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.eventId, eventId));
  const attempts = await ctx.deps.db
    .select()
    .from(webhookAttempts)
    .where(eq(webhookAttempts.deliveryId, delivery!.id));
  return { delivery: delivery!, attempts };
}

describe("registering a webhook destination", () => {
  it("refuses cloud metadata addresses outright, even when every private address is allowed", async () => {
    const m = await permissive.merchant();
    for (const url of [
      "http://169.254.169.254/latest/meta-data/",
      "http://metadata.google.internal/computeMetadata/v1/",
      "http://METADATA.google.internal./",
      "http://metadata/",
      "http://100.100.100.200/",
      "http://[fd00:ec2::254]/",
      "http://[::ffff:169.254.169.254]/",
      "http://2852039166/",
    ]) {
      const res = await register(permissive, m, url);
      expect(res.status, url).toBe(400);
      expect(res.body).toMatchObject({ code: "BAD_REQUEST" });
      expect(res.body.message, url).toContain("cloud metadata address; webhooks are never sent there");
    }
    const list = await permissive.api("GET", "/api/v1/webhooks", { key: m.testKey });
    expect(list.body.data).toEqual([]);
  });

  it("refuses literal non-public addresses in every spelling unless allowed, and says how to allow them", async () => {
    const m = await strict.merchant();
    const refused: [string, string][] = [
      ["http://127.0.0.1:5432/", "127.0.0.1 is a loopback address"],
      ["http://[::1]/", "::1 is a loopback address"],
      ["http://10.0.0.1/", "10.0.0.1 is a private address"],
      ["http://[fd00::1]/", "fd00::1 is a private address"],
      ["http://0177.0.0.1/", "127.0.0.1 is a loopback address"],
      ["http://0.0.0.0/", "0.0.0.0 is an unspecified address"],
      ["http://2130706433/", "127.0.0.1 is a loopback address"],
      ["http://0x7f000001/", "127.0.0.1 is a loopback address"],
      ["http://127.1/", "127.0.0.1 is a loopback address"],
      ["http://[::ffff:127.0.0.1]/", "(127.0.0.1) is a loopback address"],
      ["http://[64:ff9b::a00:1]/", "is a NAT64 address"],
      ["http://100.64.0.1/", "is a shared (CGNAT) address"],
      ["http://169.254.1.1/", "is a link-local address"],
      ["http://224.0.0.1/", "is a multicast address"],
      ["https://192.168.1.10/", "is a private address"],
    ];
    for (const [url, reason] of refused) {
      const res = await register(strict, m, url);
      expect(res.status, url).toBe(400);
      expect(res.body.message, url).toContain(reason);
      expect(res.body.message, url).toContain("set GLADE_WEBHOOK_ALLOW_PRIVATE to allow it");
    }
    // An update to such a URL is refused the same way and changes nothing.
    const created = await register(strict, m, "https://hooks.example.com/glade");
    expect(created.status).toBe(201);
    const id = created.body.webhook.id;
    const moved = await strict.api("PUT", `/api/v1/webhooks/${id}`, {
      key: m.testKey,
      body: { webhook: { url: "http://10.0.0.1/" } },
    });
    expect(moved.status).toBe(400);
    expect(moved.body.message).toContain("10.0.0.1 is a private address");
    const got = await strict.api("GET", `/api/v1/webhooks/${id}`, { key: m.testKey });
    expect(got.body.webhook.url).toBe("https://hooks.example.com/glade");
    // Hostnames are checked when a delivery resolves them.
    expect((await register(strict, m, "http://127.0.0.1.nip.io/")).status).toBe(201);
    expect((await register(strict, m, "http://localhost:3000/")).status).toBe(201);
  });

  it("accepts a literal address the operator allows", async () => {
    const m = await ctx.merchant();
    expect((await register(ctx, m, "http://127.0.0.1:9/hooks")).status).toBe(201);
    expect((await register(ctx, m, "http://[::1]:9/hooks")).status).toBe(201);
    expect((await register(ctx, m, "http://10.0.0.1/")).status).toBe(400);
  });
});

/** Endpoints stored as an earlier Glade, with no policy, would have: the delivery is what must refuse them. */
async function storedEndpoint(m: TestMerchant, url: string) {
  const now = new Date();
  const [row] = await ctx.deps.db
    .insert(webhookEndpoints)
    .values({
      id: newId("webhookEndpoint"),
      organizationId: m.organizationId,
      livemode: false,
      url,
      secret: `whsec_${randomBytes(24).toString("base64")}`,
      active: true,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return row!;
}

/** Answers `name` with the loopback address written in it (as nip.io does), anything else as the system does. */
const nipResolver: Resolver = async (hostname) => {
  const embedded = hostname.match(/^(\d+\.\d+\.\d+\.\d+)\.nip\.io$/)?.[1];
  if (embedded) return [{ address: embedded, family: 4 }];
  const { lookup } = await import("node:dns/promises");
  return lookup(hostname, { all: true, verbatim: true });
};

describe("delivering to a refused destination", () => {
  it("sends nothing to a loopback listener by any spelling, logs why with no snippet, and retries", async () => {
    const local = await listen("127.0.0.1");
    const local6 = await listen("::1");
    const m = await strict.merchant();
    const p = local.port;
    const urls = [
      `http://127.0.0.1:${p}/`,
      `http://localhost:${p}/`,
      `http://0.0.0.0:${p}/`,
      `http://2130706433:${p}/`,
      `http://0x7f000001:${p}/`,
      `http://127.1:${p}/`,
      `http://0177.0.0.1:${p}/`,
      `http://127.0.0.1.nip.io:${p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://[::1]:${local6.port}/`,
    ];
    for (const url of urls) await storedEndpoint(m, url);
    await emitTestEvents(ctx.deps.db, tenantOf(m), 1);
    const round = await runDeliveryBatch(strict.deps, {
      organizationId: m.organizationId,
      resolve: nipResolver,
    });
    expect(round).toMatchObject({ claimed: urls.length, retrying: urls.length, delivered: 0 });
    expect(local.hits).toEqual([]);
    expect(local6.hits).toEqual([]);

    const log = await strict.api("GET", "/api/v1/webhooks", { key: m.testKey });
    for (const webhook of log.body.data) {
      const deliveries = await strict.api("GET", `/api/v1/webhooks/${webhook.id}/deliveries`, {
        key: m.testKey,
      });
      const [delivery] = deliveries.body.data;
      expect(delivery, webhook.url).toMatchObject({ status: "pending", attemptCount: 1 });
      const [attempt] = delivery.attempts;
      expect(attempt, webhook.url).toMatchObject({ statusCode: null, responseSnippet: null });
      expect(attempt.error, webhook.url).toMatch(
        /^destination .* is an? (loopback|unspecified) address; set GLADE_WEBHOOK_ALLOW_PRIVATE to allow it$/,
      );
    }
  });

  it("names the address a hostname resolved to, and refuses a host with any non-public address", async () => {
    const local = await listen("127.0.0.1");
    const m = await strict.merchant();
    const endpoint = await storedEndpoint(m, `http://mixed.test:${local.port}/hooks`);
    const [eventId] = await emitTestEvents(ctx.deps.db, tenantOf(m), 1);
    // The public answer comes first; the loopback one alone is enough to refuse the host.
    const mixed: Resolver = async () => [
      { address: "93.184.215.14", family: 4 },
      { address: "127.0.0.1", family: 4 },
    ];
    await runDeliveryBatch(strict.deps, { organizationId: m.organizationId, resolve: mixed });
    const { attempts } = await attemptsOfEvent(eventId!);
    expect(attempts[0]?.error).toBe(
      "destination mixed.test resolves to 127.0.0.1, which is a loopback address; set GLADE_WEBHOOK_ALLOW_PRIVATE to allow it",
    );
    expect(local.hits).toEqual([]);
    expect(endpoint.url).toContain("mixed.test");
  });

  it("refuses a stored metadata destination at delivery even when everything private is allowed", async () => {
    const m = await permissive.merchant();
    await storedEndpoint(m, "http://metadata.google.internal/computeMetadata/v1/");
    const [eventId] = await emitTestEvents(ctx.deps.db, tenantOf(m), 1);
    const resolved: string[] = [];
    const resolver: Resolver = async (host) => {
      resolved.push(host);
      return [{ address: "169.254.169.254", family: 4 }];
    };
    await runDeliveryBatch(permissive.deps, { organizationId: m.organizationId, resolve: resolver });
    const { attempts } = await attemptsOfEvent(eventId!);
    expect(attempts[0]?.error).toBe(
      "destination metadata.google.internal is a cloud metadata address; webhooks are never sent there",
    );
    expect(resolved).toEqual([]);
  });
});

describe("delivering to an allowed destination", () => {
  it("connects to the address it checked: a resolver that changes its answer (rebinding) reaches nothing else", async () => {
    const allowed = await listen("127.0.0.1");
    const forbidden = await listen("127.0.0.2", allowed.port);
    const m = await strict.merchant();
    // Only 127.0.0.1 is allowed: it stands for a public address, 127.0.0.2 for the private one behind it.
    const deps = {
      ...strict.deps,
      config: { ...strictConfig, webhookAllowPrivate: parseAllowList(["127.0.0.1"], "t") },
    };
    await storedEndpoint(m, `http://rebind.test:${allowed.port}/hooks`);
    const answers = ["127.0.0.1", "127.0.0.2", "127.0.0.2", "127.0.0.2"];
    let calls = 0;
    const rebinding: Resolver = async () => [{ address: answers[calls++] ?? "127.0.0.2", family: 4 }];
    await emitTestEvents(ctx.deps.db, tenantOf(m), 1);
    expect(
      await runDeliveryBatch(deps, { organizationId: m.organizationId, resolve: rebinding }),
    ).toMatchObject({
      delivered: 1,
    });
    // One lookup per attempt, and the POST went where that lookup pointed, with the URL's Host header.
    expect(calls).toBe(1);
    expect(allowed.hits).toEqual([`POST rebind.test:${allowed.port}/hooks`]);
    // The next attempt's lookup answers the private address: refused, not connected.
    const [second] = await emitTestEvents(ctx.deps.db, tenantOf(m), 1);
    expect(
      await runDeliveryBatch(deps, { organizationId: m.organizationId, resolve: rebinding }),
    ).toMatchObject({
      retrying: 1,
    });
    expect(calls).toBe(2);
    expect(forbidden.hits).toEqual([]);
    const { attempts } = await attemptsOfEvent(second!);
    expect(attempts[0]?.error).toContain("rebind.test resolves to 127.0.0.2, which is a loopback address");
  });

  it("delivers to a host named in the allowance whatever loopback address it resolves to", async () => {
    const local = await listen("127.0.0.1");
    const m = await strict.merchant();
    const deps = {
      ...strict.deps,
      config: { ...strictConfig, webhookAllowPrivate: parseAllowList(["localhost"], "t") },
    };
    await storedEndpoint(m, `http://localhost:${local.port}/hooks`);
    await storedEndpoint(m, `http://127.0.0.1:${local.port}/literal`);
    await emitTestEvents(ctx.deps.db, tenantOf(m), 1);
    const localhost: Resolver = async () => [{ address: "127.0.0.1", family: 4 }];
    expect(
      await runDeliveryBatch(deps, { organizationId: m.organizationId, resolve: localhost }),
    ).toMatchObject({
      delivered: 1,
      retrying: 1,
    });
    expect(local.hits).toEqual([`POST localhost:${local.port}/hooks`]);
  });

  it("does not follow a redirect: the 3xx is a failed attempt saying so, and its target gets nothing", async () => {
    const target = await listen("127.0.0.1");
    const redirecting = await listen("127.0.0.1", 0, 307, `http://127.0.0.1:${target.port}/elsewhere`);
    const m = await ctx.merchant();
    await storedEndpoint(m, `http://127.0.0.1:${redirecting.port}/hooks`);
    const [eventId] = await emitTestEvents(ctx.deps.db, tenantOf(m), 1);
    expect(await runDeliveryBatch(ctx.deps, { organizationId: m.organizationId })).toMatchObject({
      retrying: 1,
    });
    const { attempts } = await attemptsOfEvent(eventId!);
    expect(attempts[0]).toMatchObject({
      statusCode: 307,
      error: "receiver answered HTTP 307, a redirect; webhooks are not redirected",
    });
    expect(redirecting.hits).toHaveLength(1);
    expect(target.hits).toEqual([]);
  });
});

describe("the dashboard's endpoint form", () => {
  it("says why a refused URL cannot be used, next to the field, and stores nothing", async () => {
    const m = await strict.merchant();
    const user = await dashboardUser(strict, m.organizationId, "admin");
    const visit = await signInDashboard(strict, user.email);
    const refused: [string, string][] = [
      ["http://10.0.0.1/hooks", "destination 10.0.0.1 is a private address; set GLADE_WEBHOOK_ALLOW_PRIVATE"],
      ["http://169.254.169.254/", "destination 169.254.169.254 is a cloud metadata address"],
    ];
    for (const [url, reason] of refused) {
      const res = await visit.post("/dashboard/developers/webhooks", { url, all_types: "on" });
      expect(res.status, url).toBe(400);
      expect(res.text).toContain('id="new-url-error"');
      expect(res.text).toContain(reason);
    }
    const list = await strict.api("GET", "/api/v1/webhooks", { key: m.testKey });
    expect(list.body.data).toEqual([]);
  });
});
