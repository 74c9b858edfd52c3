import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { createTenantGate } from "../../src/http/tenant-admission.js";
import { createPacer } from "../../src/http/tenant-pacing.js";
import { loadConfig } from "../../src/lib/config.js";

const TICK_MS = 100;
const WINDOW_MS = 1_000;

describe("the pacer's arithmetic", () => {
  test("the gap is a request's measured cost over the share the unqueued merchants leave below the target", () => {
    let busy = 0.8;
    const pacer = createPacer({ targetLoad: 0.5, floorLoad: 0.1, tickMs: TICK_MS, probe: () => busy });
    pacer.noteUnqueued(0);
    for (let i = 0; i < 4; i++) pacer.finished(true);
    for (let i = 0; i < 4; i++) pacer.finished(false);
    // Cost: 1 ms before any measure, then 0.8 × 100 ms / 8 = 10 ms, smoothed by 0.3: 1 + 0.3 × 9 = 3.7 ms.
    // Unqueued share: 4 × 3.7 ms / 100 ms = 0.148, smoothed from 0: 0.0444. Gap: 3.7 / (0.5 − 0.0444).
    expect(pacer.tick(TICK_MS, WINDOW_MS)).toBeCloseTo(3.7 / (0.5 - 0.0444), 6);

    // The unqueued merchants now use more than the target: the queued ones keep the floor between them.
    busy = 1;
    for (let i = 0; i < 40; i++) pacer.finished(false);
    const cost = 3.7 + 0.3 * ((1 * TICK_MS) / 40 - 3.7);
    expect(pacer.tick(2 * TICK_MS, WINDOW_MS)).toBeCloseTo(cost / 0.1, 6);
  });

  test("nothing is paced once no unqueued merchant has been served within the window", () => {
    const pacer = createPacer({ targetLoad: 0.5, floorLoad: 0.1, tickMs: TICK_MS, probe: () => 1 });
    pacer.noteUnqueued(0);
    pacer.finished(true);
    expect(pacer.tick(TICK_MS, WINDOW_MS)).toBeGreaterThan(0);
    pacer.finished(true);
    expect(pacer.tick(WINDOW_MS + 1, WINDOW_MS)).toBe(0);
  });
});

describe("pacing in the gate", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A gate whose loop always measures `busy`, one request at a time per merchant while shared. */
  function pacedGate(busy: number) {
    return createTenantGate({
      sharedConcurrency: 1,
      queueLimit: 1_000,
      maxWaitMs: 600_000,
      contentionWindowMs: WINDOW_MS,
      pacing: { targetLoad: 0.5, floorLoad: 0.1, tickMs: TICK_MS, probe: () => busy },
    });
  }

  /** `count` requests of `tenant` queued behind one running; returns the running one's release and the queue. */
  async function backlog(gate: ReturnType<typeof pacedGate>, tenant: string, count: number) {
    const running = await gate.enter(tenant);
    const admitted: (() => void)[] = [];
    for (let i = 0; i < count; i++) void gate.enter(tenant).then((release) => admitted.push(release));
    return { running, admitted };
  }

  test("while an unqueued merchant is served on a busy loop, a queued merchant's starts are spaced by the gap", async () => {
    const gate = pacedGate(0.9);
    gate.seen("org_small"); // a view of its hosted page
    const big = await backlog(gate, "org_big", 20);
    expect(gate.load("org_big")).toEqual({ running: 1, waiting: 20 });

    // Before the first measure nothing is paced: 8 of the big merchant's requests finish (its first let
    // straight in, 7 from its queue), then one of the small merchant's; with the page view that is 10.
    let release = big.running;
    for (let i = 0; i < 8; i++) {
      release();
      await vi.advanceTimersByTimeAsync(0);
      release = big.admitted.shift() as () => void;
    }
    (await gate.enter("org_small"))();
    expect(gate.load("org_big")).toEqual({ running: 1, waiting: 12 });

    // The tick at 100 ms: busy 0.9 over 100 ms for 10 requests is 9 ms each, smoothed from 1 ms: 3.4 ms.
    // 3 of them were unqueued: a share of 0.3 × 3 × 3.4 / 100. The gap is 3.4 ms over what is left of 0.5.
    await vi.advanceTimersByTimeAsync(TICK_MS);
    const gap = 3.4 / (0.5 - (0.3 * 3 * 3.4) / TICK_MS);
    expect(gap).toBeCloseTo(7.24, 2);

    // The small merchant still goes straight in.
    const small = await gate.enter("org_small");
    expect(gate.load("org_small")).toEqual({ running: 1, waiting: 0 });
    small();
    // The big merchant's first start under pacing is not held back; the next one waits for the gap.
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(big.admitted).toHaveLength(1);
    (big.admitted.shift() as () => void)();
    await vi.advanceTimersByTimeAsync(Math.floor(gap) - 1);
    expect(big.admitted).toHaveLength(0);
    expect(gate.load("org_big")).toEqual({ running: 0, waiting: 11 });
    await vi.advanceTimersByTimeAsync(2);
    expect(big.admitted).toHaveLength(1);
    expect(gate.load("org_big")).toEqual({ running: 1, waiting: 10 });
    // A slot free is not enough either: the one after that waits for the gap again.
    (big.admitted.shift() as () => void)();
    await vi.advanceTimersByTimeAsync(Math.floor(gap) - 2);
    expect(big.admitted).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(3);
    expect(big.admitted).toHaveLength(1);
  });

  test("the queued merchant keeps being served at the floor however busy the others keep the loop", async () => {
    const gate = pacedGate(1);
    gate.seen("org_small");
    const big = await backlog(gate, "org_big", 400);
    big.running();
    /** `ms` of a small merchant served every 5 ms, the big one's requests released as soon as they start. */
    async function run(ms: number) {
      let served = 0;
      for (let t = 0; t < ms; t += 5) {
        (await gate.enter("org_small"))();
        await vi.advanceTimersByTimeAsync(5);
        for (const release of big.admitted.splice(0)) {
          release();
          served++;
        }
      }
      return served;
    }
    await run(1_000); // the estimates settle
    // Unpaced, the big merchant would start one request every 5 ms: 800 in 4 s. In the steady state a tick has
    // 20 small requests and k big ones on a loop busy throughout: a request costs 100 / (20 + k) ms, the small
    // merchant's share is 20 / (20 + k), above the target, so the big one keeps the floor, 10 %: one start every
    // 10 × 100 / (20 + k) ms, which solves to k ≈ 2.2 a tick, ~88 in 4 s.
    const served = await run(4_000);
    expect(served).toBeGreaterThan(60);
    expect(served).toBeLessThan(120);
    expect(gate.load("org_big").waiting).toBeGreaterThan(0);
  });

  test("once the other merchant has been quiet for the window, the queue drains unpaced, own page views or not", async () => {
    const gate = pacedGate(0.9);
    gate.seen("org_small");
    const big = await backlog(gate, "org_big", 5);
    // Views of the big merchant's own hosted pages go on: room is kept for them while it shares the server,
    // but it does not share it any more.
    for (let t = 0; t <= WINDOW_MS; t += TICK_MS) {
      gate.seen("org_big");
      await vi.advanceTimersByTimeAsync(TICK_MS);
    }
    // The small merchant is no longer being served: org_big is alone, so its whole queue goes in at once.
    big.running();
    await vi.advanceTimersByTimeAsync(0);
    expect(big.admitted).toHaveLength(5);
    for (const release of big.admitted) release();
    expect(gate.tenants()).toBe(0);
  });

  test("queues are served round robin across merchants while paced", async () => {
    const gate = pacedGate(0.9);
    gate.seen("org_small");
    const order: string[] = [];
    const held = [await gate.enter("org_a"), await gate.enter("org_b")];
    for (let i = 0; i < 3; i++) {
      for (const tenant of ["org_a", "org_b"])
        void gate.enter(tenant).then((release) => {
          order.push(tenant);
          release();
        });
    }
    for (const release of held) release();
    for (let i = 0; i < 50 && order.length < 6; i++) {
      (await gate.enter("org_small"))();
      await vi.advanceTimersByTimeAsync(TICK_MS);
    }
    expect(order).toEqual(["org_a", "org_b", "org_a", "org_b", "org_a", "org_b"]);
    expect(gate.tenants()).toBe(0);
  });
});

test("pacing follows the operator's settings, the floor never above the target", () => {
  expect(loadConfig({}).tenantAdmission.pacing).toEqual({ targetLoad: 0.5, floorLoad: 0.1, tickMs: 100 });
  expect(
    loadConfig({ GLADE_TENANT_TARGET_LOAD: "0.3", GLADE_TENANT_FLOOR_LOAD: "0.4" }).tenantAdmission.pacing,
  ).toMatchObject({ targetLoad: 0.3, floorLoad: 0.3 });
  expect(() => loadConfig({ GLADE_TENANT_TARGET_LOAD: "0" })).toThrow(/GLADE_TENANT_TARGET_LOAD/);
  expect(() => loadConfig({ GLADE_TENANT_FLOOR_LOAD: "2" })).toThrow(/GLADE_TENANT_FLOOR_LOAD/);
});
