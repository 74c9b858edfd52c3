import { describe, expect, test } from "vitest";
import { createApp } from "../../src/app.js";
import { createTenantGate, type TenantGate } from "../../src/http/tenant-admission.js";
import { loadConfig } from "../../src/lib/config.js";
import { type Api, apiOver, catalogFixture, createSession, ok, testContext } from "../support/index.js";

const ctx = await testContext();

/** The app as served, over a gate the test can hold slots on and watch. */
function gatedApp(options: { sharedConcurrency: number; queueLimit: number; maxWaitMs: number }) {
  const gate = createTenantGate({ ...options, contentionWindowMs: 600_000 });
  let entered: (() => void) | undefined;
  const watched: TenantGate = {
    ...gate,
    enter: (tenant) => {
      const admission = gate.enter(tenant);
      entered?.();
      return admission;
    },
  };
  const app = createApp(ctx.deps, watched);
  return {
    gate,
    api: apiOver((path, init) => Promise.resolve(app.request(path, init))),
    /** Resolves when the next request reaches the gate. */
    nextEntry: () => new Promise<void>((resolve) => (entered = resolve)),
  };
}

/** The gate holds each tenant to its share only once another has been served: `rival` is that other one. */
async function holdAll(gate: TenantGate, tenant: string, slots: number, rival = "org_rival") {
  gate.seen(rival);
  const releases: (() => void)[] = [];
  for (let i = 0; i < slots; i++) releases.push(await gate.enter(tenant));
  return releases;
}

describe("per-organization admission", () => {
  test("a merchant at its cap waits in its own queue while another merchant goes straight through", async () => {
    const busy = await ctx.merchant("Busy");
    const quiet = await ctx.merchant("Quiet");
    const { gate, api, nextEntry } = gatedApp({ sharedConcurrency: 2, queueLimit: 10, maxWaitMs: 600_000 });
    const held = await holdAll(gate, busy.organizationId, 2);

    const reached = nextEntry();
    const queued = api("GET", "/api/v1/customers", { key: busy.testKey });
    await reached;
    expect(gate.load(busy.organizationId)).toEqual({ running: 2, waiting: 1 });

    const other = await api("GET", "/api/v1/customers", { key: quiet.testKey });
    expect(other.status).toBe(200);
    // The quiet merchant's whole request ran while the busy one's still waits for a slot.
    expect(gate.load(busy.organizationId)).toEqual({ running: 2, waiting: 1 });

    held[0]?.();
    expect((await queued).status).toBe(200);
    expect(gate.load(busy.organizationId)).toEqual({ running: 1, waiting: 0 });
    held[1]?.();
    expect(gate.tenants()).toBe(0);
  });

  test("a full queue answers 429 in Flowglad's error shape with a retry hint, and the request does nothing", async () => {
    const busy = await ctx.merchant("Full queue");
    const { gate, api, nextEntry } = gatedApp({ sharedConcurrency: 1, queueLimit: 1, maxWaitMs: 600_000 });
    const held = await holdAll(gate, busy.organizationId, 1);
    const reached = nextEntry();
    const queued = api("GET", "/api/v1/customers", { key: busy.testKey });
    await reached;

    const refused = await api("POST", "/api/v1/customers", {
      key: busy.testKey,
      body: { customer: { externalId: "refused-while-busy", email: "refused@example.com", name: "Refused" } },
    });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: "TOO_MANY_REQUESTS", request_id: expect.any(String) });
    expect(refused.body.message).toMatch(/retry shortly/);
    expect(refused.headers.get("x-should-retry")).toBe("true");
    expect(refused.headers.get("retry-after-ms")).toBe("2000");

    held[0]?.();
    expect((await queued).status).toBe(200);
    const lookup = await api("GET", "/api/v1/customers/refused-while-busy", { key: busy.testKey });
    expect(lookup.status).toBe(404);
    expect(gate.tenants()).toBe(0);
  });

  test("a request that waits past the bound answers 429 and leaves the queue", async () => {
    const busy = await ctx.merchant("Slow lane");
    const { gate, api } = gatedApp({ sharedConcurrency: 1, queueLimit: 5, maxWaitMs: 20 });
    const held = await holdAll(gate, busy.organizationId, 1);
    const res = await api("GET", "/api/v1/customers", { key: busy.testKey });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after-ms")).toBe("20");
    expect(gate.load(busy.organizationId)).toEqual({ running: 1, waiting: 0 });
    held[0]?.();
    expect(gate.tenants()).toBe(0);
  });

  test("failed requests free their slot: a 404, a validation error, a bad key", async () => {
    const merchant = await ctx.merchant("Failing");
    const { gate, api } = gatedApp({ sharedConcurrency: 1, queueLimit: 0, maxWaitMs: 600_000 });
    gate.seen("org_rival");
    expect((await api("GET", "/api/v1/customers/nobody", { key: merchant.testKey })).status).toBe(404);
    expect((await api("POST", "/api/v1/customers", { key: merchant.testKey, body: {} })).status).toBe(400);
    expect((await api("GET", "/api/v1/customers", { key: "sk_test_notakey0000000000000" })).status).toBe(401);
    expect(gate.tenants()).toBe(0);
    // With a share of one and no queue, the next request would be refused if any slot had leaked.
    expect((await api("GET", "/api/v1/customers", { key: merchant.testKey })).status).toBe(200);
  });

  test("a merchant alone is not held back; another merchant's API call or hosted page starts the sharing", async () => {
    const alone = await ctx.merchant("Alone");
    const other = await catalogFixture(ctx, { merchantName: "Other" });
    const session = await ok(
      createSession(ctx, other.merchant.testKey, {
        type: "product",
        anonymous: true,
        priceId: other.oneTimePriceId,
      }),
    );

    for (const servedOther of [
      (api: Api) => api("GET", "/api/v1/customers", { key: other.merchant.testKey }),
      (api: Api) => api("GET", `/checkout/${session.checkoutSession.id}`),
    ]) {
      const { gate, api } = gatedApp({ sharedConcurrency: 1, queueLimit: 0, maxWaitMs: 600_000 });
      // Three at once with a share of one and no queue: all run, because nobody else is being served.
      const three = await Promise.all([1, 2, 3].map(() => gate.enter(alone.organizationId)));
      expect(gate.load(alone.organizationId)).toEqual({ running: 3, waiting: 0 });
      for (const release of three) release();

      expect((await servedOther(api)).status).toBe(200);
      const held = await gate.enter(alone.organizationId);
      await expect(gate.enter(alone.organizationId)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
      held();
      expect(gate.tenants()).toBe(0);
    }
  });

  test("the sharing ends when the other merchants have been quiet for the window", async () => {
    let clock = 0;
    const gate = createTenantGate({
      sharedConcurrency: 1,
      queueLimit: 5,
      maxWaitMs: 600_000,
      contentionWindowMs: 1_000,
      now: () => clock,
    });
    gate.seen("org_b");
    const first = await gate.enter("org_a");
    const queued = gate.enter("org_a");
    expect(gate.load("org_a")).toEqual({ running: 1, waiting: 1 });
    clock = 1_001; // org_b's last request is now older than the window
    first();
    const second = await queued;
    const third = await gate.enter("org_a"); // straight in: org_a is alone again
    expect(gate.load("org_a")).toEqual({ running: 2, waiting: 0 });
    second();
    third();
    expect(gate.tenants()).toBe(0);
  });

  test("waiters are admitted in arrival order, one slot handed over per release", async () => {
    const gate = createTenantGate({
      sharedConcurrency: 1,
      queueLimit: 10,
      maxWaitMs: 600_000,
      contentionWindowMs: 600_000,
    });
    gate.seen("org_b");
    const first = await gate.enter("org_a");
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      gate.enter("org_a").then((release) => {
        order.push(n);
        return release;
      }),
    );
    expect(gate.load("org_a")).toEqual({ running: 1, waiting: 3 });
    first();
    first(); // a second call of one release frees nothing more
    const second = await waiters[0];
    expect(order).toEqual([1]);
    expect(gate.load("org_a")).toEqual({ running: 1, waiting: 2 });
    second?.();
    (await waiters[1])?.();
    (await waiters[2])?.();
    expect(order).toEqual([1, 2, 3]);
    expect(gate.tenants()).toBe(0);
  });

  test("each merchant's share defaults to one request at a time and follows the operator's settings", () => {
    expect(loadConfig({}).tenantAdmission).toMatchObject({ sharedConcurrency: 1, queueLimit: 500 });
    expect(
      loadConfig({ GLADE_TENANT_CONCURRENCY: "8", GLADE_TENANT_QUEUE: "0" }).tenantAdmission,
    ).toMatchObject({
      sharedConcurrency: 8,
      queueLimit: 0,
    });
    expect(() => loadConfig({ GLADE_TENANT_CONCURRENCY: "0" })).toThrow(/GLADE_TENANT_CONCURRENCY/);
  });
});
