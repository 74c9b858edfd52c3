import { describe, expect, it } from "vitest";
import type { PaymentProcessor, ProcessorTenant } from "../../src/context/index.js";
import { AppError } from "../../src/lib/errors.js";
import { CONNECTION_CACHE_MS, createProcessorRegistry } from "../../src/processors/index.js";

const named = (name: PaymentProcessor["name"]) => ({ name }) as PaymentProcessor;
const test: ProcessorTenant = { organizationId: "org_a", livemode: false };
const live: ProcessorTenant = { organizationId: "org_a", livemode: true };

/** A registry over an in-memory set of connections, counting reads, with a clock the test moves. */
function registryOver(connections: Map<string, { id: string; updatedAt: Date }>) {
  let clock = 0;
  let reads = 0;
  let builds = 0;
  const registry = createProcessorRegistry({
    sandbox: named("sandbox"),
    readConnection: async (t) => {
      reads++;
      return connections.get(`${t.organizationId}:${t.livemode}`);
    },
    build: () => {
      builds++;
      return named("stripe");
    },
    monotonicNow: () => clock,
  });
  return {
    registry,
    advance: (ms: number) => {
      clock += ms;
    },
    counts: () => ({ reads, builds }),
  };
}

describe("processor registry", () => {
  it("serves the sandbox in test mode without a connection, and nothing in live mode", async () => {
    const { registry } = registryOver(new Map());
    expect((await registry.forTenant(test)).name).toBe("sandbox");
    const refused = await registry.forTenant(live).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).status).toBe(422);
    expect((refused as AppError).message).toMatch(/connect a payment processor for live mode/i);
    // A record the sandbox made cannot be acted on in live mode either.
    await expect(registry.named(live, "sandbox")).rejects.toBeInstanceOf(AppError);
  });

  it("serves a tenant's connection for its mode only", async () => {
    const { registry } = registryOver(new Map([["org_a:true", { id: "pconn_1", updatedAt: new Date(1) }]]));
    expect((await registry.forTenant(live)).name).toBe("stripe");
    expect((await registry.forTenant(test)).name).toBe("sandbox");
    expect(
      (await registry.forTenant({ organizationId: "org_b", livemode: true }).catch((e) => e)).status,
    ).toBe(422);
    // Records keep going to the processor that made them.
    expect((await registry.named(test, "sandbox")).name).toBe("sandbox");
    await expect(registry.named(test, "stripe")).rejects.toThrow(/no longer connected/);
  });

  it("reads a connection once per cache period, rebuilds only when it changed, and forgets on demand", async () => {
    const connections = new Map([["org_a:false", { id: "pconn_1", updatedAt: new Date(1) }]]);
    const { registry, advance, counts } = registryOver(connections);
    await registry.forTenant(test);
    await registry.forTenant(test);
    expect(counts()).toEqual({ reads: 1, builds: 1 });
    advance(CONNECTION_CACHE_MS + 1);
    await registry.forTenant(test);
    expect(counts()).toEqual({ reads: 2, builds: 1 });
    connections.set("org_a:false", { id: "pconn_1", updatedAt: new Date(2) });
    registry.forget(test);
    await registry.forTenant(test);
    expect(counts()).toEqual({ reads: 3, builds: 2 });
    connections.delete("org_a:false");
    registry.forget(test);
    expect((await registry.forTenant(test)).name).toBe("sandbox");
  });
});
